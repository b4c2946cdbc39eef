#pragma once
// A hashed timing wheel (Varghese & Lauck; Kamailio's timer design), owned by one worker.
// SIP keeps several timers per transaction (RFC 3261 §17: A–K); a wheel makes scheduling and
// cancelling O(1) with no allocation per timer once the pool has grown, where one heap-backed
// asio timer per transaction would not scale.
//
// Not thread-safe: one wheel per worker, driven by that worker (ARCHITECTURE.md "Threads").
// Time comes from a clock the owner passes in, so tests drive it without sleeping.

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
    using Now = std::function<Clock::time_point()>;

    // Identifies one scheduled timer; stays safe to cancel after it fired or was cancelled.
    struct TimerId {
        std::uint32_t index = 0;
        std::uint32_t generation = 0; // 0 never names a live timer
    };

    // `tick` is the resolution: a timer fires on the first tick at or after its deadline, so
    // up to one tick late, never early. `slots` is the wheel's size (rounded up to a power of 2);
    // delays longer than slots × tick take extra laps.
    explicit TimerWheel(Now now, std::chrono::milliseconds tick, std::size_t slots = 512);

    // Counts `delay` from now. On an empty wheel that has not been advanced for a while, the
    // wheel first catches up with the clock (nothing can be due in the gap), and then calls the
    // wake-up callback so that its driver can start advancing it again.
    TimerId schedule(std::chrono::milliseconds delay, Callback callback);
    // False if the timer already fired or was cancelled.
    bool cancel(TimerId id) noexcept;
    // Fires every timer due by now: tick by tick, and within a tick in the order they were
    // scheduled. Callbacks may schedule and cancel timers, including ones due in the same
    // advance, but must not call advance() themselves.
    void advance();
    // The driver (a worker's tick timer) sleeps while the wheel is empty; this wakes it.
    void onWake(Callback wake) { wake_ = std::move(wake); }

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

    std::uint64_t ticksSinceStart() const;

    Now now_;
    Callback wake_;
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
