#include "sip/transport.hpp"

#include "core/log.hpp"
#include "net/stream_socket.hpp"
#include "net/timer.hpp"
#include "net/tls_context.hpp"
#include "net/udp_socket.hpp"
#include "sip/stream_framer.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <atomic>
#include <exception>
#include <fmt/format.h>
#include <map>
#include <tuple>
#include <unordered_map>

namespace sb::sip {

namespace {

using Clock = std::chrono::steady_clock;

// SIP over UDP is read up to this many datagrams per system call (1 MiB of buffers a socket):
// under load the requests and responses of many calls arrive together.
constexpr std::size_t kSipReceiveBatch = 16;

spdlog::logger& logger() {
    return log::get("sip");
}

std::string describe(Transport t, const asio::ip::address& a, std::uint16_t port) {
    return a.is_v6() ? fmt::format("{} [{}]:{}", viaToken(t), a.to_string(), port)
                     : fmt::format("{} {}:{}", viaToken(t), a.to_string(), port);
}

// Only CR and LF: a keep-alive or stray line ending, not the start of a message.
bool onlyLineEndings(std::string_view bytes) noexcept {
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\r' || c == '\n'; });
}

struct PeerKey {
    Transport transport;
    asio::ip::address address;
    std::uint16_t port;
    friend bool operator<(const PeerKey& a, const PeerKey& b) {
        return std::tie(a.transport, a.address, a.port) < std::tie(b.transport, b.address, b.port);
    }
};

} // namespace

class TransportLayer::Impl : public std::enable_shared_from_this<TransportLayer::Impl> {
public:
    Impl(asio::io_context& context, TransportLimits limits, std::optional<TlsFiles> tls)
        : context_(context), limits_(limits), tlsFiles_(std::move(tls)) {}

    Result<void> listen(const ListenSpec& spec);
    std::vector<BoundListener> listeners() const { return bound_; }
    bool reply(const InboundMessage& to, std::string bytes);
    Result<void> send(Transport transport, const asio::ip::address& address, std::uint16_t port,
                      std::string bytes, std::string_view serverName);
    bool connected(const PeerKey& key) { return openTo(key) != nullptr; }
    void close();
    Stats stats() const;

    std::function<void(InboundMessage&&)> onMessage_;
    std::function<void(const InboundMessage&, const Error&)> onStreamError_;
    std::function<void(Transport, const asio::ip::address&, std::uint16_t)> connectFailed_;

private:
    struct Conn {
        Conn(asio::io_context& context, Transport t, std::shared_ptr<net::StreamConnection> s,
             bool in)
            : transport(t), stream(std::move(s)), inbound(in), messageTimer(context),
              idleTimer(context) {}
        Transport transport;
        std::shared_ptr<net::StreamConnection> stream;
        bool inbound;
        std::string buffer;
        // What framing learnt of the buffer's message so far, so that a read need not scan it
        // again (a peer sending 64 KB of header a few octets at a time would otherwise cost the
        // control loop time quadratic in its size): no empty line ends a header section before
        // `scanned`, and once one has, the message is `awaiting` octets of the buffer in all.
        std::size_t scanned = 0, awaiting = 0;
        net::Timer messageTimer;
        net::Timer idleTimer;
        bool inMessage = false; // a message (or a handshake) has started and not finished
        Clock::time_point messageStart{};
        Clock::time_point lastActivity{};
        bool ready = false;   // connected (and TLS handshake done)
        bool failed = false;  // framing error: no more input, closing after any reply
        bool replied = false; // a reply was queued from the stream-error handler
        std::optional<PeerKey> key;
        std::uint64_t id() const { return stream->id(); }
    };

    Result<std::shared_ptr<asio::ssl::context>> serverTls();
    Result<std::shared_ptr<asio::ssl::context>> clientTls();
    void onDatagram(const net::UdpSocket& socket, std::span<const std::byte> data,
                    const asio::ip::udp::endpoint& from);
    void onAccept(Transport transport, std::shared_ptr<net::StreamConnection> stream);
    Conn& addConn(Transport transport, std::shared_ptr<net::StreamConnection> stream, bool inbound,
                  const PeerKey& key);
    net::StreamConnection::Handlers handlersFor(std::uint64_t id);
    void onData(Conn& c, std::span<const std::byte> data);
    void frame(Conn& c);
    // Whether the buffer from `offset` may hold a whole message (or a ping), as far as `scanned`
    // and `awaiting` tell; else it notes how far it looked.
    bool mayHoldMessage(Conn& c, std::size_t offset) const;
    void framingError(Conn& c, const Error& error);
    void startMessageClock(Conn& c, Clock::time_point now);
    void checkMessageClock(Conn& c);
    void checkIdle(Conn& c);
    void closeConn(Conn& c);
    void removeConn(std::uint64_t id);
    // The open (or connecting) connection send() reuses for that peer, if any.
    Conn* openTo(const PeerKey& key);
    Conn* find(std::uint64_t id) {
        auto it = conns_.find(id);
        return it == conns_.end() ? nullptr : it->second.get();
    }
    InboundMessage peerOf(const Conn& c) const;
    void deliver(InboundMessage&& m);
    void updateOpenCount() { connectionsOpen_.store(conns_.size(), std::memory_order_relaxed); }
    static void bump(std::atomic<std::uint64_t>& counter) {
        counter.fetch_add(1, std::memory_order_relaxed);
    }

    asio::io_context& context_;
    TransportLimits limits_;
    std::optional<TlsFiles> tlsFiles_;
    std::shared_ptr<asio::ssl::context> serverTls_, clientTls_;
    bool closed_ = false;

    std::vector<std::shared_ptr<net::UdpSocket>> udp_;
    std::vector<std::shared_ptr<net::StreamListener>> streamListeners_;
    std::vector<BoundListener> bound_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns_;
    std::map<PeerKey, std::uint64_t> byPeer_;

    std::atomic<std::uint64_t> messagesIn_{0}, messagesOut_{0}, framingErrors_{0}, oversized_{0},
        slowPeersCut_{0}, idleClosed_{0}, connectionsOpen_{0}, connectionsRefused_{0};
};

// ---------------------------------------------------------------------------------------------
// Listening

Result<std::shared_ptr<asio::ssl::context>> TransportLayer::Impl::serverTls() {
    if (serverTls_) return serverTls_;
    if (!tlsFiles_) {
        return fail(Errc::config, "no TLS certificate and private key are configured");
    }
    auto context = net::makeServerTlsContext(tlsFiles_->certificate, tlsFiles_->privateKey);
    if (!context) return fail(context.error());
    serverTls_ = *context;
    return serverTls_;
}

Result<std::shared_ptr<asio::ssl::context>> TransportLayer::Impl::clientTls() {
    if (clientTls_) return clientTls_;
    net::TlsClientOptions options;
    if (tlsFiles_) {
        options.caFile = tlsFiles_->caFile;
        options.certificateChain = tlsFiles_->certificate;
        options.privateKey = tlsFiles_->privateKey;
        options.verifyPeer = tlsFiles_->verifyPeer;
    }
    auto context = net::makeClientTlsContext(options);
    if (!context) return fail(context.error());
    clientTls_ = *context;
    return clientTls_;
}

Result<void> TransportLayer::Impl::listen(const ListenSpec& spec) {
    if (closed_) return fail(Errc::closed, "the transport layer is closed");
    std::error_code ec;
    const auto address = asio::ip::make_address(spec.address, ec);
    if (ec) {
        return fail(Errc::invalid_input,
                    fmt::format("cannot listen on {} '{}' port {}: not an IP address",
                                viaToken(spec.transport), spec.address, spec.port));
    }
    const auto where = describe(spec.transport, address, spec.port);
    std::weak_ptr<Impl> weak = weak_from_this();

    if (spec.transport == Transport::udp) {
        auto socket = net::UdpSocket::bind(context_, asio::ip::udp::endpoint(address, spec.port));
        if (!socket) return fail(socket.error());
        auto s = *socket;
        s->start(
            [weak, raw = s.get()](std::span<const std::byte> data,
                                  const asio::ip::udp::endpoint& from) {
                // The socket is alive: it is running this handler.
                if (auto self = weak.lock()) self->onDatagram(*raw, data, from);
            },
            kSipReceiveBatch);
        udp_.push_back(s);
        bound_.push_back({Transport::udp, address, s->localEndpoint().port(), spec.advertise});
        return {};
    }

    std::shared_ptr<asio::ssl::context> tls;
    if (spec.transport == Transport::tls) {
        auto context = serverTls();
        if (!context) {
            return fail(context.error().code,
                        fmt::format("cannot listen on {}: {}", where, context.error().message));
        }
        tls = *context;
    }
    auto listener =
        net::StreamListener::listen(context_, asio::ip::tcp::endpoint(address, spec.port), tls);
    if (!listener) return fail(listener.error());
    auto l = *listener;
    l->start([weak, transport = spec.transport](std::shared_ptr<net::StreamConnection> c) {
        if (auto self = weak.lock()) self->onAccept(transport, std::move(c));
    });
    streamListeners_.push_back(l);
    bound_.push_back({spec.transport, address, l->localEndpoint().port(), spec.advertise});
    return {};
}

// ---------------------------------------------------------------------------------------------
// UDP

void TransportLayer::Impl::onDatagram(const net::UdpSocket& socket, std::span<const std::byte> data,
                                      const asio::ip::udp::endpoint& from) {
    if (closed_) return;
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    if (data.size() > limits_.maxMessageBytes) {
        bump(oversized_);
        SB_WARN_RATE_LIMITED(logger(), "dropped a {}-byte UDP datagram from {} (limit {} bytes)",
                             data.size(), describe(Transport::udp, from.address(), from.port()),
                             limits_.maxMessageBytes);
        return;
    }
    if (onlyLineEndings(text)) return; // keep-alive; nothing to deliver
    InboundMessage m{std::string(text),
                     Transport::udp,
                     from.address(),
                     from.port(),
                     socket.localEndpoint().address(),
                     socket.localEndpoint().port(),
                     0};
    bump(messagesIn_);
    deliver(std::move(m));
}

// An exception from the handler reaches the boundary of the socket's handler: for UDP it fails
// that datagram only, for a stream it closes that connection (ARCHITECTURE.md "Errors").
void TransportLayer::Impl::deliver(InboundMessage&& m) {
    if (onMessage_) onMessage_(std::move(m));
}

// ---------------------------------------------------------------------------------------------
// Streams

void TransportLayer::Impl::onAccept(Transport transport,
                                    std::shared_ptr<net::StreamConnection> stream) {
    if (closed_) return;
    // An eighth of the connections are kept for ours: peers that connect and say nothing must
    // not leave us unable to reach anyone over TCP or TLS.
    if (conns_.size() >= limits_.maxConnections - limits_.maxConnections / 8) {
        bump(connectionsRefused_);
        SB_WARN_RATE_LIMITED(logger(), "refused a {} connection from {}: {} connections open",
                             viaToken(transport), stream->remoteEndpoint().address().to_string(),
                             conns_.size());
        stream->close();
        return;
    }
    const auto remote = stream->remoteEndpoint();
    auto& c = addConn(transport, std::move(stream), true,
                      PeerKey{transport, remote.address(), remote.port()});
    // Its first message (and a TLS peer's handshake before it) must come within the message
    // timeout: a connection that says nothing holds a place for no one.
    startMessageClock(c, Clock::now());
    c.stream->start(handlersFor(c.id()));
}

TransportLayer::Impl::Conn&
TransportLayer::Impl::addConn(Transport transport, std::shared_ptr<net::StreamConnection> stream,
                              bool inbound, const PeerKey& key) {
    auto owned = std::make_unique<Conn>(context_, transport, std::move(stream), inbound);
    auto& c = *owned;
    // RFC 3261 §18.2.2 and §18.1.1: later requests and responses to this peer reuse it. An
    // outbound connection that is still connecting is registered too, so that a second send()
    // queues behind the first instead of opening another connection.
    if (!byPeer_.contains(key)) {
        byPeer_.emplace(key, c.id());
        c.key = key;
    }
    c.lastActivity = Clock::now();
    c.idleTimer.after(limits_.idleTimeout, [this, &c] { checkIdle(c); });
    conns_.emplace(c.id(), std::move(owned));
    updateOpenCount();
    return c;
}

net::StreamConnection::Handlers TransportLayer::Impl::handlersFor(std::uint64_t id) {
    std::weak_ptr<Impl> weak = weak_from_this();
    net::StreamConnection::Handlers h;
    h.onReady = [weak, id] {
        auto self = weak.lock();
        if (!self) return;
        auto* c = self->find(id);
        if (!c) return;
        c->ready = true;
        // Ours may wait for the peer; a peer's connection waits for its first message.
        if (c->buffer.empty() && !c->inbound) c->inMessage = false;
    };
    h.onData = [weak, id](std::span<const std::byte> data) {
        auto self = weak.lock();
        if (!self) return;
        auto* c = self->find(id);
        if (!c) return;
        try {
            self->onData(*c, data);
        } catch (const std::exception& e) {
            SB_WARN_RATE_LIMITED(logger(), "closing connection {}: {}", id, e.what());
            if (auto* again = self->find(id)) self->closeConn(*again);
        } catch (...) {
            SB_WARN_RATE_LIMITED(logger(), "closing connection {}: unknown exception", id);
            if (auto* again = self->find(id)) self->closeConn(*again);
        }
    };
    h.onClosed = [weak, id](const std::error_code& ec) {
        auto self = weak.lock();
        if (!self) return;
        if (ec) logger().debug("connection {} ended: {}", id, ec.message());
        self->removeConn(id);
    };
    return h;
}

void TransportLayer::Impl::onData(Conn& c, std::span<const std::byte> data) {
    c.lastActivity = Clock::now();
    if (c.failed || closed_) return;
    c.buffer.append(reinterpret_cast<const char*>(data.data()), data.size());
    frame(c);
}

bool TransportLayer::Impl::mayHoldMessage(Conn& c, std::size_t offset) const {
    if (c.awaiting > 0) return c.buffer.size() >= c.awaiting;
    // Too much for a message: the framer says so, naming the limit.
    if (c.buffer.size() - offset > limits_.maxMessageBytes) return true;
    // A header section ends with an empty line, and a ping is one (CRLFCRLF either way); it
    // may straddle the last read, so the search starts three octets before it ended.
    const std::size_t from = std::max(offset, c.scanned < 3 ? 0 : c.scanned - 3);
    if (c.buffer.find("\r\n\r\n", from) != std::string::npos) return true;
    c.scanned = c.buffer.size();
    return false;
}

void TransportLayer::Impl::frame(Conn& c) {
    const auto id = c.id();
    std::size_t offset = 0;
    bool completed = false;
    for (;;) {
        if (!mayHoldMessage(c, offset)) break;
        const std::string_view rest = std::string_view(c.buffer).substr(offset);
        auto r = frameStreamMessage(rest, limits_.maxMessageBytes);
        if (!r) return framingError(c, r.error());
        const auto& f = *r;
        if (f.kind == StreamFrame::Kind::incomplete) {
            offset += f.skip;
            if (f.announced > 0) c.awaiting = offset + f.announced;
            break;
        }
        if (f.kind == StreamFrame::Kind::ping) {
            c.stream->write("\r\n"); // RFC 5626 §4.4.1: the pong
        } else {
            auto m = peerOf(c);
            m.bytes.assign(rest.substr(f.skip, f.length));
            bump(messagesIn_);
            deliver(std::move(m));
            // The handler may have closed this connection or the whole layer.
            if (closed_ || find(id) != &c || c.failed) return;
        }
        offset += f.consumed();
        completed = true;
        c.scanned = offset;
        c.awaiting = 0;
    }
    c.buffer.erase(0, offset);
    c.scanned -= std::min(c.scanned, offset);
    if (c.awaiting > 0) c.awaiting -= offset;
    if (c.buffer.empty() || onlyLineEndings(c.buffer)) {
        c.inMessage = false;
    } else if (!c.inMessage || completed) {
        startMessageClock(c, Clock::now()); // the next message's first byte came in this read
    }
}

void TransportLayer::Impl::framingError(Conn& c, const Error& error) {
    bump(framingErrors_);
    if (error.code == Errc::too_large) bump(oversized_);
    const auto& remote = c.stream->remoteEndpoint();
    SB_WARN_RATE_LIMITED(logger(), "closing {} connection {} from {}: {}", viaToken(c.transport),
                         c.id(), describe(c.transport, remote.address(), remote.port()),
                         error.message);
    c.failed = true;
    c.inMessage = false;
    auto peer = peerOf(c);
    peer.bytes = std::move(c.buffer); // what was received, for the SIP layer's answer
    c.buffer = std::string();
    if (c.key) { // never reuse a connection that is going away
        byPeer_.erase(*c.key);
        c.key.reset();
    }
    const auto id = c.id();
    if (onStreamError_) {
        try {
            onStreamError_(peer, error);
        } catch (const std::exception& e) {
            SB_WARN_RATE_LIMITED(logger(), "stream error handler threw: {}", e.what());
        }
    }
    auto* again = find(id);
    if (closed_ || again != &c) return;
    if (c.replied) {
        c.stream->closeAfterWrites(); // onClosed removes it once the reply is out
    } else {
        closeConn(c);
    }
}

void TransportLayer::Impl::startMessageClock(Conn& c, Clock::time_point now) {
    c.inMessage = true;
    c.messageStart = now;
    if (!c.messageTimer.armed()) {
        c.messageTimer.after(limits_.messageTimeout, [this, &c] { checkMessageClock(c); });
    }
}

// The timer is not re-armed on every message; when it fires it checks the clock of the message
// in progress now and waits for the rest of that message's time.
void TransportLayer::Impl::checkMessageClock(Conn& c) {
    if (!c.inMessage || c.failed) return;
    const auto elapsed = Clock::now() - c.messageStart;
    if (elapsed < limits_.messageTimeout) {
        c.messageTimer.after(limits_.messageTimeout - elapsed,
                             [this, &c] { checkMessageClock(c); });
        return;
    }
    const auto& remote = c.stream->remoteEndpoint();
    if (c.inbound) bump(slowPeersCut_);
    SB_WARN_RATE_LIMITED(logger(), "cutting off {} connection {} with {}: {} not finished in {} ms",
                         viaToken(c.transport), c.id(),
                         describe(c.transport, remote.address(), remote.port()),
                         c.stream->isReady() ? "message" : "connect or TLS handshake",
                         limits_.messageTimeout.count());
    closeConn(c);
}

void TransportLayer::Impl::checkIdle(Conn& c) {
    const auto idle = Clock::now() - c.lastActivity;
    if (idle < limits_.idleTimeout) {
        c.idleTimer.after(limits_.idleTimeout - idle, [this, &c] { checkIdle(c); });
        return;
    }
    bump(idleClosed_);
    logger().debug("closing idle {} connection {}", viaToken(c.transport), c.id());
    closeConn(c);
}

void TransportLayer::Impl::closeConn(Conn& c) {
    const auto id = c.id();
    c.stream->close();
    removeConn(id); // destroys c
}

void TransportLayer::Impl::removeConn(std::uint64_t id) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    if (const Conn& c = *it->second; !c.inbound && !c.ready && c.key && connectFailed_) {
        // RFC 3261 §17.1.4: the SIP layer hears of it; posted, so that its handler may send.
        std::weak_ptr<Impl> weak = weak_from_this();
        asio::post(context_, [weak, key = *c.key] {
            if (auto self = weak.lock(); self && !self->closed_ && self->connectFailed_)
                self->connectFailed_(key.transport, key.address, key.port);
        });
    }
    if (auto& key = it->second->key) {
        if (auto k = byPeer_.find(*key); k != byPeer_.end() && k->second == id) byPeer_.erase(k);
    }
    conns_.erase(it);
    updateOpenCount();
}

InboundMessage TransportLayer::Impl::peerOf(const Conn& c) const {
    const auto& r = c.stream->remoteEndpoint();
    const auto& l = c.stream->localEndpoint();
    return InboundMessage{{}, c.transport, r.address(), r.port(), l.address(), l.port(), c.id()};
}

// ---------------------------------------------------------------------------------------------
// Sending

bool TransportLayer::Impl::reply(const InboundMessage& to, std::string bytes) {
    if (closed_) return true; // nowhere else to send it either
    if (to.transport == Transport::udp) {
        std::shared_ptr<net::UdpSocket> socket;
        for (auto& u : udp_) {
            const auto& l = u->localEndpoint();
            if (l.port() == to.localPort && l.address() == to.localAddress) {
                socket = u;
                break;
            }
            if (!socket && l.address().is_v6() == to.remoteAddress.is_v6()) socket = u;
        }
        if (!socket) {
            SB_WARN_RATE_LIMITED(logger(), "no UDP socket to reply to {}",
                                 describe(to.transport, to.remoteAddress, to.remotePort));
            return true;
        }
        const asio::ip::udp::endpoint dest(to.remoteAddress, to.remotePort);
        auto r = socket->sendTo(std::as_bytes(std::span(bytes.data(), bytes.size())), dest);
        if (r) {
            bump(messagesOut_);
        } else {
            SB_WARN_RATE_LIMITED(logger(), "{}", r.error().message);
        }
        return true;
    }
    auto* c = find(to.connectionId);
    if (!c || !c->stream->isOpen()) {
        logger().debug("connection {} to {} is gone: the reply is not sent over it",
                       to.connectionId, describe(to.transport, to.remoteAddress, to.remotePort));
        return false;
    }
    if (c->failed) c->replied = true;
    c->lastActivity = Clock::now();
    c->stream->write(std::move(bytes));
    bump(messagesOut_);
    return true;
}

TransportLayer::Impl::Conn* TransportLayer::Impl::openTo(const PeerKey& key) {
    auto it = byPeer_.find(key);
    if (it == byPeer_.end()) return nullptr;
    auto* c = find(it->second);
    return c && c->stream->isOpen() && !c->failed ? c : nullptr;
}

Result<void> TransportLayer::Impl::send(Transport transport, const asio::ip::address& address,
                                        std::uint16_t port, std::string bytes,
                                        std::string_view serverName) {
    if (closed_) return fail(Errc::closed, "the transport layer is closed");
    if (transport == Transport::udp) {
        for (auto& u : udp_) {
            if (u->localEndpoint().address().is_v6() != address.is_v6()) continue;
            auto r = u->sendTo(std::as_bytes(std::span(bytes.data(), bytes.size())),
                               asio::ip::udp::endpoint(address, port));
            if (r) bump(messagesOut_);
            return r;
        }
        return fail(Errc::not_found, fmt::format("cannot send to {}: no {} UDP socket is bound",
                                                 describe(transport, address, port),
                                                 address.is_v6() ? "IPv6" : "IPv4"));
    }

    if (auto* c = openTo(PeerKey{transport, address, port})) {
        c->lastActivity = Clock::now();
        c->stream->write(std::move(bytes));
        bump(messagesOut_);
        return {};
    }
    if (conns_.size() >= limits_.maxConnections) {
        bump(connectionsRefused_);
        return fail(Errc::too_large,
                    fmt::format("cannot connect to {}: {} connections open (the limit)",
                                describe(transport, address, port), conns_.size()));
    }
    std::shared_ptr<asio::ssl::context> tls;
    if (transport == Transport::tls) {
        auto context = clientTls();
        if (!context) {
            return fail(context.error().code,
                        fmt::format("cannot connect to {}: {}", describe(transport, address, port),
                                    context.error().message));
        }
        tls = *context;
    }
    const asio::ip::tcp::endpoint remote(address, port);
    auto stream = net::StreamConnection::outbound(context_, tls, std::string(serverName));
    auto& c = addConn(transport, stream, false, PeerKey{transport, address, port});
    startMessageClock(c, Clock::now()); // connect and handshake must finish in time
    stream->write(std::move(bytes));    // sent once connected
    stream->connect(remote, handlersFor(c.id()));
    bump(messagesOut_);
    return {};
}

void TransportLayer::Impl::close() {
    if (closed_) return;
    closed_ = true;
    for (auto& u : udp_)
        u->close();
    for (auto& l : streamListeners_)
        l->close();
    auto conns = std::move(conns_);
    conns_.clear();
    byPeer_.clear();
    for (auto& [id, c] : conns)
        c->stream->close();
    conns.clear();
    updateOpenCount();
}

TransportLayer::Stats TransportLayer::Impl::stats() const {
    auto get = [](const std::atomic<std::uint64_t>& v) {
        return v.load(std::memory_order_relaxed);
    };
    return Stats{get(messagesIn_),      get(messagesOut_),       get(framingErrors_),
                 get(oversized_),       get(slowPeersCut_),      get(idleClosed_),
                 get(connectionsOpen_), get(connectionsRefused_)};
}

// ---------------------------------------------------------------------------------------------
// TransportLayer

TransportLayer::TransportLayer(asio::io_context& context, TransportLimits limits,
                               std::optional<TlsFiles> tls)
    : impl_(std::make_shared<Impl>(context, limits, std::move(tls))) {}

TransportLayer::~TransportLayer() {
    impl_->close();
}

Result<void> TransportLayer::listen(const ListenSpec& spec) {
    return impl_->listen(spec);
}
std::vector<BoundListener> TransportLayer::listeners() const {
    return impl_->listeners();
}
void TransportLayer::onMessage(std::function<void(InboundMessage&&)> handler) {
    impl_->onMessage_ = std::move(handler);
}
void TransportLayer::onConnectFailed(
    std::function<void(Transport, const asio::ip::address&, std::uint16_t)> handler) {
    impl_->connectFailed_ = std::move(handler);
}

void TransportLayer::onStreamError(
    std::function<void(const InboundMessage&, const Error&)> handler) {
    impl_->onStreamError_ = std::move(handler);
}
bool TransportLayer::reply(const InboundMessage& to, std::string bytes) {
    return impl_->reply(to, std::move(bytes));
}
Result<void> TransportLayer::send(Transport transport, const asio::ip::address& address,
                                  std::uint16_t port, std::string bytes,
                                  std::string_view tlsServerName) {
    return impl_->send(transport, address, port, std::move(bytes), tlsServerName);
}
bool TransportLayer::connected(Transport transport, const asio::ip::address& address,
                               std::uint16_t port) const {
    return transport == Transport::udp || impl_->connected(PeerKey{transport, address, port});
}
void TransportLayer::close() {
    impl_->close();
}
TransportLayer::Stats TransportLayer::stats() const {
    return impl_->stats();
}

} // namespace sb::sip
