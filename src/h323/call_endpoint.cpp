#include "h323/call_endpoint.hpp"

#include "core/log.hpp"
#include "core/random.hpp"

#include <algorithm>
#include <asio/post.hpp>

namespace sb::h323 {
namespace {

// Whether a Q.931 message, read or not, is a ReleaseComplete (Q.931 §4: the protocol
// discriminator, the call reference's length and octets, then the message type): the peer
// ends the call with it even when what it carries cannot be read.
bool releasesCall(std::span<const std::uint8_t> message) {
    if (message.size() < 2) return false;
    const std::size_t type = 2 + (message[1] & 0x0F);
    return type < message.size() &&
           message[type] == static_cast<std::uint8_t>(q931::MessageType::releaseComplete);
}

} // namespace

Result<std::unique_ptr<CallEndpoint>> CallEndpoint::start(asio::io_context& context,
                                                          const asio::ip::tcp::endpoint& local,
                                                          Call::Config base, EventsFor events,
                                                          Limits limits) {
    auto listener = net::StreamListener::listen(context, local, nullptr);
    if (!listener) return fail(listener.error());
    std::unique_ptr<CallEndpoint> endpoint(
        new CallEndpoint(context, std::move(base), std::move(events), limits));
    endpoint->listener_ = std::move(*listener);
    endpoint->listener_->start(
        [self = endpoint.get()](const std::shared_ptr<net::StreamConnection>& connection) {
            self->accept(connection);
        });
    return endpoint;
}

CallEndpoint::CallEndpoint(asio::io_context& context, Call::Config base, EventsFor events,
                           Limits limits)
    : context_(context), base_(std::move(base)), events_(std::move(events)), limits_(limits) {}

CallEndpoint::~CallEndpoint() {
    listener_->close();
    for (auto& [id, leg] : legs_) {
        leg.connection->close();
        if (leg.h245) leg.h245->close();
        if (leg.h245Listener) leg.h245Listener->close();
    }
}

CallIds CallEndpoint::newIds() {
    CallIds ids;
    ids.callReference = nextReference_;
    nextReference_ = static_cast<std::uint16_t>(nextReference_ % 0x7FFF + 1);
    // H.225.0 §7.6: globally unique identifiers, from the thread's generator (core/random.hpp).
    for (auto* guid : {&ids.callIdentifier, &ids.conferenceID})
        for (auto& octet : *guid)
            octet = static_cast<std::uint8_t>(threadRandom()());
    return ids;
}

std::unique_ptr<Call> CallEndpoint::makeCall(std::uint64_t id, Call::Direction direction,
                                             h225::Tags tags, std::optional<CallIds> ids) {
    auto config = base_;
    config.direction = direction;
    config.tags = std::move(tags);
    if (direction == Call::Direction::outgoing) {
        if (!ids) ids = newIds();
        config.callReference = ids->callReference;
        config.callIdentifier = ids->callIdentifier;
        config.conferenceID = ids->conferenceID;
    }
    auto events = events_(id);
    auto released = std::move(events.released);
    events.send = [this, id](const h225::SignallingMessage& m) {
        const auto leg = legs_.find(id);
        if (leg == legs_.end()) return;
        const auto frame = tpktFrame(h225::write(m));
        leg->second.connection->write(std::string(frame.begin(), frame.end()));
        // What we send can start a timer (our Connect: the wait for audio), after this turn.
        asio::post(context_, [this, id] { rearm(id); });
    };
    events.released = [this, id, released = std::move(released)](std::uint8_t cause) {
        if (released) released(cause);
        // The ReleaseComplete goes out first; the leg is dropped after this turn.
        if (const auto leg = legs_.find(id); leg != legs_.end())
            leg->second.connection->closeAfterWrites();
        asio::post(context_, [this, id] { drop(id); });
    };
    events.h245Timer = [this, id](h245::Session::Timer timer, std::uint16_t channel,
                                  std::chrono::steady_clock::duration after) {
        const auto leg = legs_.find(id);
        if (leg == legs_.end()) return;
        auto& running = leg->second.h245Timers[{timer, channel}];
        if (!running) running = std::make_unique<net::Timer>(context_);
        running->after(after, [this, id, timer, channel] { // replaces the one running
            if (auto* c = call(id)) c->expireH245(timer, channel);
        });
    };
    events.listenH245 = [this, id] { return listenH245(id); };
    events.connectH245 = [this, id](const h225::TransportAddress& a) { connectH245(id, a); };
    events.sendH245 = [this, id](std::vector<std::uint8_t> bytes) {
        const auto leg = legs_.find(id);
        if (leg == legs_.end() || !leg->second.h245) return;
        const auto frame = tpktFrame(bytes);
        leg->second.h245->write(std::string(frame.begin(), frame.end()));
    };
    return std::make_unique<Call>(std::move(config), std::move(events));
}

net::StreamConnection::Handlers CallEndpoint::h245Handlers(std::uint64_t id) {
    net::StreamConnection::Handlers h;
    h.onReady = [this, id] {
        if (auto* c = call(id)) c->h245Connected();
    };
    h.onData = [this, id](std::span<const std::byte> bytes) {
        auto leg = legs_.find(id);
        if (leg == legs_.end()) return;
        leg->second.h245Reader.add(
            {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
        for (;;) {
            leg = legs_.find(id);
            if (leg == legs_.end()) return;
            auto payload = leg->second.h245Reader.next();
            if (!payload) return leg->second.h245->close(); // the stream is lost
            if (!*payload) return;
            if (leg->second.call) leg->second.call->receiveH245(**payload);
        }
    };
    h.onClosed = [](const std::error_code&) {}; // the call ends by its signalling
    return h;
}

std::optional<h225::TransportAddress> CallEndpoint::listenH245(std::uint64_t id) {
    const auto leg = legs_.find(id);
    if (leg == legs_.end()) return std::nullopt;
    const auto local = leg->second.connection->localEndpoint();
    auto listener = net::StreamListener::listen(context_, {local.address(), 0}, nullptr);
    if (!listener || !local.address().is_v4()) return std::nullopt;
    leg->second.h245Listener = std::move(*listener);
    leg->second.h245Listener->start(
        [this, id](const std::shared_ptr<net::StreamConnection>& connection) {
            const auto leg = legs_.find(id);
            if (leg == legs_.end() || leg->second.h245) return; // one H.245 connection a call
            leg->second.h245 = connection;
            leg->second.h245Listener->close();
            connection->start(h245Handlers(id));
        });
    h225::TransportAddress address;
    address.ip = local.address().to_v4().to_bytes();
    address.port = leg->second.h245Listener->localEndpoint().port();
    return address;
}

void CallEndpoint::connectH245(std::uint64_t id, const h225::TransportAddress& address) {
    const auto leg = legs_.find(id);
    if (leg == legs_.end()) return;
    const asio::ip::tcp::endpoint to{asio::ip::address_v4(address.ip), address.port};
    leg->second.h245 = net::StreamConnection::outbound(context_, nullptr, to.address().to_string());
    leg->second.h245->connect(to, h245Handlers(id));
}

net::StreamConnection::Handlers CallEndpoint::handlers(std::uint64_t id) {
    net::StreamConnection::Handlers h;
    h.onData = [this, id](std::span<const std::byte> bytes) { onData(id, bytes); };
    h.onClosed = [this, id](const std::error_code&) { lose(id); };
    return h;
}

void CallEndpoint::lose(std::uint64_t id) {
    // The peer's signalling is gone without a ReleaseComplete (H.225.0 §7.4): the call is
    // over, as if the network had failed (Q.850 cause 41, temporary failure), and says so to
    // its owner (released()) before it is dropped, after this turn.
    if (const auto leg = legs_.find(id); leg != legs_.end() && leg->second.call) {
        h225::SignallingMessage lost;
        lost.q931.type = q931::MessageType::releaseComplete;
        lost.q931.set(q931::element::cause, q931::writeCause({41, 0}));
        leg->second.call->receive(lost);
    }
    asio::post(context_, [this, id] { drop(id); });
}

void CallEndpoint::accept(const std::shared_ptr<net::StreamConnection>& connection) {
    const auto waiting =
        std::count_if(legs_.begin(), legs_.end(), [](const auto& leg) { return !leg.second.call; });
    if (static_cast<std::size_t>(waiting) >= limits_.mostWaiting) {
        SB_WARN_RATE_LIMITED(log::get("h323"),
                             "call signalling from {} refused: {} connections wait for their "
                             "Setup already",
                             connection->remoteEndpoint().address().to_string(), waiting);
        return connection->close();
    }
    const auto id = nextId_++;
    auto& leg = legs_[id];
    leg.connection = connection;
    // The Setup's wait; the call's own timers take the timer over once it has come (rearm).
    leg.timer = std::make_unique<net::Timer>(context_);
    leg.timer->after(limits_.setupWait, [this, id] {
        const auto overdue = legs_.find(id);
        if (overdue == legs_.end() || overdue->second.call) return;
        log::get("h323").info("call signalling from {}: no Setup within {} ms, closed",
                              overdue->second.connection->remoteEndpoint().address().to_string(),
                              limits_.setupWait.count());
        overdue->second.connection->close();
        asio::post(context_, [this, id] { drop(id); }); // not within its own timer's callback
    });
    connection->start(handlers(id));
}

std::uint64_t CallEndpoint::place(const asio::ip::tcp::endpoint& to,
                                  std::vector<h225::AliasAddress> destination,
                                  std::optional<LocalMedia> media, h225::Tags tags,
                                  std::optional<CallIds> ids, const Call::Caller& caller) {
    const auto id = nextId_++;
    auto& leg = legs_[id];
    leg.connection = net::StreamConnection::outbound(context_, nullptr, to.address().to_string());
    leg.call = makeCall(id, Call::Direction::outgoing, std::move(tags), ids);
    if (media) leg.call->setLocalMedia(std::move(*media));
    h225::TransportAddress address;
    if (to.address().is_v4()) address.ip = to.address().to_v4().to_bytes();
    address.port = to.port();
    leg.call->place(std::move(destination), address, caller); // queued until connected
    leg.connection->connect(to, handlers(id));
    rearm(id);
    return id;
}

Call* CallEndpoint::call(std::uint64_t id) {
    const auto leg = legs_.find(id);
    if (leg == legs_.end() || !leg->second.call || leg->second.call->isReleased()) return nullptr;
    return leg->second.call.get();
}

void CallEndpoint::onData(std::uint64_t id, std::span<const std::byte> bytes) {
    auto leg = legs_.find(id);
    if (leg == legs_.end()) return;
    leg->second.reader.add({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
    for (;;) {
        leg = legs_.find(id); // a message may have ended the call
        if (leg == legs_.end()) return;
        auto payload = leg->second.reader.next();
        if (!payload) { // the stream is lost: where the next message starts is unknown
            const auto connection = leg->second.connection;
            lose(id);
            connection->close();
            return;
        }
        if (!*payload) return;
        auto read = h225::read(**payload);
        const auto* message = std::get_if<h225::SignallingMessage>(&read);
        if (message != nullptr && !leg->second.call) {
            if (message->q931.type != q931::MessageType::setup)
                read = h225::SignallingError{101, // Q.850: not compatible with the call state
                                             "a call's first message is not a Setup",
                                             message->q931.callReference,
                                             message->q931.fromDestination};
            else
                leg->second.call = makeCall(id, Call::Direction::incoming);
        }
        const auto* error = std::get_if<h225::SignallingError>(&read);
        if (error && leg->second.call && !releasesCall(**payload)) {
            // Within a call, a message that cannot be read is answered, not fatal (Q.931
            // §5.8): a peer's element we take wrongly must not cut a call that is up.
            SB_WARN_RATE_LIMITED(
                log::get("h323"), "call signalling from {}: a message not understood: {}",
                leg->second.connection->remoteEndpoint().address().to_string(), error->reason);
            leg->second.call->notUnderstood(error->cause);
            continue;
        }
        if (error) {
            log::get("h323").info("call signalling from {} refused: {}",
                                  leg->second.connection->remoteEndpoint().address().to_string(),
                                  error->reason);
            const auto answer = h225::releaseCompleteFor(*error);
            const auto frame = tpktFrame(h225::write(answer));
            leg->second.connection->write(std::string(frame.begin(), frame.end()));
            leg->second.connection->closeAfterWrites();
            if (leg->second.call) leg->second.call->receive(answer); // the call is over too
            drop(id);
            return;
        }
        leg->second.call->receive(std::get<h225::SignallingMessage>(read));
        rearm(id);
    }
}

void CallEndpoint::rearm(std::uint64_t id) {
    const auto leg = legs_.find(id);
    if (leg == legs_.end() || !leg->second.call) return;
    auto& l = leg->second;
    const auto running = l.call->timer();
    if (!running) {
        if (l.timer) l.timer->cancel();
        l.armedFor.reset();
        return;
    }
    if (l.armedFor == running->first) return; // armed already: it counts from its start
    if (!l.timer) l.timer = std::make_unique<net::Timer>(context_);
    l.armedFor = running->first;
    l.timer->after(running->second, [this, id, kind = running->first] {
        if (auto* c = call(id)) c->expire(kind);
    });
}

void CallEndpoint::drop(std::uint64_t id) {
    const auto leg = legs_.find(id);
    if (leg == legs_.end()) return;
    if (leg->second.h245) leg->second.h245->closeAfterWrites();
    if (leg->second.h245Listener) leg->second.h245Listener->close();
    legs_.erase(leg);
}

} // namespace sb::h323
