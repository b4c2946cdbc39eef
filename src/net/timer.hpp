#pragma once
// A one-shot timer over asio::steady_timer that is safe to destroy at any time: the callback
// never runs after cancel(), after a later after(), or after the Timer itself is gone, even
// when the wait had already completed and its handler was queued but not yet run (a case
// steady_timer::cancel() alone cannot stop). Like every object here it belongs to one worker:
// use it from the thread that runs its io_context only.

#include <asio/any_io_executor.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

namespace sb::net {

class Timer {
public:
    using Clock = std::chrono::steady_clock;

    explicit Timer(asio::io_context& context) : timer_(context) {}
    explicit Timer(const asio::any_io_executor& executor) : timer_(executor) {}
    ~Timer() { cancel(); }

    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Calls fn() once, `delay` from now, on the timer's executor. Replaces (cancels) any
    // pending callback.
    template <class Fn>
    void after(Clock::duration delay, Fn&& fn) {
        cancel();
        timer_.expires_after(delay);
        armed_ = true;
        timer_.async_wait([token = std::weak_ptr<Token>(token_), generation = generation_,
                           fn = std::forward<Fn>(fn)](const std::error_code& ec) mutable {
            auto alive = token.lock();
            if (ec || !alive || alive->generation != generation) return;
            alive->owner->armed_ = false;
            fn();
        });
    }

    // The pending callback (if any) will not run. Idempotent.
    void cancel() noexcept {
        ++generation_;
        token_->generation = generation_;
        armed_ = false;
        timer_.cancel();
    }

    // True between after() and the callback (or cancel()).
    bool armed() const noexcept { return armed_; }

private:
    struct Token {
        Timer* owner;
        std::uint64_t generation = 0;
    };

    asio::steady_timer timer_;
    std::uint64_t generation_ = 0;
    bool armed_ = false;
    // Handlers hold a weak_ptr to this: it dies with the Timer, so a queued handler finds it
    // expired and does nothing.
    std::shared_ptr<Token> token_ = std::make_shared<Token>(Token{this});
};

} // namespace sb::net
