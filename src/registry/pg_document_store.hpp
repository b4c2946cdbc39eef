#pragma once
// The registry's documents in PostgreSQL: table registry_documents (kind, id, body), each call
// its own transaction, with synchronous_commit=on for the session.

#include "db/pg_connection.hpp"
#include "registry/document_store.hpp"

#include <string>

namespace sb::registry {

class PgDocumentStore final : public DocumentStore {
public:
    // Connects (libpq conninfo or postgresql:// URI) and creates the table if missing. Errors
    // (Errc::io): the server's or libpq's message.
    static Result<std::unique_ptr<PgDocumentStore>> open(const std::string& conninfo);

    Result<void> put(std::string_view kind, std::string_view id, std::string_view body) override;
    Result<bool> remove(std::string_view kind, std::string_view id) override;
    Result<std::vector<Document>> all(std::string_view kind) override;

private:
    explicit PgDocumentStore(std::unique_ptr<db::PgConnection> db) : db_(std::move(db)) {}
    std::unique_ptr<db::PgConnection> db_;
};

} // namespace sb::registry
