#pragma once
// The witness log on PostgreSQL: tables witness_entries (idx, leaf, body) and witness_heads,
// one transaction per group of appends. The session runs with synchronous_commit=on whatever
// the server's default, so a commit — and the acknowledgement that follows it — waits until
// the server has flushed it to its WAL.
//
// One log writes to a database (or schema): the store holds a session advisory lock for as long
// as it is open and refuses to open while another holds it. Instances that share a database
// each name a log of their own, kept in a schema of its own (witness_NAME, made if missing):
// one writer each, and each log's signed heads vouch for it alone (docs/operations.md).
//
// Not thread-safe: the log's writer thread owns it.

#include "db/pg_connection.hpp"
#include "witness/store.hpp"

#include <memory>
#include <string>

namespace sb::witness {

class PgStore final : public Store {
public:
    // Connects (libpq conninfo or postgresql:// URI) and creates the tables if missing. Errors
    // (Errc::io): the server cannot be reached, another witness log holds the database (after
    // waiting 10 s for it), or the entries do not run 0, 1, 2, … without a gap.
    // `log`: the log's name (letters, digits, '_', '-'), or empty for the session's own schema.
    static Result<std::unique_ptr<PgStore>> open(const std::string& conninfo,
                                                 const std::string& log = {});

    std::uint64_t size() const noexcept override { return size_; }
    Result<void> append(const std::vector<std::string>& bodies,
                        const std::vector<Hash>& leaves) override;
    Result<std::vector<Hash>> leaves() const override;
    Result<std::vector<std::string>> entries(std::uint64_t from, std::uint64_t to) const override;
    Result<void> saveHead(const TreeHead& head) override;
    Result<std::optional<TreeHead>> latestHead() const override;
    Result<void> check() const override;

private:
    explicit PgStore(std::unique_ptr<db::PgConnection> db) : db_(std::move(db)) {}
    // Entries stored, and whether they run 0 … n − 1.
    Result<std::uint64_t> count() const;
    // After a lost connection: back in a session that still agrees with size_.
    Result<void> reconnect() const;
    Result<void> insert(const std::vector<std::string>& bodies, const std::vector<Hash>& leaves);

    std::unique_ptr<db::PgConnection> db_; // a pointer: reads are const, libpq's are not
    std::uint64_t size_ = 0;
};

} // namespace sb::witness
