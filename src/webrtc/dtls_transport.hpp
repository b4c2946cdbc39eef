#pragma once
// DTLS 1.2 over an ICE connection (RFC 6347, RFC 8842), with OpenSSL: the handshake in the role
// that a=setup gave, the peer's certificate checked against the fingerprint its description gave
// (RFC 8122), application data (SCTP packets) both ways, and the SRTP keys of DTLS-SRTP
// (RFC 5764 §4.2) once the handshake is done.
//
// It owns no socket and no timer: the owner feeds it each datagram that ICE received
// (receive()), sends each datagram it produces (Handlers::send, one call per datagram), and
// calls onTimeout() when nextTimeout() has passed (RFC 6347 §4.2.4 retransmission). One
// thread, the owner's; not thread-safe.

#include "core/result.hpp"
#include "webrtc/dcep.hpp"
#include "webrtc/dtls_identity.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;
using BIO = struct bio_st;

namespace sb::webrtc {

// The keying material of DTLS-SRTP for the negotiated protection profile (RFC 5764 §4.2):
// each side's master key and salt.
struct SrtpKeying {
    std::string profile; // OpenSSL's name: "SRTP_AES128_CM_SHA1_80", "SRTP_AEAD_AES_128_GCM"
    std::vector<std::uint8_t> clientKey, clientSalt, serverKey, serverSalt;
    // What we send with, and what we receive with, given our role.
    std::vector<std::uint8_t> localKeyAndSalt(DtlsRole role) const;
    std::vector<std::uint8_t> remoteKeyAndSalt(DtlsRole role) const;
};

class DtlsTransport {
public:
    enum class State : std::uint8_t { idle, handshaking, connected, closed, failed };
    struct Handlers {
        std::function<void(std::span<const std::byte> datagram)> send;
        std::function<void()> connected;
        std::function<void(std::span<const std::byte> data)> received;
        std::function<void(const Error& why)> failed; // once; the transport is over
        std::function<void()> closed;                 // the peer's close_notify
    };

    struct Options {
        // The largest datagram to send: what fits IPv6's smallest MTU (1280, RFC 8200 §5) less
        // its header (40), UDP's (8) and a TURN ChannelData header (4, RFC 8656 §12.4). With
        // DataTransport::kDtlsOverhead that leaves SCTP packets of 1,191 bytes, the size the
        // browsers' stacks send, so neither end reassembles more packets per message.
        std::size_t mtu = 1228;
        // RFC 6347 §4.2.4.1: a lost flight is sent again after 1 s, then after twice as long
        // each time, up to 60 s.
        std::chrono::milliseconds firstRetransmit{1000};
    };
    // `peer`: the fingerprints the peer's description gave.
    static Result<std::unique_ptr<DtlsTransport>> make(const DtlsIdentity& identity, DtlsRole role,
                                                       std::vector<Fingerprint> peer,
                                                       Handlers handlers, Options options);
    ~DtlsTransport();
    DtlsTransport(const DtlsTransport&) = delete;
    DtlsTransport& operator=(const DtlsTransport&) = delete;

    // The client sends its ClientHello; the server waits for one.
    void start();
    // A datagram whose records are not framed as DTLS's is dropped and counted (dropped()).
    void receive(std::span<const std::byte> datagram);
    // Application data, once connected; Errc::incomplete before.
    Result<void> send(std::span<const std::byte> data);
    // How long until onTimeout() is due, while the handshake waits for the peer.
    std::optional<std::chrono::milliseconds> nextTimeout() const;
    void onTimeout();
    // Sends close_notify (RFC 5246 §7.2.1) and ends the transport.
    void close();

    State state() const noexcept { return state_; }
    DtlsRole role() const noexcept { return role_; }
    // Once connected, when both sides offered a common SRTP profile (use_srtp, RFC 5764 §4.1.2).
    const std::optional<SrtpKeying>& srtp() const noexcept { return srtp_; }
    std::uint64_t dropped() const noexcept { return dropped_; }

private:
    DtlsTransport(DtlsRole role, std::vector<Fingerprint> peer, Handlers handlers);
    static int writeDatagram(BIO* bio, const char* data, int size);
    static long control(BIO* bio, int command, long number, void* pointer);
    // Moves the handshake on, or reads what has arrived once connected.
    void drive();
    void handshakeDone();
    void fail(const Error& why);

    struct FreeSsl {
        void operator()(SSL* s) const noexcept;
    };
    struct FreeContext {
        void operator()(SSL_CTX* c) const noexcept;
    };
    DtlsRole role_;
    std::vector<Fingerprint> peer_;
    Handlers handlers_;
    Options options_;
    std::unique_ptr<SSL_CTX, FreeContext> context_;
    std::unique_ptr<SSL, FreeSsl> ssl_;
    BIO* incoming_ = nullptr; // owned by ssl_
    State state_ = State::idle;
    std::optional<SrtpKeying> srtp_;
    std::uint64_t dropped_ = 0;
};

} // namespace sb::webrtc
