#include "witness/sqlite_store.hpp"

#include <cstring>
#include <fmt/format.h>
#include <sqlite3.h>

namespace sb::witness {
namespace {

// A prepared statement, finalised when it goes.
struct Statement {
    Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s, nullptr); }
    ~Statement() { sqlite3_finalize(s); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* s = nullptr;
};

Error ioError(sqlite3* db, std::string_view what) {
    return {Errc::io, fmt::format("witness store: {}: {}", what, sqlite3_errmsg(db))};
}

} // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        Error e = ioError(db, fmt::format("opening {}", file.string()));
        sqlite3_close(db);
        return fail(std::move(e));
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(db));
    // WAL: readers do not block the writer; FULL: each commit is fsynced before it returns.
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                            "CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, "
                            "leaf BLOB NOT NULL, body TEXT NOT NULL)"}) {
        if (auto ok = store->exec(sql); !ok) return fail(ok.error());
    }
    Statement count(db, "SELECT count(*), coalesce(max(idx), -1) FROM entries");
    if (sqlite3_step(count.s) != SQLITE_ROW) return fail(ioError(db, "counting entries"));
    const auto rows = sqlite3_column_int64(count.s, 0);
    const auto last = sqlite3_column_int64(count.s, 1);
    if (last != rows - 1)
        return fail(Errc::io, fmt::format("witness store {}: {} entries but the last is number "
                                          "{}: entries are missing",
                                          file.string(), rows, last));
    store->size_ = static_cast<std::uint64_t>(rows);
    return store;
}

SqliteStore::~SqliteStore() {
    sqlite3_close(db_);
}

Result<void> SqliteStore::exec(const char* sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error e{Errc::io, fmt::format("witness store: {}: {}", sql, message ? message : "")};
        sqlite3_free(message);
        return fail(std::move(e));
    }
    return {};
}

Result<void> SqliteStore::append(const std::vector<std::string>& entries,
                                 const std::vector<Hash>& leaves) {
    if (auto ok = exec("BEGIN IMMEDIATE"); !ok) return ok;
    Statement insert(db_, "INSERT INTO entries (idx, leaf, body) VALUES (?, ?, ?)");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        sqlite3_bind_int64(insert.s, 1, static_cast<sqlite3_int64>(size_ + i));
        sqlite3_bind_blob(insert.s, 2, leaves[i].data(), leaves[i].size(), SQLITE_STATIC);
        sqlite3_bind_text(insert.s, 3, entries[i].data(), static_cast<int>(entries[i].size()),
                          SQLITE_STATIC);
        if (sqlite3_step(insert.s) != SQLITE_DONE) {
            Error e = ioError(db_, "appending");
            (void)exec("ROLLBACK");
            return fail(std::move(e));
        }
        sqlite3_reset(insert.s);
    }
    if (auto ok = exec("COMMIT"); !ok) {
        (void)exec("ROLLBACK");
        return ok;
    }
    size_ += entries.size();
    return {};
}

Result<std::vector<Hash>> SqliteStore::leaves() const {
    Statement select(db_, "SELECT leaf FROM entries ORDER BY idx");
    std::vector<Hash> out;
    out.reserve(size_);
    int rc;
    while ((rc = sqlite3_step(select.s)) == SQLITE_ROW) {
        Hash h{};
        if (sqlite3_column_bytes(select.s, 0) != static_cast<int>(h.size()))
            return fail(Errc::io,
                        fmt::format("witness store: entry {} has a damaged leaf hash", out.size()));
        std::memcpy(h.data(), sqlite3_column_blob(select.s, 0), h.size());
        out.push_back(h);
    }
    if (rc != SQLITE_DONE) return fail(ioError(db_, "reading leaf hashes"));
    return out;
}

Result<std::vector<std::string>> SqliteStore::entries(std::uint64_t from, std::uint64_t to) const {
    Statement select(db_, "SELECT body FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx");
    sqlite3_bind_int64(select.s, 1, static_cast<sqlite3_int64>(from));
    sqlite3_bind_int64(select.s, 2, static_cast<sqlite3_int64>(to));
    std::vector<std::string> out;
    int rc;
    while ((rc = sqlite3_step(select.s)) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(select.s, 0)),
                         static_cast<std::size_t>(sqlite3_column_bytes(select.s, 0)));
    if (rc != SQLITE_DONE) return fail(ioError(db_, "reading entries"));
    return out;
}

} // namespace sb::witness
