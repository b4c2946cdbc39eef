#include "registry/pg_document_store.hpp"

namespace sb::registry {

Result<std::unique_ptr<PgDocumentStore>> PgDocumentStore::open(const std::string& conninfo) {
    auto db = db::PgConnection::connect(
        conninfo, "registry store",
        {"SET synchronous_commit = on",
         // Bodies are TEXT, not jsonb: jsonb would reorder keys and drop whitespace, and a
         // document is to come back as it was put.
         "CREATE TABLE IF NOT EXISTS registry_documents (kind TEXT NOT NULL, id TEXT NOT NULL, "
         "body TEXT NOT NULL, PRIMARY KEY (kind, id))"});
    if (!db) return fail(db.error());
    return std::unique_ptr<PgDocumentStore>(new PgDocumentStore(std::move(db).value()));
}

Result<void> PgDocumentStore::put(std::string_view kind, std::string_view id,
                                  std::string_view body) {
    if (auto ok = checkDocument(kind, id, body); !ok) return ok;
    // Each call is one statement: after a lost connection it can simply run in a new session.
    if (auto again = db_->reconnectIfLost(); !again) return fail(again.error());
    // The other instances of a cluster hear of it once it commits (cluster/pg_escalations.hpp).
    auto ok =
        db_->exec("saving a document",
                  "WITH saved AS (INSERT INTO registry_documents (kind, id, body) VALUES ($1, "
                  "$2, $3) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body "
                  "RETURNING kind, id) SELECT pg_notify('switchboard_registry', "
                  "json_build_object('kind', kind, 'id', id)::text) FROM saved",
                  {db::PgParam::text(kind), db::PgParam::text(id), db::PgParam::text(body)});
    if (!ok) return fail(ok.error());
    return {};
}

Result<bool> PgDocumentStore::remove(std::string_view kind, std::string_view id) {
    if (auto again = db_->reconnectIfLost(); !again) return fail(again.error());
    auto done = db_->exec("removing a document",
                          "WITH gone AS (DELETE FROM registry_documents WHERE kind = $1 AND id = "
                          "$2 RETURNING kind, id) SELECT pg_notify('switchboard_registry', "
                          "json_build_object('kind', kind, 'id', id)::text) FROM gone",
                          {db::PgParam::text(kind), db::PgParam::text(id)});
    if (!done) return fail(done.error());
    return done->rows() > 0;
}

Result<std::vector<DocumentStore::Document>> PgDocumentStore::all(std::string_view kind) {
    if (auto again = db_->reconnectIfLost(); !again) return fail(again.error());
    // COLLATE "C": bytewise, as SQLite orders, whatever locale the database was created with.
    auto rows = db_->exec("reading documents",
                          "SELECT id, body FROM registry_documents WHERE kind = $1 "
                          "ORDER BY id COLLATE \"C\"",
                          {db::PgParam::text(kind)});
    if (!rows) return fail(rows.error());
    std::vector<Document> out;
    out.reserve(static_cast<std::size_t>(rows->rows()));
    for (int r = 0; r < rows->rows(); ++r)
        out.emplace_back(std::string(rows->text(r, 0)), std::string(rows->text(r, 1)));
    return out;
}

} // namespace sb::registry
