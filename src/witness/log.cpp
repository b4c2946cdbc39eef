#include "witness/log.hpp"

#include "core/stop_signals.hpp"
#include "core/thread_name.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>

namespace sb::witness {

WitnessLog::WitnessLog(asio::io_context& owner, std::unique_ptr<Store> store)
    : owner_(owner), store_(std::move(store)) {}

Result<std::unique_ptr<WitnessLog>> WitnessLog::open(asio::io_context& owner,
                                                     std::unique_ptr<Store> store) {
    auto leaves = store->leaves();
    if (!leaves) return fail(leaves.error());
    auto head = store->latestHead();
    if (!head) return fail(head.error());
    MerkleTree tree;
    for (const Hash& leaf : *leaves)
        tree.append(leaf);
    // The entries must still be those the last signed head vouched for: a store cut short or
    // rewritten beneath it would otherwise grow again, and we would sign a second, different
    // root for a size already signed.
    if (*head) {
        const auto& signedHead = **head;
        if (signedHead.size > tree.size())
            return fail(Errc::invalid_input,
                        fmt::format("witness store: {} entries, but a signed tree head vouches "
                                    "for {}: entries were removed; not writing to it",
                                    tree.size(), signedHead.size));
        auto root = tree.root(signedHead.size);
        if (!root || *root != signedHead.root)
            return fail(Errc::invalid_input,
                        fmt::format("witness store: its first {} entries no longer have the root "
                                    "their signed tree head vouches for: entries were changed; "
                                    "not writing to it",
                                    signedHead.size));
    }
    std::unique_ptr<WitnessLog> log(new WitnessLog(owner, std::move(store)));
    log->tree_ = std::move(tree);
    log->writer_ = std::thread([raw = log.get()] {
        nameThisThread("sb-witness");
        blockStopSignals();
        raw->write();
    });
    return log;
}

WitnessLog::~WitnessLog() {
    lifetime_.end();
    {
        std::lock_guard lock(mutex_);
        queue_.take(turn_); // this turn's too: the loop that would hand them over may have stopped
        stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
}

void WitnessLog::append(const Entry& entry, Done done) {
    std::string body = canonicalJson(entry);
    const Hash leaf = leafHash(std::as_bytes(std::span(body)));
    turn_.bodies.push_back(std::move(body));
    turn_.leaves.push_back(leaf);
    turn_.dones.push_back(std::move(done));
    turn_.askedAt.push_back(std::chrono::steady_clock::now());
    handOverAfterThisTurn();
}

void WitnessLog::handOverAfterThisTurn() {
    if (handOverPosted_) return;
    handOverPosted_ = true;
    asio::post(owner_, [this, alive = lifetime_.watch()] {
        if (!alive) return;
        handOverPosted_ = false;
        {
            std::lock_guard lock(mutex_);
            queue_.take(turn_);
        }
        wake_.notify_one();
    });
}

void WitnessLog::Batch::take(Batch& from) {
    const auto move = [](auto& to, auto& source) {
        if (to.empty())
            std::swap(to, source);
        else
            std::move(source.begin(), source.end(), std::back_inserter(to));
        source.clear();
    };
    move(bodies, from.bodies);
    move(leaves, from.leaves);
    move(dones, from.dones);
    move(askedAt, from.askedAt);
    move(tasks, from.tasks);
}

void WitnessLog::write() {
    for (;;) {
        Batch batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] {
                return stopping_ || !queue_.dones.empty() || !queue_.tasks.empty();
            });
            if (queue_.dones.empty() && queue_.tasks.empty()) return; // stopping, nothing taken
            std::swap(batch, queue_);
        }
        // Appends first, so that a read or a head queued after an append sees it stored.
        if (!batch.dones.empty()) commit(batch);
        for (auto& task : batch.tasks)
            task();
    }
}

void WitnessLog::commit(Batch& batch) {
    // Everything that queued while the last group was being written: one transaction.
    const std::uint64_t first = store_->size();
    auto written = store_->append(batch.bodies, batch.leaves);
    Result<std::uint64_t> outcome =
        written ? Result<std::uint64_t>(first) : Result<std::uint64_t>(fail(written.error()));
    // Stored: the owner needs only the leaves and whom to tell.
    asio::post(owner_, [this, alive = lifetime_.watch(), leaves = std::move(batch.leaves),
                        dones = std::move(batch.dones), askedAt = std::move(batch.askedAt),
                        outcome]() mutable {
        if (alive) committed(std::move(leaves), std::move(dones), askedAt, std::move(outcome));
    });
}

void WitnessLog::committed(std::vector<Hash> leaves, std::vector<Done> dones,
                           const std::vector<std::chrono::steady_clock::time_point>& askedAt,
                           Result<std::uint64_t> first) {
    const auto now = std::chrono::steady_clock::now();
    for (const auto at : askedAt)
        stats_.appendSeconds.observe(std::chrono::duration<double>(now - at).count());
    stats_.lastCommitFailed = !first;
    if (!first) {
        ++stats_.failures;
        for (auto& done : dones)
            done(fail(first.error()));
        return;
    }
    ++stats_.commits;
    for (std::size_t i = 0; i < dones.size(); ++i) {
        tree_.append(leaves[i]);
        ++stats_.appended;
        dones[i](*first + i);
    }
}

template <class T>
void WitnessLog::onWriter(std::function<Result<T>(Store&)> work,
                          std::function<void(Result<T>)> done) {
    auto task = [this, work = std::move(work), done = std::move(done)]() mutable {
        Result<T> result = work(*store_);
        asio::post(owner_, [alive = lifetime_.watch(), done = std::move(done),
                            result = std::move(result)]() mutable {
            if (alive) done(std::move(result));
        });
    };
    turn_.tasks.push_back(std::move(task));
    handOverAfterThisTurn();
}

void WitnessLog::read(std::uint64_t from, std::uint64_t to,
                      std::function<void(Result<std::vector<std::string>>)> done) {
    if (from > to) {
        // Still on the owner's loop, not inside the caller's stack.
        asio::post(owner_, [alive = lifetime_.watch(), done = std::move(done), from, to] {
            if (alive)
                done(fail(Errc::invalid_input,
                          fmt::format("witness log: entries from {} to {}: the range is "
                                      "reversed",
                                      from, to)));
        });
        return;
    }
    onWriter<std::vector<std::string>>([from, to](Store& store) { return store.entries(from, to); },
                                       std::move(done));
}

void WitnessLog::saveHead(TreeHead head, std::function<void(Result<void>)> done) {
    onWriter<void>([head = std::move(head)](Store& store) { return store.saveHead(head); },
                   std::move(done));
}

void WitnessLog::latestHead(std::function<void(Result<std::optional<TreeHead>>)> done) {
    onWriter<std::optional<TreeHead>>([](Store& store) { return store.latestHead(); },
                                      std::move(done));
}

void WitnessLog::check(std::function<void(Result<void>)> done) {
    onWriter<void>([](Store& store) { return store.check(); }, std::move(done));
}

} // namespace sb::witness
