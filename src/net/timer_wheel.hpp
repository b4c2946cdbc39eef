#pragma once
// A hashed timing wheel (Varghese & Lauck; Kamailio's timer design), owned by one worker.
// SIP keeps several timers per transaction (RFC 3261 §17: A–K); a wheel makes scheduling and
// cancelling O(1) with no allocation per timer once the pool has grown, where one heap-backed
// asio timer per transaction would not scale.
//
// Not thread-safe: one wheel per worker, driven by that worker (ARCHITECTURE.md "Threads").
// Time is passed in by the caller, so tests drive it without sleeping.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sb::net {

class TimerWheel {
public:
    using Clock = std::chrono::steady_clock;
    using Callback = std::function<void()>;

    // Identifies one scheduled timer; stays safe to cancel after it fired or was cancelled.
    struct TimerId {
        std::uint32_t index = 0;
        std::uint32_t generation = 0; // 0 never names a live timer
    };

    // `tick` is the resolution: a timer fires on the first tick at or after its deadline, so
    // up to one tick late, never early. `slots` is the wheel's size (rounded up to a power of 2);
    // delays longer than slots × tick take extra laps.
    TimerWheel(Clock::time_point start, std::chrono::milliseconds tick, std::size_t slots = 512);

    TimerId schedule(std::chrono::milliseconds delay, Callback callback);
    // False if the timer already fired or was cancelled.
    bool cancel(TimerId id) noexcept;
    // Fires every timer due by `now`: tick by tick, and within a tick in the order they were
    // scheduled. Callbacks may schedule and cancel timers, including ones due in the same
    // advance, but must not call advance() themselves.
    void advance(Clock::time_point now);

    std::size_t pending() const noexcept { return pending_; }
    std::chrono::milliseconds tick() const noexcept { return tick_; }

private:
    static constexpr std::uint32_t kNone = UINT32_MAX;
    struct Entry {
        Callback callback;
        std::uint64_t dueTick = 0;
        std::uint32_t generation = 0; // odd while scheduled
        std::uint32_t prev = kNone, next = kNone;
        std::uint32_t slot = 0;
    };

    void link(std::uint32_t index);
    void unlink(std::uint32_t index) noexcept;
    void release(std::uint32_t index) noexcept;

    Clock::time_point start_;
    std::chrono::milliseconds tick_;
    std::uint64_t currentTick_ = 0; // every tick before this one has been processed
    std::vector<std::uint32_t> heads_;
    std::vector<Entry> entries_;
    std::vector<std::uint32_t> free_;
    std::vector<TimerId> due_; // scratch for advance()
    std::size_t pending_ = 0;
};

} // namespace sb::net
