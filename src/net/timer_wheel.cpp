#include "net/timer_wheel.hpp"

#include <algorithm>
#include <bit>
#include <utility>

namespace sb::net {

TimerWheel::TimerWheel(Now now, std::chrono::milliseconds tick, std::size_t slots)
    : now_(std::move(now)), start_(now_()),
      tick_(tick.count() > 0 ? tick : std::chrono::milliseconds(1)),
      heads_(std::bit_ceil(slots < 2 ? std::size_t{2} : slots), kNone) {}

TimerWheel::TimerId TimerWheel::schedule(std::chrono::milliseconds delay, Callback callback) {
    // An empty wheel is not advanced: catch up, or the delay would count from the last advance.
    if (pending_ == 0) currentTick_ = std::max(currentTick_, ticksSinceStart());
    std::uint32_t index;
    if (!free_.empty()) {
        index = free_.back();
        free_.pop_back();
    } else {
        index = static_cast<std::uint32_t>(entries_.size());
        entries_.emplace_back();
    }
    Entry& e = entries_[index];
    // Round up: a timer never fires before its delay has passed. The current tick is being
    // (or was last) processed, so the earliest a new timer can fire is the next one.
    const auto ticks =
        (std::max<std::int64_t>(delay.count(), 0) + tick_.count() - 1) / tick_.count();
    e.dueTick = currentTick_ + static_cast<std::uint64_t>(std::max<std::int64_t>(ticks, 1));
    e.callback = std::move(callback);
    ++e.generation; // free entries are even, scheduled ones odd
    link(index);
    if (pending_++ == 0 && wake_) wake_();
    return {index, e.generation};
}

bool TimerWheel::cancel(TimerId id) noexcept {
    if (id.generation == 0 || id.index >= entries_.size()) return false;
    Entry& e = entries_[id.index];
    if (e.generation != id.generation) return false;
    unlink(id.index);
    release(id.index);
    return true;
}

std::uint64_t TimerWheel::ticksSinceStart() const {
    const auto now = now_();
    return now < start_ ? 0 : static_cast<std::uint64_t>((now - start_) / tick_);
}

void TimerWheel::advance() {
    const auto target = ticksSinceStart();
    const std::size_t mask = heads_.size() - 1;
    while (currentTick_ < target && pending_ > 0) {
        ++currentTick_;
        // Collect this tick's due timers first: callbacks may change the slot's list.
        due_.clear();
        for (auto i = heads_[currentTick_ & mask]; i != kNone; i = entries_[i].next)
            if (entries_[i].dueTick <= currentTick_) due_.push_back({i, entries_[i].generation});
        // Slots are pushed at the head: reverse so that timers due in the same tick fire in
        // the order they were scheduled.
        std::reverse(due_.begin(), due_.end());
        for (const auto& id : due_)
            unlink(id.index);
        for (const auto& id : due_) {
            Entry& e = entries_[id.index];
            // Cancelled by an earlier callback (and perhaps reused for a new timer since).
            if (e.generation != id.generation) continue;
            Callback callback = std::move(e.callback);
            release(id.index);
            callback();
        }
    }
    if (currentTick_ < target) currentTick_ = target; // nothing pending: jump ahead
}

void TimerWheel::link(std::uint32_t index) {
    Entry& e = entries_[index];
    e.slot = static_cast<std::uint32_t>(e.dueTick & (heads_.size() - 1));
    e.prev = kNone;
    e.next = heads_[e.slot];
    if (e.next != kNone) entries_[e.next].prev = index;
    heads_[e.slot] = index;
}

void TimerWheel::unlink(std::uint32_t index) noexcept {
    Entry& e = entries_[index];
    if (e.prev != kNone)
        entries_[e.prev].next = e.next;
    else if (heads_[e.slot] == index)
        heads_[e.slot] = e.next;
    if (e.next != kNone) entries_[e.next].prev = e.prev;
    e.prev = e.next = kNone;
}

void TimerWheel::release(std::uint32_t index) noexcept {
    Entry& e = entries_[index];
    e.callback = nullptr;
    ++e.generation; // even: free
    free_.push_back(index);
    --pending_;
}

} // namespace sb::net
