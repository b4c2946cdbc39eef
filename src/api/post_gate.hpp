#pragma once
// Posts work onto the API thread from any thread until the server stops. After close() no
// post reaches the executor, so a Respond or publish() called late (even after the io_context
// is gone) is dropped instead of touching freed memory.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <utility>

namespace sb::api {

class PostGate {
public:
    explicit PostGate(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

    // False, and `work` is dropped, once closed. Never runs `work` inline.
    template <class Work>
    bool post(Work&& work) {
        std::lock_guard lock(mutex_);
        if (!open_) return false;
        boost::asio::post(executor_, std::forward<Work>(work));
        return true;
    }

    // Waits for a post under way on another thread, then refuses all later ones.
    void close() {
        std::lock_guard lock(mutex_);
        open_ = false;
    }

private:
    std::mutex mutex_;
    bool open_ = true;
    boost::asio::any_io_executor executor_;
};

} // namespace sb::api
