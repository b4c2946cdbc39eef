#include "net/worker.hpp"

#include "core/log.hpp"
#include "core/stop_signals.hpp"
#include "core/thread_name.hpp"

#include <exception>

namespace sb::net {

Worker::Worker(std::string name) : name_(std::move(name)) {
    guard_.emplace(asio::make_work_guard(context_));
}

Worker::~Worker() {
    stop();
    if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id()) {
            thread_.detach(); // destroyed from its own handler: nothing to wait for
        } else {
            thread_.join();
        }
    }
}

void Worker::start() {
    if (started_.exchange(true)) return;
    thread_ = std::thread([this] { run(); });
}

void Worker::stop() {
    // io_context::stop() is thread-safe; the work guard stays, but a stopped context returns
    // from run() regardless, and run() below does not restart it.
    context_.stop();
}

void Worker::join() {
    if (thread_.joinable()) thread_.join();
}

bool Worker::isCurrentThread() const noexcept {
    return threadId_.load(std::memory_order_acquire) == std::this_thread::get_id();
}

void runGuarded(asio::io_context& context, std::string_view name,
                std::atomic<std::uint64_t>* failures) {
    auto& logger = log::get("net");
    while (!context.stopped()) {
        try {
            context.run();
        } catch (const std::exception& e) {
            if (failures) failures->fetch_add(1, std::memory_order_relaxed);
            logger.error("{}: handler threw: {}", name, e.what());
        } catch (...) {
            if (failures) failures->fetch_add(1, std::memory_order_relaxed);
            logger.error("{}: handler threw a non-standard exception", name);
        }
    }
}

void Worker::run() {
    threadId_.store(std::this_thread::get_id(), std::memory_order_release);
    nameThisThread("sb-" + name_);
    blockStopSignals();
    runGuarded(context_, "worker " + name_, &failures_);
    threadId_.store(std::thread::id{}, std::memory_order_release);
}

} // namespace sb::net
