#include "db/sqlite_connection.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

namespace sb::db {

SqliteStatement::~SqliteStatement() {
    sqlite3_finalize(stmt_);
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, static_cast<sqlite3_int64>(value));
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
    sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::span<const std::byte> blob) {
    // A zero-length blob with a null pointer would bind NULL; "" keeps it an empty blob.
    const void* data = blob.empty() ? static_cast<const void*>("") : blob.data();
    sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_STATIC);
    return *this;
}

Result<bool> SqliteStatement::step() {
    switch (sqlite3_step(stmt_)) {
    case SQLITE_ROW:
        return true;
    case SQLITE_DONE:
        return false;
    default:
        return fail(Errc::io, sqlite3_errmsg(sqlite3_db_handle(stmt_)));
    }
}

void SqliteStatement::reset() {
    sqlite3_reset(stmt_);
}

std::int64_t SqliteStatement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string_view SqliteStatement::text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
    return data ? std::string_view(data, size) : std::string_view();
}

std::span<const std::byte> SqliteStatement::blob(int column) const {
    const auto* data = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
    return data ? std::span(data, size) : std::span<const std::byte>();
}

bool SqliteStatement::isNull(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(const std::filesystem::path& file,
                                                                 std::string_view what) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        Error e{Errc::io, fmt::format("{}: opening {}: {}", what, file.string(),
                                      db ? sqlite3_errmsg(db) : "out of memory")};
        sqlite3_close(db);
        return fail(std::move(e));
    }
    std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db, std::string(what)));
    // Another connection to the same file (the registry and the witness log may share one)
    // holds the write lock for the length of a commit: wait for it rather than fail at once.
    sqlite3_busy_timeout(db, 10000);
    if (auto ok = connection->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL"); !ok)
        return fail(ok.error());
    return connection;
}

SqliteConnection::~SqliteConnection() {
    sqlite3_close(db_);
}

Result<void> SqliteConnection::exec(std::string_view sql) {
    const std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        Error e{Errc::io, fmt::format("{}: {}: {}", what_, sql, message ? message : "")};
        sqlite3_free(message);
        return fail(std::move(e));
    }
    return {};
}

Result<SqliteStatement> SqliteConnection::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK)
        return fail(error(fmt::format("preparing \"{}\"", sql)));
    return SqliteStatement(stmt);
}

std::int64_t SqliteConnection::changes() const {
    return sqlite3_changes64(db_);
}

Error SqliteConnection::error(std::string_view doing) const {
    return {Errc::io, fmt::format("{}: {}: {}", what_, doing, sqlite3_errmsg(db_))};
}

} // namespace sb::db
