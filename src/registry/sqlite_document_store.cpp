#include "registry/sqlite_document_store.hpp"

namespace sb::registry {

Result<std::unique_ptr<SqliteDocumentStore>>
SqliteDocumentStore::open(const std::filesystem::path& file) {
    auto db = db::SqliteConnection::open(file, "registry store");
    if (!db) return fail(db.error());
    // SQLite compares TEXT bytewise (its BINARY collation), the order all() promises.
    if (auto ok =
            (*db)->exec("CREATE TABLE IF NOT EXISTS registry_documents (kind TEXT NOT "
                        "NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id))");
        !ok)
        return fail(ok.error());
    return std::unique_ptr<SqliteDocumentStore>(new SqliteDocumentStore(std::move(db).value()));
}

Result<void> SqliteDocumentStore::put(std::string_view kind, std::string_view id,
                                      std::string_view body) {
    if (auto ok = checkDocument(kind, id, body); !ok) return ok;
    auto upsert = db_->prepare("INSERT INTO registry_documents (kind, id, body) VALUES (?, ?, ?) "
                               "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body");
    if (!upsert) return fail(upsert.error());
    upsert->bind(1, kind).bind(2, id).bind(3, body);
    if (!upsert->step()) return fail(db_->error("saving a document"));
    return {};
}

Result<bool> SqliteDocumentStore::remove(std::string_view kind, std::string_view id) {
    auto del = db_->prepare("DELETE FROM registry_documents WHERE kind = ? AND id = ?");
    if (!del) return fail(del.error());
    del->bind(1, kind).bind(2, id);
    if (!del->step()) return fail(db_->error("removing a document"));
    return db_->changes() > 0;
}

Result<std::vector<DocumentStore::Document>> SqliteDocumentStore::all(std::string_view kind) {
    auto select =
        db_->prepare("SELECT id, body FROM registry_documents WHERE kind = ? ORDER BY id");
    if (!select) return fail(select.error());
    select->bind(1, kind);
    std::vector<Document> out;
    for (;;) {
        auto row = select->step();
        if (!row) return fail(db_->error("reading documents"));
        if (!*row) return out;
        out.emplace_back(std::string(select->text(0)), std::string(select->text(1)));
    }
}

} // namespace sb::registry
