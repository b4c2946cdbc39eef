#pragma once
// The registry's documents in SQLite: one table (kind, id, body), WAL and synchronous=FULL.

#include "db/sqlite_connection.hpp"
#include "registry/document_store.hpp"

#include <filesystem>

namespace sb::registry {

class SqliteDocumentStore final : public DocumentStore {
public:
    // Opens or creates the file and its table. Errors (Errc::io): SQLite's message.
    static Result<std::unique_ptr<SqliteDocumentStore>> open(const std::filesystem::path& file);

    Result<void> put(std::string_view kind, std::string_view id, std::string_view body) override;
    Result<bool> remove(std::string_view kind, std::string_view id) override;
    Result<std::vector<Document>> all(std::string_view kind) override;

private:
    explicit SqliteDocumentStore(std::unique_ptr<db::SqliteConnection> db) : db_(std::move(db)) {}
    std::unique_ptr<db::SqliteConnection> db_;
};

} // namespace sb::registry
