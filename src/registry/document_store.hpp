#pragma once
// Where the expert registry keeps itself: JSON documents by kind ("expert", "chain", …) and
// id, in an SQLite file or a PostgreSQL database (openDocumentStore). Calls are synchronous
// and durable on return (registry mutations are rare); a document's text comes back byte for
// byte as it was put.
//
// Not thread-safe: one thread uses a store at a time.

#include "core/result.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::registry {

class DocumentStore {
public:
    using Document = std::pair<std::string, std::string>; // id, body

    virtual ~DocumentStore() = default;

    // Creates or replaces the document. Errors: Errc::invalid_input for an empty kind or id or
    // a body that is not JSON; Errc::io, the database's.
    virtual Result<void> put(std::string_view kind, std::string_view id, std::string_view body) = 0;
    // Whether there was such a document (now gone). Errors: Errc::io.
    virtual Result<bool> remove(std::string_view kind, std::string_view id) = 0;
    // Every document of a kind, ordered by id (bytewise, whatever the database's collation).
    // Errors: Errc::io.
    virtual Result<std::vector<Document>> all(std::string_view kind) = 0;

    DocumentStore(const DocumentStore&) = delete;
    DocumentStore& operator=(const DocumentStore&) = delete;

protected:
    DocumentStore() = default;
};

// The store named by a database URL (db/database_url.hpp), its table created if missing.
// Errors: Errc::config for a URL that names no database; Errc::io when it cannot be opened.
Result<std::unique_ptr<DocumentStore>> openDocumentStore(std::string_view url);

// What put() refuses, shared by the implementations: Errc::invalid_input naming the document.
Result<void> checkDocument(std::string_view kind, std::string_view id, std::string_view body);

} // namespace sb::registry
