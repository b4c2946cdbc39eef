#include "registry/document_store.hpp"

#include "db/database_url.hpp"
#include "registry/pg_document_store.hpp"
#include "registry/sqlite_document_store.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sb::registry {
namespace {

template <class T>
Result<std::unique_ptr<DocumentStore>> widen(Result<std::unique_ptr<T>> opened) {
    if (!opened) return fail(opened.error());
    return std::unique_ptr<DocumentStore>(std::move(opened).value());
}

} // namespace

Result<void> checkDocument(std::string_view kind, std::string_view id, std::string_view body) {
    if (kind.empty()) return fail(Errc::invalid_input, "registry document: the kind is empty");
    if (id.empty())
        return fail(Errc::invalid_input,
                    fmt::format("registry document: a {} without an id", kind));
    // Checked here rather than by the database, so that both backends refuse the same bodies
    // with the same error.
    if (!nlohmann::json::accept(body))
        return fail(Errc::invalid_input,
                    fmt::format("registry document {} \"{}\": the body is not JSON", kind, id));
    return {};
}

Result<std::unique_ptr<DocumentStore>> openDocumentStore(std::string_view url) {
    auto parsed = db::parseDatabaseUrl(url);
    if (!parsed) return fail(parsed.error());
    switch (parsed->backend) {
    case db::Backend::sqlite:
        return widen(SqliteDocumentStore::open(parsed->location));
    case db::Backend::postgres:
        return widen(PgDocumentStore::open(parsed->location));
    }
    return fail(Errc::config, "registry: unknown database backend");
}

} // namespace sb::registry
