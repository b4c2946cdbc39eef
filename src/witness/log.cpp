#include "witness/log.hpp"

#include <asio/post.hpp>

namespace sb::witness {

WitnessLog::WitnessLog(asio::io_context& owner, std::unique_ptr<SqliteStore> store)
    : owner_(owner), store_(std::move(store)) {}

Result<std::unique_ptr<WitnessLog>> WitnessLog::open(asio::io_context& owner,
                                                     std::unique_ptr<SqliteStore> store) {
    auto leaves = store->leaves();
    if (!leaves) return fail(leaves.error());
    std::unique_ptr<WitnessLog> log(new WitnessLog(owner, std::move(store)));
    for (const Hash& leaf : *leaves)
        log->tree_.append(leaf);
    log->writer_ = std::thread([raw = log.get()] { raw->write(); });
    return log;
}

WitnessLog::~WitnessLog() {
    *alive_ = false;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    writer_.join();
}

void WitnessLog::append(const Entry& entry, Done done) {
    std::string body = canonicalJson(entry);
    const Hash leaf = leafHash(std::as_bytes(std::span(body)));
    {
        std::lock_guard lock(mutex_);
        queue_.bodies.push_back(std::move(body));
        queue_.leaves.push_back(leaf);
        queue_.dones.push_back(std::move(done));
    }
    wake_.notify_one();
}

void WitnessLog::write() {
    for (;;) {
        Batch batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.dones.empty(); });
            if (queue_.dones.empty()) return; // stopping, and nothing taken
            std::swap(batch, queue_);
        }
        // Everything that queued while the last group was being written: one transaction.
        const std::uint64_t first = store_->size();
        auto written = store_->append(batch.bodies, batch.leaves);
        Result<std::uint64_t> outcome =
            written ? Result<std::uint64_t>(first) : Result<std::uint64_t>(fail(written.error()));
        batch.bodies.clear(); // stored; the owner needs only the leaves and whom to tell
        asio::post(owner_, [this, alive = alive_, batch = std::move(batch), outcome]() mutable {
            if (*alive) committed(std::move(batch), std::move(outcome));
        });
        std::lock_guard lock(mutex_);
        if (stopping_) return;
    }
}

void WitnessLog::committed(Batch batch, Result<std::uint64_t> first) {
    if (!first) {
        ++stats_.failures;
        for (auto& done : batch.dones)
            done(fail(first.error()));
        return;
    }
    ++stats_.commits;
    for (std::size_t i = 0; i < batch.dones.size(); ++i) {
        tree_.append(batch.leaves[i]);
        ++stats_.appended;
        batch.dones[i](*first + i);
    }
}

} // namespace sb::witness
