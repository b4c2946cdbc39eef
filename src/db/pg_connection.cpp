#include "db/pg_connection.hpp"

#include "core/byte_io.hpp"

#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <libpq-fe.h>

namespace sb::db {
namespace {

// libpq's messages end in a newline (and sometimes carry a DETAIL line): one line, trimmed.
std::string oneLine(const char* message) {
    std::string s = message ? message : "";
    for (char& c : s)
        if (c == '\n') c = ' ';
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.pop_back();
    return s.empty() ? "no message from libpq" : s;
}

} // namespace

PgResult::~PgResult() {
    PQclear(result_);
}

int PgResult::rows() const {
    return PQntuples(result_);
}

std::uint64_t PgResult::affected() const {
    std::uint64_t n = 0;
    const char* text = PQcmdTuples(result_);
    std::from_chars(text, text + std::char_traits<char>::length(text), n);
    return n;
}

bool PgResult::isNull(int row, int column) const {
    return PQgetisnull(result_, row, column) != 0;
}

std::int64_t PgResult::int64(int row, int column) const {
    ByteReader reader(bytes(row, column));
    switch (reader.remaining()) {
    case 2:
        return static_cast<std::int16_t>(*reader.u16());
    case 4:
        return static_cast<std::int32_t>(*reader.u32());
    case 8:
        return static_cast<std::int64_t>(*reader.u64());
    default:
        return 0;
    }
}

std::string_view PgResult::text(int row, int column) const {
    return {PQgetvalue(result_, row, column),
            static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::span<const std::byte> PgResult::bytes(int row, int column) const {
    return {reinterpret_cast<const std::byte*>(PQgetvalue(result_, row, column)),
            static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& conninfo,
                                                            std::string_view what,
                                                            std::vector<std::string> session) {
    // A database that does not answer (a host down, packets dropped) would hold the thread
    // for the system's TCP connect timeout, minutes, at every reconnection: 10 s unless the
    // conninfo says otherwise (its own connect_timeout, read after this one, wins).
    const char* const keys[] = {"connect_timeout", "dbname", nullptr};
    const char* const values[] = {"10", conninfo.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (!conn) return fail(Errc::io, fmt::format("{}: connecting: out of memory", what));
    if (PQstatus(conn) != CONNECTION_OK) {
        Error e{Errc::io, fmt::format("{}: connecting: {}", what, oneLine(PQerrorMessage(conn)))};
        PQfinish(conn);
        return fail(std::move(e));
    }
    std::unique_ptr<PgConnection> connection(
        new PgConnection(conn, std::string(what), std::move(session)));
    if (auto ok = connection->startSession(); !ok) return fail(ok.error());
    return connection;
}

Result<void> PgConnection::startSession() {
    for (const std::string& sql : session_)
        if (auto ok = exec("starting the session", sql); !ok) return fail(ok.error());
    ready_ = true;
    return {};
}

Result<bool> PgConnection::reconnectIfLost() {
    if (ready_ && PQstatus(conn_) == CONNECTION_OK) return false;
    ready_ = false;
    if (PQstatus(conn_) != CONNECTION_OK) PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK)
        return fail(Errc::io,
                    fmt::format("{}: reconnecting: {}", what_, oneLine(PQerrorMessage(conn_))));
    if (auto ok = startSession(); !ok) return fail(ok.error());
    return true;
}

PgConnection::~PgConnection() {
    PQfinish(conn_);
}

bool PgConnection::connected() const {
    return PQstatus(conn_) == CONNECTION_OK;
}

int PgConnection::socket() const {
    return PQsocket(conn_);
}

std::vector<PgConnection::Notification> PgConnection::notifications() {
    std::vector<Notification> out;
    (void)PQconsumeInput(conn_); // a lost connection shows in connected()
    while (PGnotify* n = PQnotifies(conn_)) {
        out.push_back({n->relname, n->extra});
        PQfreemem(n);
    }
    return out;
}

Result<PgResult> PgConnection::exec(std::string_view doing, std::string_view sql,
                                    std::initializer_list<PgParam> params) {
    return exec(doing, sql, std::span<const PgParam>(params.begin(), params.size()));
}

Result<PgResult> PgConnection::exec(std::string_view doing, std::string_view sql,
                                    std::span<const PgParam> params) {
    // Text values are copied to add the NUL libpq reads them up to; bytea values go as they
    // are, with their length. (`copies` never grows past its reservation: the pointers hold.)
    std::vector<std::string> copies;
    copies.reserve(params.size());
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (const PgParam& p : params) {
        if (p.data_ && !p.binary_) {
            // libpq would end the value at the NUL without a word: refuse it instead.
            if (std::string_view(p.data_, p.size_).find('\0') != std::string_view::npos)
                return fail(Errc::invalid_input,
                            fmt::format("{}: {}: a text value contains a NUL byte", what_, doing));
            copies.emplace_back(p.data_, p.size_);
            values.push_back(copies.back().c_str());
        } else {
            values.push_back(p.data_);
        }
        lengths.push_back(static_cast<int>(p.size_));
        formats.push_back(p.binary_ ? 1 : 0);
    }
    const std::string statement(sql);
    PGresult* raw = PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                                 values.data(), lengths.data(), formats.data(),
                                 /*resultFormat=*/1);
    PgResult result(raw);
    const auto status = PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = oneLine(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_));
    if (state) message += fmt::format(" (SQLSTATE {})", state);
    return fail(Errc::io, fmt::format("{}: {}: {}", what_, doing, message));
}

} // namespace sb::db
