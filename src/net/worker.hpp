#pragma once
// A Worker owns one asio::io_context and runs it on its own thread (ARCHITECTURE.md "Threads":
// one io_context per thread, each object belongs to exactly one worker, no locks in protocol
// code). Other threads talk to the worker only through post().

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace sb::net {

// Runs `context` until it is stopped, behind ARCHITECTURE.md's catch-all boundary ("Errors"):
// a handler that throws is logged (as the thread `name`'s), counted in `failures` if given,
// and the loop goes on; the handler's own object is responsible for closing what it owned.
// For threads that run a context of their own outside a Worker.
void runGuarded(asio::io_context& context, std::string_view name,
                std::atomic<std::uint64_t>* failures = nullptr);

class Worker {
public:
    explicit Worker(std::string name = "worker");
    // Stops the loop and joins the thread if the owner has not done so.
    ~Worker();

    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Starts the thread. Calling start() on a running worker does nothing. A worker that has
    // been stopped cannot be restarted.
    void start();
    // Asks the loop to stop: drops the work guard and stops the io_context. Handlers still
    // queued are not run. Safe from any thread, including the worker itself.
    void stop();
    // Waits for the thread to end. Must not be called from the worker thread.
    void join();

    asio::io_context& context() noexcept { return context_; }
    const std::string& name() const noexcept { return name_; }

    // Runs fn on the worker thread (never inline, even when called from it). Thread-safe.
    template <class Fn>
    void post(Fn&& fn) {
        asio::post(context_, std::forward<Fn>(fn));
    }

    // True when called from this worker's thread (Envoy's isThreadSafe()).
    bool isCurrentThread() const noexcept;
    // Handlers that threw, caught by the loop's catch-all boundary. Thread-safe.
    std::uint64_t handlerFailures() const noexcept {
        return failures_.load(std::memory_order_relaxed);
    }

private:
    void run();

    std::string name_;
    asio::io_context context_{1}; // concurrency hint 1: one thread runs this context
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
    std::thread thread_;
    std::atomic<std::thread::id> threadId_{};
    std::atomic<bool> started_{false};
    std::atomic<std::uint64_t> failures_{0};
};

} // namespace sb::net
