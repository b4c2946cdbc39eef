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
    Pending p{canonicalJson(entry), {}, std::move(done)};
    p.leaf = leafHash(std::as_bytes(std::span(p.body)));
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(p));
    }
    wake_.notify_one();
}

void WitnessLog::write() {
    std::vector<std::string> bodies;
    std::vector<Hash> leaves;
    for (;;) {
        std::vector<Pending> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return; // stopping, and nothing taken
            batch.swap(queue_);
        }
        // Everything that queued while the last group was being written: one transaction.
        bodies.clear();
        leaves.clear();
        for (const auto& p : batch) {
            bodies.push_back(p.body);
            leaves.push_back(p.leaf);
        }
        const std::uint64_t first = store_->size();
        auto written = store_->append(bodies, leaves);
        Result<std::uint64_t> outcome =
            written ? Result<std::uint64_t>(first) : Result<std::uint64_t>(fail(written.error()));
        asio::post(owner_, [this, alive = alive_, batch = std::move(batch), outcome]() mutable {
            if (*alive) committed(std::move(batch), std::move(outcome));
        });
        std::lock_guard lock(mutex_);
        if (stopping_) return;
    }
}

void WitnessLog::committed(std::vector<Pending> batch, Result<std::uint64_t> first) {
    if (!first) {
        ++stats_.failures;
        for (auto& p : batch)
            p.done(fail(first.error()));
        return;
    }
    ++stats_.commits;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        tree_.append(batch[i].leaf);
        ++stats_.appended;
        batch[i].done(*first + i);
    }
}

} // namespace sb::witness
