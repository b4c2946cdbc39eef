#pragma once
// An SQLite database and its prepared statements, closed and finalised when they go. Opened in
// WAL mode (readers do not block the writer) with synchronous=FULL: a commit is fsynced before
// it returns, so what a store acknowledges survives a crash of the process or the machine.
//
// Not thread-safe: one thread uses a connection at a time.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace sb::db {

class SqliteStatement {
public:
    SqliteStatement(SqliteStatement&& other) noexcept : stmt_(other.stmt_) {
        other.stmt_ = nullptr;
    }
    SqliteStatement& operator=(SqliteStatement&&) = delete;
    ~SqliteStatement();

    // Parameters are numbered from 1. Text and blobs are not copied: they must outlive step().
    SqliteStatement& bind(int index, std::int64_t value);
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bind(int index, std::span<const std::byte> blob);

    // True while there is a row to read, false when done; Errc::io on an error.
    Result<bool> step();
    // Ready to run again, parameters kept.
    void reset();

    // Columns are numbered from 0; valid until the next step().
    std::int64_t int64(int column) const;
    std::string_view text(int column) const;
    std::span<const std::byte> blob(int column) const;
    bool isNull(int column) const;

private:
    friend class SqliteConnection;
    explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
    sqlite3_stmt* stmt_;
};

class SqliteConnection {
public:
    // Opens or creates the file, in WAL mode with synchronous=FULL. `what` names the database
    // in error messages ("witness store"). Errors (Errc::io): SQLite's message.
    static Result<std::unique_ptr<SqliteConnection>> open(const std::filesystem::path& file,
                                                          std::string_view what);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    // Runs one or more statements without parameters. Errors (Errc::io): SQLite's message.
    Result<void> exec(std::string_view sql);
    Result<SqliteStatement> prepare(std::string_view sql);
    // Rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const;
    // An Errc::io error naming this database, `doing` and SQLite's latest message.
    Error error(std::string_view doing) const;

private:
    SqliteConnection(sqlite3* db, std::string what) : db_(db), what_(std::move(what)) {}
    sqlite3* db_;
    std::string what_;
};

} // namespace sb::db
