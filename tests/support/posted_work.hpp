#pragma once
// The test's thread as the owner of objects that post their news to it from another thread
// (webrtc::IceAgent's Post): what is posted waits in a queue until runUntil() runs it, with a
// tick between waits for the owner's timers.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace sb::test {

class PostedWork {
public:
    std::function<void(std::function<void()>)> post() {
        return [this](std::function<void()> work) {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(work));
            ready_.notify_one();
        };
    }
    // Runs what was posted until `done` holds, at most `limit`; `tick` runs every 10 ms.
    bool runUntil(const std::function<bool()>& done,
                  std::chrono::milliseconds limit = std::chrono::seconds(10),
                  const std::function<void()>& tick = {}) {
        using namespace std::chrono;
        const auto deadline = steady_clock::now() + limit;
        while (!done()) {
            if (steady_clock::now() > deadline) return false;
            std::unique_lock lock(mutex_);
            if (!ready_.wait_for(lock, milliseconds(10), [&] { return !queue_.empty(); })) {
                lock.unlock();
                if (tick) tick();
                continue;
            }
            auto work = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            work();
        }
        return true;
    }

private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::function<void()>> queue_;
};

} // namespace sb::test
