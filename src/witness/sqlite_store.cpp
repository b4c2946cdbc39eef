#include "witness/sqlite_store.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace sb::witness {

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& file) {
    auto db = db::SqliteConnection::open(file, "witness store");
    if (!db) return fail(db.error());
    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(db).value()));
    if (auto ok = store->db_->exec(
            "CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, "
            "body TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS heads (tree_size INTEGER PRIMARY KEY, "
            "timestamp_ms INTEGER NOT NULL, root BLOB NOT NULL, signature BLOB NOT NULL)");
        !ok)
        return fail(ok.error());
    auto count = store->db_->prepare("SELECT count(*), coalesce(max(idx), -1) FROM entries");
    if (!count) return fail(count.error());
    if (auto row = count->step(); !row || !*row) return fail(store->db_->error("counting entries"));
    const auto rows = count->int64(0);
    const auto last = count->int64(1);
    if (last != rows - 1)
        return fail(Errc::io, fmt::format("witness store {}: {} entries but the last is number "
                                          "{}: entries are missing",
                                          file.string(), rows, last));
    store->size_ = static_cast<std::uint64_t>(rows);
    return store;
}

Result<db::SqliteStatement*> SqliteStore::kept(std::optional<db::SqliteStatement>& statement,
                                               const char* sql) {
    if (!statement) {
        auto prepared = db_->prepare(sql);
        if (!prepared) return fail(prepared.error());
        statement.emplace(std::move(prepared).value());
    }
    return &*statement;
}

Result<void> SqliteStore::append(const std::vector<std::string>& bodies,
                                 const std::vector<Hash>& leaves) {
    const auto run = [this](db::SqliteStatement& statement, const char* what) -> Result<void> {
        // The connection's error is read before reset(), which begins the statement anew.
        Result<void> outcome = statement.step() ? Result<void>() : fail(db_->error(what));
        statement.reset();
        return outcome;
    };
    auto begin = kept(begin_, "BEGIN IMMEDIATE");
    auto insert = kept(insert_, "INSERT INTO entries (idx, leaf, body) VALUES (?, ?, ?)");
    auto commit = kept(commit_, "COMMIT");
    if (!begin || !insert || !commit)
        return fail(!begin ? begin.error() : !insert ? insert.error() : commit.error());
    if (auto ok = run(**begin, "beginning an append"); !ok) return ok;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        (*insert)
            ->bind(1, static_cast<std::int64_t>(size_ + i))
            .bind(2, std::as_bytes(std::span(leaves[i])))
            .bind(3, bodies[i]);
        if (auto ok = run(**insert, "appending"); !ok) {
            (void)db_->exec("ROLLBACK");
            return ok;
        }
    }
    if (auto ok = run(**commit, "committing an append"); !ok) {
        (void)db_->exec("ROLLBACK");
        return ok;
    }
    size_ += bodies.size();
    return {};
}

Result<std::vector<Hash>> SqliteStore::leaves() const {
    auto select = db_->prepare("SELECT leaf FROM entries ORDER BY idx");
    if (!select) return fail(select.error());
    std::vector<Hash> out;
    out.reserve(size_);
    for (;;) {
        auto row = select->step();
        if (!row) return fail(db_->error("reading leaf hashes"));
        if (!*row) return out;
        Hash h{};
        const auto blob = select->blob(0);
        if (blob.size() != h.size())
            return fail(Errc::io,
                        fmt::format("witness store: entry {} has a damaged leaf hash", out.size()));
        std::memcpy(h.data(), blob.data(), h.size());
        out.push_back(h);
    }
}

Result<std::vector<std::string>> SqliteStore::entries(std::uint64_t from, std::uint64_t to) const {
    std::vector<std::string> out;
    to = std::min(to, size_);
    if (from >= to) return out;
    auto select = db_->prepare("SELECT body FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx");
    if (!select) return fail(select.error());
    select->bind(1, static_cast<std::int64_t>(from)).bind(2, static_cast<std::int64_t>(to));
    out.reserve(to - from);
    for (;;) {
        auto row = select->step();
        if (!row) return fail(db_->error("reading entries"));
        if (!*row) return out;
        out.emplace_back(select->text(0));
    }
}

Result<void> SqliteStore::saveHead(const TreeHead& head) {
    if (head.size > size_)
        return fail(Errc::invalid_input,
                    fmt::format("witness store: a tree head of size {} but only {} entries stored",
                                head.size, size_));
    // The newest head of a size replaces an older one of the same root; an older never
    // replaces a newer, and no root signed for a size is ever replaced by another (two roots
    // for one size would be the fork RFC 9162 §2.1.4 exists to show).
    auto upsert = db_->prepare(
        "INSERT INTO heads (tree_size, timestamp_ms, root, signature) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (tree_size) DO UPDATE SET timestamp_ms = excluded.timestamp_ms, "
        "signature = excluded.signature "
        "WHERE excluded.timestamp_ms > heads.timestamp_ms AND excluded.root = heads.root");
    if (!upsert) return fail(upsert.error());
    upsert->bind(1, static_cast<std::int64_t>(head.size))
        .bind(2, head.timestampMs)
        .bind(3, std::as_bytes(std::span(head.root)))
        .bind(4, std::as_bytes(std::span(head.signature)));
    if (!upsert->step()) return fail(db_->error("saving a tree head"));
    return {};
}

Result<std::optional<TreeHead>> SqliteStore::latestHead() const {
    auto select = db_->prepare("SELECT tree_size, timestamp_ms, root, signature FROM heads "
                               "ORDER BY tree_size DESC LIMIT 1");
    if (!select) return fail(select.error());
    auto row = select->step();
    if (!row) return fail(db_->error("reading the latest tree head"));
    if (!*row) return std::optional<TreeHead>();
    TreeHead head;
    head.size = static_cast<std::uint64_t>(select->int64(0));
    head.timestampMs = select->int64(1);
    const auto root = select->blob(2);
    if (root.size() != head.root.size())
        return fail(Errc::io, fmt::format("witness store: the tree head of size {} has a damaged "
                                          "root hash",
                                          head.size));
    std::memcpy(head.root.data(), root.data(), root.size());
    const auto signature = select->blob(3);
    for (const std::byte b : signature)
        head.signature.push_back(std::to_integer<std::uint8_t>(b));
    return std::optional<TreeHead>(std::move(head));
}

} // namespace sb::witness
