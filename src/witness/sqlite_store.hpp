#pragma once
// The witness log on SQLite, the embedded default (ARCHITECTURE.md "Dependencies"): one row
// per entry (its index, leaf hash and canonical JSON), in WAL mode with synchronous=FULL, so
// that an append is on disk when append() returns. Appends come in groups, one transaction
// each: one fsync covers the whole group.
//
// Not thread-safe: the log's writer thread owns it.

#include "core/result.hpp"
#include "witness/merkle.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;

namespace sb::witness {

class SqliteStore {
public:
    // Opens or creates the database. Errors (Errc::io): the file cannot be opened, is not a
    // witness database, or its entries do not run 0, 1, 2, … without a gap.
    static Result<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& file);
    ~SqliteStore();
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    std::uint64_t size() const noexcept { return size_; }
    // Entries size() … size() + n − 1, durable on return; all or none.
    Result<void> append(const std::vector<std::string>& entries, const std::vector<Hash>& leaves);
    // Every leaf hash, in order (to rebuild the tree at start-up).
    Result<std::vector<Hash>> leaves() const;
    // Entries [from, to).
    Result<std::vector<std::string>> entries(std::uint64_t from, std::uint64_t to) const;

private:
    explicit SqliteStore(sqlite3* db) : db_(db) {}
    Result<void> exec(const char* sql) const;

    sqlite3* db_;
    std::uint64_t size_ = 0;
};

} // namespace sb::witness
