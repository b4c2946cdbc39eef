#include "witness/store_factory.hpp"

#include "db/database_url.hpp"
#include "witness/pg_store.hpp"
#include "witness/sqlite_store.hpp"

namespace sb::witness {
namespace {

template <class T>
Result<std::unique_ptr<Store>> widen(Result<std::unique_ptr<T>> opened) {
    if (!opened) return fail(opened.error());
    return std::unique_ptr<Store>(std::move(opened).value());
}

} // namespace

Result<std::unique_ptr<Store>> openStore(std::string_view url, const std::string& log) {
    auto parsed = db::parseDatabaseUrl(url);
    if (!parsed) return fail(parsed.error());
    switch (parsed->backend) {
    case db::Backend::sqlite:
        return widen(SqliteStore::open(parsed->location));
    case db::Backend::postgres:
        return widen(PgStore::open(parsed->location, log));
    }
    return fail(Errc::config, "witness store: unknown database backend");
}

} // namespace sb::witness
