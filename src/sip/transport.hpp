#pragma once
// The SIP transport layer (RFC 3261 §18) on one worker's io_context: UDP, TCP and TLS
// listeners, stream framing (§18.3), connection reuse (§18.1.1, §18.2.2), RFC 5626 keep-alive
// pongs, and the limits that protect the worker from slow, idle, oversized or too many peers.
// Everything here runs on the io_context's thread: call these functions from it only.

#include "core/result.hpp"
#include "sip/transport_kind.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::sip {

struct ListenSpec {
    Transport transport;
    std::string address;     // IPv4 or IPv6 literal ("0.0.0.0", "::", "127.0.0.1", "::1")
    std::uint16_t port;      // 0 = ephemeral; see listeners()
    std::string advertise{}; // the host put in Via and Contact, if not the address (NAT, names)
};

struct TransportLimits {
    std::size_t maxMessageBytes = 65536;
    // A stream peer must finish a message within this from its first byte, and its first
    // message within this from the TCP accept (a TLS peer its handshake too); an outbound
    // connection its connect and handshake.
    std::chrono::milliseconds messageTimeout{10000};
    std::chrono::seconds idleTimeout{300}; // no bytes either way for this long: close
    // Stream connections, inbound and outbound together; inbound ones may take seven eighths.
    std::size_t maxConnections = 1024;
};

struct TlsFiles {
    std::string certificate, privateKey; // PEM; used by TLS listeners and as client certificate
    std::string caFile;                  // trust anchors for outbound TLS; empty = system store
    bool verifyPeer = true;              // outbound TLS verifies the server's certificate
};

struct InboundMessage {
    std::string bytes;
    Transport transport;
    asio::ip::address remoteAddress;
    std::uint16_t remotePort;
    // For UDP, the listening socket's address (unspecified when bound to 0.0.0.0 or ::).
    asio::ip::address localAddress;
    std::uint16_t localPort;
    std::uint64_t connectionId; // 0 for UDP
};

struct BoundListener {
    Transport transport;
    asio::ip::address address;
    std::uint16_t port;
    std::string advertise{}; // ListenSpec::advertise
};

class TransportLayer {
public:
    TransportLayer(asio::io_context& context, TransportLimits limits = {},
                   std::optional<TlsFiles> tls = std::nullopt);
    // Closes everything; no callback runs afterwards.
    ~TransportLayer();
    TransportLayer(const TransportLayer&) = delete;
    TransportLayer& operator=(const TransportLayer&) = delete;

    // Binds a listener. Errors (Errc::io, or Errc::config for TLS without usable certificate
    // files, Errc::invalid_input for a bad address) name the transport, address, port and the
    // reason.
    Result<void> listen(const ListenSpec& spec);
    // The listeners with their actual ports (port 0 → the ephemeral port chosen).
    std::vector<BoundListener> listeners() const;

    // Every complete message (one datagram, or one framed stream message).
    void onMessage(std::function<void(InboundMessage&&)> handler);
    // A stream message could not be framed (no Content-Length, too large, garbage). `peer.bytes`
    // holds what had been received of it (at most about maxMessageBytes), so that the SIP layer
    // can salvage the headers a response needs. The handler may answer with reply() (e.g. 400
    // or 513) from within the call; the connection is then closed once that write is done (at
    // once when there is no reply).
    void onStreamError(std::function<void(const InboundMessage& peer, const Error&)> handler);

    // An outbound TCP/TLS connection that send() opened failed to connect (or to finish its
    // TLS handshake) in time: the messages queued on it are lost. Called on the io_context,
    // never from within send().
    void onConnectFailed(
        std::function<void(Transport, const asio::ip::address&, std::uint16_t)> handler);

    // Answers on the connection the message came in on (TCP/TLS), or from the socket it came in
    // on to its source address (UDP). False, with nothing sent, when that connection has
    // closed: a response's Via sent-by fallback (RFC 3261 §18.2.2) is the SIP layer's call.
    bool reply(const InboundMessage& to, std::string bytes);

    // Sends to a peer: UDP from a listening socket of the same address family; TCP/TLS over an
    // open connection to that address and port (RFC 3261 §18.1.1), else over a new one. The
    // connect happens in the background: a later failure goes to onConnectFailed().
    // For TLS, `tlsServerName` is the name checked against the certificate (and sent as SNI);
    // empty = the IP address. Errors: no UDP socket of that family, the connection limit,
    // a closed layer, TLS client set-up.
    Result<void> send(Transport transport, const asio::ip::address& address, std::uint16_t port,
                      std::string bytes, std::string_view tlsServerName = {});
    // Whether send() to that address and port would go over a connection already open (or
    // still connecting), in either direction; always true for UDP.
    bool connected(Transport transport, const asio::ip::address& address, std::uint16_t port) const;

    // Closes every socket and connection. Idempotent.
    void close();

    struct Stats {
        std::uint64_t messagesIn, messagesOut, framingErrors, oversized, slowPeersCut, idleClosed,
            connectionsOpen;
        std::uint64_t connectionsRefused; // over maxConnections
    };
    // Safe from any thread (relaxed counters).
    Stats stats() const;

    class Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace sb::sip
