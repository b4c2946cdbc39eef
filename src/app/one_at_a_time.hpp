#pragma once
// Jobs that must not overlap, run one at a time in the order given (the registry's changes:
// each checks the registry, stores, applies and witnesses, and the next must see its result).
// A job calls `next` once when it has finished, its asynchronous steps included. One thread.

#include <deque>
#include <functional>

namespace sb::app {

class OneAtATime {
public:
    using Next = std::function<void()>;
    using Job = std::function<void(Next next)>;

    void run(Job job) {
        queue_.push_back(std::move(job));
        if (!busy_) startNext();
    }
    std::size_t waiting() const noexcept { return queue_.size(); }

private:
    void startNext() {
        if (queue_.empty()) return;
        busy_ = true;
        Job job = std::move(queue_.front());
        queue_.pop_front();
        try {
            job([this] {
                busy_ = false;
                startNext();
            });
        } catch (...) {
            // The job failed before it could finish: the queue goes on without it (the
            // control loop's boundary logs and counts the exception).
            busy_ = false;
            startNext();
            throw;
        }
    }

    std::deque<Job> queue_;
    bool busy_ = false;
};

} // namespace sb::app
