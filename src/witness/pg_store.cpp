#include "witness/pg_store.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

namespace sb::witness {
namespace {

// Rows per INSERT: three parameters each, far below the protocol's 65535, and few round trips
// for a large group.
constexpr std::size_t rowsPerInsert = 500;

std::string insertSql(std::size_t rows) {
    std::string sql = "INSERT INTO witness_entries (idx, leaf, body) VALUES ";
    for (std::size_t r = 0; r < rows; ++r)
        sql += fmt::format("{}(${}, ${}, ${})", r ? "," : "", 3 * r + 1, 3 * r + 2, 3 * r + 3);
    return sql;
}

} // namespace

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& conninfo,
                                               const std::string& log) {
    if (log.size() > 48 || !std::all_of(log.begin(), log.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        }))
        return fail(Errc::config, fmt::format("witness store: \"{}\" is not a log's name", log));
    std::vector<std::string> session;
    if (!log.empty()) {
        // A quoted identifier: the name's characters were checked above.
        const std::string schema = fmt::format("\"witness_{}\"", log);
        session.push_back("CREATE SCHEMA IF NOT EXISTS " + schema);
        session.push_back("SET search_path TO " + schema);
    }
    session.insert(
        session.end(),
        {"SET synchronous_commit = on",
         // The lock's key names the table in the session's schema, so that logs in different
         // schemas of one database do not exclude each other.
         "SET lock_timeout = '10s'",
         // One statement split over two literals, not a missing comma.
         "SELECT pg_advisory_lock(hashtextextended(coalesce(current_schema(), '') || " // NOLINT
         "'.witness_entries', 0))",
         "RESET lock_timeout",
         "CREATE TABLE IF NOT EXISTS witness_entries (idx BIGINT PRIMARY KEY, leaf BYTEA NOT "
         "NULL, body TEXT NOT NULL)",
         "CREATE TABLE IF NOT EXISTS witness_heads (tree_size BIGINT PRIMARY KEY, "
         "timestamp_ms BIGINT NOT NULL, root BYTEA NOT NULL, signature BYTEA NOT NULL)"});
    auto db = db::PgConnection::connect(conninfo, "witness store", std::move(session));
    if (!db) {
        // SQLSTATE 55P03 (lock_not_available): the advisory lock above.
        if (db.error().message.find("55P03") != std::string::npos)
            return fail(Errc::io, fmt::format("witness store: another witness log is writing to "
                                              "this database ({})",
                                              db.error().message));
        return fail(db.error());
    }
    std::unique_ptr<PgStore> store(new PgStore(std::move(db).value()));
    auto n = store->count();
    if (!n) return fail(n.error());
    store->size_ = *n;
    return store;
}

Result<std::uint64_t> PgStore::count() const {
    auto rows = db_->exec("counting entries",
                          "SELECT count(*), coalesce(max(idx), -1) FROM witness_entries");
    if (!rows) return fail(rows.error());
    const auto n = rows->int64(0, 0);
    const auto last = rows->int64(0, 1);
    if (last != n - 1)
        return fail(Errc::io, fmt::format("witness store: {} entries but the last is number {}: "
                                          "entries are missing",
                                          n, last));
    return static_cast<std::uint64_t>(n);
}

Result<void> PgStore::check() const {
    if (auto again = reconnect(); !again) return again;
    auto answered = db_->exec("checking the connection", "SELECT 1");
    if (!answered) return fail(answered.error());
    return {};
}

Result<void> PgStore::reconnect() const {
    auto again = db_->reconnectIfLost();
    if (!again) return fail(again.error());
    if (!*again) return {};
    auto n = count();
    if (!n) return fail(n.error());
    if (*n != size_)
        return fail(Errc::io, fmt::format("witness store: {} entries in the database but {} "
                                          "known here (a commit whose outcome was lost with the "
                                          "connection went through): reopen the log",
                                          *n, size_));
    return {};
}

Result<void> PgStore::insert(const std::vector<std::string>& bodies,
                             const std::vector<Hash>& leaves) {
    std::vector<std::string> indices;
    std::vector<db::PgParam> params;
    for (std::size_t from = 0; from < bodies.size(); from += rowsPerInsert) {
        const std::size_t rows = std::min(rowsPerInsert, bodies.size() - from);
        indices.clear();
        indices.reserve(rows); // no reallocation below: the params point into it
        params.clear();
        for (std::size_t i = from; i < from + rows; ++i) {
            indices.push_back(std::to_string(size_ + i));
            params.push_back(db::PgParam::text(indices.back()));
            params.push_back(db::PgParam::bytes(std::as_bytes(std::span(leaves[i]))));
            params.push_back(db::PgParam::text(bodies[i]));
        }
        if (auto ok = db_->exec("appending", insertSql(rows), params); !ok) return fail(ok.error());
    }
    return {};
}

Result<void> PgStore::append(const std::vector<std::string>& bodies,
                             const std::vector<Hash>& leaves) {
    if (bodies.empty()) return {};
    if (auto ok = reconnect(); !ok) return ok;
    if (auto ok = db_->exec("appending", "BEGIN"); !ok) return fail(ok.error());
    if (auto ok = insert(bodies, leaves); !ok) {
        (void)db_->exec("appending", "ROLLBACK");
        return ok;
    }
    if (auto ok = db_->exec("committing", "COMMIT"); !ok) {
        if (db_->connected()) return fail(ok.error()); // the server rolled it back
        // The connection went with the COMMIT in flight: whether it was applied is known only
        // to the server. Ask it, so that the log acknowledges exactly what is stored.
        auto again = db_->reconnectIfLost();
        if (!again) return fail(ok.error()); // still unknown; reconnect() tells on the next call
        auto n = count();
        if (!n) return fail(n.error());
        if (*n != size_ + bodies.size()) return fail(ok.error());
    }
    size_ += bodies.size();
    return {};
}

Result<std::vector<Hash>> PgStore::leaves() const {
    if (auto ok = reconnect(); !ok) return fail(ok.error());
    auto rows = db_->exec("reading leaf hashes", "SELECT leaf FROM witness_entries ORDER BY idx");
    if (!rows) return fail(rows.error());
    std::vector<Hash> out(static_cast<std::size_t>(rows->rows()));
    for (int r = 0; r < rows->rows(); ++r) {
        const auto leaf = rows->bytes(r, 0);
        if (leaf.size() != out[r].size())
            return fail(Errc::io,
                        fmt::format("witness store: entry {} has a damaged leaf hash", r));
        std::memcpy(out[r].data(), leaf.data(), leaf.size());
    }
    return out;
}

Result<std::vector<std::string>> PgStore::entries(std::uint64_t from, std::uint64_t to) const {
    std::vector<std::string> out;
    to = std::min(to, size_);
    if (from >= to) return out;
    if (auto ok = reconnect(); !ok) return fail(ok.error());
    const auto first = std::to_string(from), end = std::to_string(to);
    auto rows = db_->exec("reading entries",
                          "SELECT body FROM witness_entries WHERE idx >= $1 AND idx < $2 "
                          "ORDER BY idx",
                          {db::PgParam::text(first), db::PgParam::text(end)});
    if (!rows) return fail(rows.error());
    out.reserve(static_cast<std::size_t>(rows->rows()));
    for (int r = 0; r < rows->rows(); ++r)
        out.emplace_back(rows->text(r, 0));
    return out;
}

Result<void> PgStore::saveHead(const TreeHead& head) {
    if (head.size > size_)
        return fail(Errc::invalid_input,
                    fmt::format("witness store: a tree head of size {} but only {} entries stored",
                                head.size, size_));
    if (auto ok = reconnect(); !ok) return ok;
    const auto size = std::to_string(head.size), time = std::to_string(head.timestampMs);
    // The newest head of a size replaces an older one of the same root; an older never
    // replaces a newer, and no root signed for a size is ever replaced by another (RFC 9162
    // §2.1.4).
    auto ok = db_->exec("saving a tree head",
                        "INSERT INTO witness_heads (tree_size, timestamp_ms, root, signature) "
                        "VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO UPDATE SET "
                        "timestamp_ms = excluded.timestamp_ms, signature = excluded.signature "
                        "WHERE excluded.timestamp_ms > witness_heads.timestamp_ms "
                        "AND excluded.root = witness_heads.root",
                        {db::PgParam::text(size), db::PgParam::text(time),
                         db::PgParam::bytes(std::as_bytes(std::span(head.root))),
                         db::PgParam::bytes(std::as_bytes(std::span(head.signature)))});
    if (!ok) return fail(ok.error());
    return {};
}

Result<std::optional<TreeHead>> PgStore::latestHead() const {
    if (auto ok = reconnect(); !ok) return fail(ok.error());
    auto rows = db_->exec("reading the latest tree head",
                          "SELECT tree_size, timestamp_ms, root, signature FROM witness_heads "
                          "ORDER BY tree_size DESC LIMIT 1");
    if (!rows) return fail(rows.error());
    if (rows->rows() == 0) return std::optional<TreeHead>();
    TreeHead head;
    head.size = static_cast<std::uint64_t>(rows->int64(0, 0));
    head.timestampMs = rows->int64(0, 1);
    const auto root = rows->bytes(0, 2);
    if (root.size() != head.root.size())
        return fail(Errc::io, fmt::format("witness store: the tree head of size {} has a damaged "
                                          "root hash",
                                          head.size));
    std::memcpy(head.root.data(), root.data(), root.size());
    for (const std::byte b : rows->bytes(0, 3))
        head.signature.push_back(std::to_integer<std::uint8_t>(b));
    return std::optional<TreeHead>(std::move(head));
}

} // namespace sb::witness
