#pragma once
// What bench/datachannel_udp and bench/datachannel_peers share: the clocks, and the one thread
// of work of a process that owns a peer connection (what libnice posts waits here; the owner's
// tick runs between, with usrsctp's timers).

#include "webrtc/peer_connection.hpp"

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <mutex>

namespace sb::bench {

inline double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// The process's one thread of work: what libnice posts waits here; tick() runs between.
class Owner {
public:
    webrtc::IceAgent::Post post() {
        return [this](std::function<void()> work) {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(work));
            ready_.notify_one();
        };
    }
    void runUntil(const std::function<bool()>& done, double seconds,
                  const std::function<void()>& tick) {
        const double deadline = now() + seconds;
        double lastTick = now();
        while (!done() && now() < deadline) {
            std::deque<std::function<void()>> work;
            {
                std::unique_lock lock(mutex_);
                ready_.wait_for(lock, std::chrono::milliseconds(2),
                                [&] { return !queue_.empty(); });
                work.swap(queue_);
            }
            for (auto& w : work)
                w();
            if (now() - lastTick >= 0.002) {
                const auto ms = static_cast<int>((now() - lastTick) * 1000);
                webrtc::SctpTransport::advanceTimers(std::chrono::milliseconds(ms));
                lastTick += ms / 1000.0;
                tick();
            }
        }
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
};

} // namespace sb::bench
