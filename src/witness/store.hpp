#pragma once
// Where the witness log keeps its entries and signed tree heads: an SQLite file (SqliteStore,
// the embedded default) or a PostgreSQL database (PgStore), chosen by URL (openStore).
//
// A store is used by one thread at a time (the log's writer thread), and one log writes to a
// store: the entries' indices are assigned here, from size().

#include "core/result.hpp"
#include "witness/merkle.hpp"
#include "witness/signer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::witness {

class Store {
public:
    virtual ~Store() = default;

    // How many entries are stored; they are numbered 0 … size() − 1, without a gap.
    virtual std::uint64_t size() const noexcept = 0;
    // Entries size() … size() + n − 1 (canonical JSON bodies and their leaf hashes, side by
    // side): durable on return — in one transaction, all or none. Errors (Errc::io): the
    // database's message; the store's size is then unchanged.
    virtual Result<void> append(const std::vector<std::string>& bodies,
                                const std::vector<Hash>& leaves) = 0;
    // Every leaf hash, in order (to rebuild the tree at start-up).
    virtual Result<std::vector<Hash>> leaves() const = 0;
    // The bodies of entries [from, min(to, size())); empty when from ≥ that.
    virtual Result<std::vector<std::string>> entries(std::uint64_t from,
                                                     std::uint64_t to) const = 0;

    // Keeps a signed tree head (the latest of each tree size). Errors: Errc::invalid_input for
    // a head larger than the store (it would vouch for entries that are not there), Errc::io.
    virtual Result<void> saveHead(const TreeHead& head) = 0;
    // The head of the largest tree saved, or nullopt before the first.
    virtual Result<std::optional<TreeHead>> latestHead() const = 0;
    // Whether the database answers now: a server's connection (reconnected if it was lost)
    // makes a round trip; a file that opened answers.
    virtual Result<void> check() const { return {}; }

    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

protected:
    Store() = default;
};

} // namespace sb::witness
