#pragma once
// A PostgreSQL connection (libpq) and the results of its statements, released when they go.
// Statements carry their values as parameters (PQexecParams), never spliced into the SQL, and
// results come back in binary form: integers as big-endian bytes, bytea and text as they are
// (no hex or escape decoding).
//
// Not thread-safe: one thread uses a connection at a time.

#include "core/result.hpp"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using PGconn = struct pg_conn;
using PGresult = struct pg_result;

namespace sb::db {

// One statement parameter: text (the server converts it to the column's type: integers,
// text, …) or raw bytes for a bytea. The parameter refers to the caller's bytes, which must
// outlive exec().
class PgParam {
public:
    static PgParam text(std::string_view value) { return {value.data(), value.size(), false}; }
    static PgParam bytes(std::span<const std::byte> value) {
        return {reinterpret_cast<const char*>(value.data()), value.size(), true};
    }
    static PgParam null() { return {nullptr, 0, false}; }

private:
    friend class PgConnection;
    PgParam(const char* data, std::size_t size, bool binary)
        : data_(data), size_(size), binary_(binary) {}
    const char* data_;
    std::size_t size_;
    bool binary_;
};

class PgResult {
public:
    explicit PgResult(PGresult* result) noexcept : result_(result) {}
    PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
    PgResult& operator=(PgResult&&) = delete;
    ~PgResult();

    int rows() const;
    // Rows changed by an INSERT, UPDATE or DELETE.
    std::uint64_t affected() const;
    bool isNull(int row, int column) const;
    // Columns are numbered from 0. An integer column (int2, int4, int8); a value of another
    // width reads as 0.
    std::int64_t int64(int row, int column) const;
    std::string_view text(int row, int column) const;
    std::span<const std::byte> bytes(int row, int column) const;

private:
    PGresult* result_;
};

class PgConnection {
public:
    // Connects with a libpq conninfo string or postgresql:// URI and runs `session` (SET …,
    // locks: what the session needs; again after every reconnection). `what` names the
    // database in error messages ("witness store"). Errors (Errc::io): the server's or libpq's
    // message.
    static Result<std::unique_ptr<PgConnection>> connect(const std::string& conninfo,
                                                         std::string_view what,
                                                         std::vector<std::string> session = {});
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // One statement with parameters $1, $2, …. Errors (Errc::io): the server's message with
    // its SQLSTATE, e.g. "witness store: appending: ERROR: duplicate key … (23505)".
    Result<PgResult> exec(std::string_view doing, std::string_view sql,
                          std::initializer_list<PgParam> params = {});
    Result<PgResult> exec(std::string_view doing, std::string_view sql,
                          std::span<const PgParam> params);
    // Whether the connection to the server is still up.
    bool connected() const;

    // LISTEN/NOTIFY (PostgreSQL's "NOTIFY"): the connection's socket, to wait on for
    // notifications while idle (it changes when the connection is made again), and the
    // notifications received so far (reading what the socket holds first), oldest first.
    int socket() const;
    struct Notification {
        std::string channel, payload;
    };
    std::vector<Notification> notifications();
    // Reconnects (and runs the session statements again) if the connection was lost; true when
    // it did. Never called behind the caller's back: a statement in a lost transaction must
    // not run in a new session on its own, so callers reconnect where they begin a unit of
    // work. Errors (Errc::io): the server is still unreachable.
    Result<bool> reconnectIfLost();

private:
    PgConnection(PGconn* conn, std::string what, std::vector<std::string> session)
        : conn_(conn), what_(std::move(what)), session_(std::move(session)) {}
    Result<void> startSession();

    PGconn* conn_;
    std::string what_;
    std::vector<std::string> session_;
    bool ready_ = false; // the session statements ran on this connection
};

} // namespace sb::db
