#pragma once
// The witness log: entries appended to the store and the Merkle tree, acknowledged only once
// durable. Appends are made on the owner's thread (a worker's io_context); a writer thread of
// the log's own (ARCHITECTURE.md "Threads": blocking work off the workers) takes whatever has
// queued up and commits it in one transaction — group commit: one fsync for every append that
// arrived while the previous one was being written. The owner hands its appends over once per
// turn of its loop, so that the entries one event causes (a request's decision, its escalation
// and its call) reach the writer together. The committed leaves then join the tree
// and the appends are acknowledged, in order, back on the owner's thread.
//
// The store belongs to the writer thread: reads of entries (for the API) and of signed tree
// heads queue up with the appends and run there, after the appends queued before them, with
// their results posted back to the owner's thread like the acknowledgements.

#include "core/histogram.hpp"
#include "core/lifetime.hpp"
#include "witness/entry.hpp"
#include "witness/merkle.hpp"
#include "witness/store.hpp"

#include <asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace sb::witness {

class WitnessLog {
public:
    // Rebuilds the tree from the store and starts the writer. Errors: the store's.
    static Result<std::unique_ptr<WitnessLog>> open(asio::io_context& owner,
                                                    std::unique_ptr<Store> store);
    // Writes everything asked for so far (appends and heads, this turn's included), then stops
    // the writer; the acknowledgements are dropped. What a shutdown hangs up is still recorded.
    ~WitnessLog();
    WitnessLog(const WitnessLog&) = delete;
    WitnessLog& operator=(const WitnessLog&) = delete;

    // The entry's index once it is on disk, or the store's error; on the owner's thread.
    using Done = std::function<void(Result<std::uint64_t> index)>;
    void append(const Entry& entry, Done done);

    // The bodies of entries [from, min(to, size())) as stored, in order, on the owner's thread;
    // Errc::invalid_input when from > to, or the store's error. An append made before read()
    // is included once acknowledged.
    void read(std::uint64_t from, std::uint64_t to,
              std::function<void(Result<std::vector<std::string>>)> done);
    // Stores a signed tree head (e.g. one signed over tree() now): done(ok) on the owner's
    // thread. Errors: the store's (Errc::invalid_input for a head larger than the store).
    void saveHead(TreeHead head, std::function<void(Result<void>)> done);
    // The head of the largest tree saved so far (nullopt before the first).
    void latestHead(std::function<void(Result<std::optional<TreeHead>>)> done);
    // Whether the store answers (Store::check), after what was queued before: on the owner's
    // thread.
    void check(std::function<void(Result<void>)> done);

    // The committed log: what has been acknowledged (or is about to be, in this turn).
    const MerkleTree& tree() const noexcept { return tree_; }
    std::uint64_t size() const noexcept { return tree_.size(); }

    // Buckets of the time from an append to its acknowledgement, in seconds: a group commit
    // is an fsync (SQLite) or a round trip and a commit (PostgreSQL).
    static constexpr double kAppendBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,   0.25,   0.5,   1,    2.5,   5};
    struct Stats {
        std::uint64_t appended = 0, commits = 0, failures = 0;
        Histogram appendSeconds{kAppendBounds}; // acknowledged appends, failed ones too
        bool lastCommitFailed = false;
    };
    const Stats& stats() const noexcept { return stats_; }

private:
    // Appends in arrival order, kept as the store takes them, and the other work on the
    // store (reads, heads) that queued with them; each task posts its own result.
    struct Batch {
        std::vector<std::string> bodies;
        std::vector<Hash> leaves;
        std::vector<Done> dones;
        std::vector<std::chrono::steady_clock::time_point> askedAt; // each append's
        std::vector<std::function<void()>> tasks;
        void take(Batch& from); // appends from's work to this, leaving from empty
    };
    WitnessLog(asio::io_context& owner, std::unique_ptr<Store> store);
    // One hand-over to the writer per turn of the owner's loop, with everything the turn asked
    // for: one lock and one wake-up, and a group that the writer commits together.
    void handOverAfterThisTurn();
    void write();              // the writer thread
    void commit(Batch& batch); // on the writer thread
    void committed(std::vector<Hash> leaves, std::vector<Done> dones,
                   const std::vector<std::chrono::steady_clock::time_point>& askedAt,
                   Result<std::uint64_t> first);
    // Runs work(store) on the writer thread and done(its result) on the owner's.
    template <class T>
    void onWriter(std::function<Result<T>(Store&)> work, std::function<void(Result<T>)> done);

    asio::io_context& owner_;
    std::unique_ptr<Store> store_; // the writer's
    MerkleTree tree_;              // the owner's
    Stats stats_;                  // the owner's
    Batch turn_;                   // the owner's: what this turn asked of the writer
    bool handOverPosted_ = false;  // the owner's
    std::mutex mutex_;             // guards queue_ and stopping_
    std::condition_variable wake_;
    Batch queue_;
    bool stopping_ = false;
    std::thread writer_;
    // Commits posted back after the log is gone are dropped (watched on the owner's thread).
    Lifetime lifetime_;
};

} // namespace sb::witness
