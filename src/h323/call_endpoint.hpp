#pragma once
// Calls on the wire: H.225.0 call signalling on TCP (1720 by default, H.225.0 §7.1), each
// message in TPKT. It accepts connections whose first message is a Setup and places calls by
// connecting out; each connection carries one call (no multipleCalls), whose messages it reads
// and writes, and the call's separate H.245 connection when it has one (TPKT too). A message it
// cannot take is answered as signalling.hpp says and the connection closed; so is a first message
// other than Setup. Runs on the worker that owns its io_context.

#include "core/result.hpp"
#include "h323/call.hpp"
#include "h323/q931/tpkt.hpp"
#include "net/stream_socket.hpp"
#include "net/timer.hpp"

#include <asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace sb::h323 {

// What a connection that has not brought its Setup yet may hold. H.225.0 sets no timer for
// the answering side before the Setup: without these, a peer that connects and says
// nothing, or a Setup's first octets and no more, would hold its socket for ever.
struct CallEndpointLimits {
    std::chrono::milliseconds setupWait{10'000}; // then the connection is closed
    std::size_t mostWaiting = 256; // connections without their Setup; one more is closed
};

class CallEndpoint {
public:
    // The events of the call `id`; the endpoint carries its messages itself (send is its own).
    using EventsFor = std::function<Call::Events(std::uint64_t id)>;
    using Limits = CallEndpointLimits;

    static Result<std::unique_ptr<CallEndpoint>> start(asio::io_context& context,
                                                       const asio::ip::tcp::endpoint& local,
                                                       Call::Config base, EventsFor events,
                                                       Limits limits = {});
    ~CallEndpoint();
    CallEndpoint(const CallEndpoint&) = delete;
    CallEndpoint& operator=(const CallEndpoint&) = delete;

    // Places a call to `to`, with `media` rather than the base configuration's, and `tags`
    // in its Setup, named by `ids` (newIds()'s: a gatekeeper admitted them) or fresh ones, for
    // `caller` (Call::place); its id.
    std::uint64_t place(const asio::ip::tcp::endpoint& to,
                        std::vector<h225::AliasAddress> destination,
                        std::optional<LocalMedia> media = std::nullopt, h225::Tags tags = {},
                        std::optional<CallIds> ids = std::nullopt, const Call::Caller& caller = {});
    // What names a call we are about to place: our next call reference, fresh identifiers.
    CallIds newIds();
    // The call until it is released (its connection outlasts it by a turn, for its
    // ReleaseComplete): what is asked of a released call (an admission, an answer) finds none.
    Call* call(std::uint64_t id);
    std::size_t calls() const noexcept { return legs_.size(); }
    asio::io_context& context() const noexcept { return context_; }
    const asio::ip::tcp::endpoint& localEndpoint() const noexcept {
        return listener_->localEndpoint();
    }

private:
    struct Leg {
        std::shared_ptr<net::StreamConnection> connection;
        TpktReader reader;
        std::unique_ptr<Call> call;
        // A separate H.245 connection (H.323 §8.1.1), and the listener the answerer opens.
        std::shared_ptr<net::StreamListener> h245Listener;
        std::shared_ptr<net::StreamConnection> h245;
        TpktReader h245Reader;
        // The call's running timer (Call::timer()), and which one it is armed for; before an
        // accepted connection's Setup, the wait for it (CallEndpointLimits::setupWait).
        std::unique_ptr<net::Timer> timer;
        std::optional<Call::Timer> armedFor;
        // H.245's, by timer and channel (Call::Events::h245Timer).
        std::map<std::pair<h245::Session::Timer, std::uint16_t>, std::unique_ptr<net::Timer>>
            h245Timers;
    };
    CallEndpoint(asio::io_context& context, Call::Config base, EventsFor events, Limits limits);
    void accept(const std::shared_ptr<net::StreamConnection>& connection);
    net::StreamConnection::Handlers handlers(std::uint64_t id);
    net::StreamConnection::Handlers h245Handlers(std::uint64_t id);
    std::optional<h225::TransportAddress> listenH245(std::uint64_t id);
    void connectH245(std::uint64_t id, const h225::TransportAddress& address);
    void onData(std::uint64_t id, std::span<const std::byte> bytes);
    std::unique_ptr<Call> makeCall(std::uint64_t id, Call::Direction direction,
                                   h225::Tags tags = {}, std::optional<CallIds> ids = {});
    void drop(std::uint64_t id);
    // The call's connection is gone or its stream lost: it is released (cause 41), then dropped.
    void lose(std::uint64_t id);
    // Arms the leg's timer for what its call waits for now, or stops it.
    void rearm(std::uint64_t id);

    asio::io_context& context_;
    Call::Config base_;
    EventsFor events_;
    Limits limits_;
    std::shared_ptr<net::StreamListener> listener_;
    std::map<std::uint64_t, Leg> legs_;
    std::uint64_t nextId_ = 1;
    std::uint16_t nextReference_ = 1;
};

} // namespace sb::h323
