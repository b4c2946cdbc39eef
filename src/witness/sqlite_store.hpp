#pragma once
// The witness log on SQLite, the embedded default (ARCHITECTURE.md "Dependencies"): one row
// per entry (its index, leaf hash and canonical JSON) and one per signed tree head, in WAL mode
// with synchronous=FULL, so that an append is on disk when append() returns. Appends come in
// groups, one transaction each: one fsync covers the whole group.
//
// Not thread-safe: the log's writer thread owns it.

#include "db/sqlite_connection.hpp"
#include "witness/store.hpp"

#include <filesystem>
#include <memory>
#include <optional>

namespace sb::witness {

class SqliteStore final : public Store {
public:
    // Opens or creates the database. Errors (Errc::io): the file cannot be opened, is not a
    // witness database, or its entries do not run 0, 1, 2, … without a gap.
    static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& file);

    std::uint64_t size() const noexcept override { return size_; }
    Result<void> append(const std::vector<std::string>& bodies,
                        const std::vector<Hash>& leaves) override;
    Result<std::vector<Hash>> leaves() const override;
    Result<std::vector<std::string>> entries(std::uint64_t from, std::uint64_t to) const override;
    Result<void> saveHead(const TreeHead& head) override;
    Result<std::optional<TreeHead>> latestHead() const override;

private:
    explicit SqliteStore(std::unique_ptr<db::SqliteConnection> db) : db_(std::move(db)) {}

    // One of the append's statements, prepared on first use and kept: an append is a few
    // rows, and parsing its SQL each time cost as much as running it.
    Result<db::SqliteStatement*> kept(std::optional<db::SqliteStatement>& statement,
                                      const char* sql);

    std::unique_ptr<db::SqliteConnection> db_; // a pointer: reads are const, SQLite's are not
    std::optional<db::SqliteStatement> begin_, insert_, commit_; // finalized before db_ closes
    std::uint64_t size_ = 0;
};

} // namespace sb::witness
