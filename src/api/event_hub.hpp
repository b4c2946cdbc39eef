#pragma once
// Events pushed to WebSocket subscribers (a route added with Router::addEvents). publish() may
// be called from any thread: it posts onto the API thread, which hands the text to every
// subscriber whose filter matches. Each subscriber has a bounded queue; one that falls
// `queueLimit` messages behind is closed with 1013 "Try Again Later" (RFC 6455 §7.4.1, IANA
// registry) and its queue freed, so a slow reader costs bounded memory.

#include "api/post_gate.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace sb::api {

class EventHub : public std::enable_shared_from_this<EventHub> {
public:
    struct Options {
        std::size_t queueLimit = 1024; // messages waiting per subscriber
        // The query parameter of the upgrade request that filters what a subscriber gets:
        // "GET /v1/events?escalation=e-1" receives only publish(text, "e-1"); a subscriber
        // without the parameter receives everything.
        std::string filterParameter = "escalation";
    };

    // What the hub needs of a subscriber; implemented by the server's WebSocket session.
    // Called on the API thread only.
    class Subscriber {
    public:
        virtual ~Subscriber() = default;
        virtual const std::string& filter() const = 0;
        virtual const std::string& agent() const = 0; // who subscribed (the token's agent)
        // Queues one text frame; false if this overflowed the queue (the subscriber is being
        // closed and detaches itself).
        virtual bool deliver(const std::shared_ptr<const std::string>& text) = 0;
    };

    EventHub(boost::asio::any_io_executor executor, Options options);

    // Thread-safe. Sends `text` as a text frame to every subscriber whose filter is empty or
    // equals `key` and, when `audience` is given, who subscribed as that agent (an agent hears
    // of its own escalations only). Dropped after close().
    void publish(std::string text, std::string key = {}, std::string audience = {});

    // Thread-safe counters.
    std::size_t subscribers() const noexcept { return count_.load(); }
    std::uint64_t published() const noexcept { return published_.load(); }
    std::uint64_t overflows() const noexcept { return overflows_.load(); }

    const Options& options() const noexcept { return options_; }

    // API thread only (the server's sessions).
    void attach(const std::shared_ptr<Subscriber>& subscriber);
    void detach(const Subscriber* subscriber);
    // Refuses later publish() calls (the server is stopping).
    void close() { gate_.close(); }

private:
    void fanOut(const std::shared_ptr<const std::string>& text, const std::string& key,
                const std::string& audience);

    Options options_;
    PostGate gate_;
    std::unordered_map<const Subscriber*, std::weak_ptr<Subscriber>> subscribers_;
    std::atomic<std::size_t> count_{0};
    std::atomic<std::uint64_t> published_{0}, overflows_{0};
};

} // namespace sb::api
