#pragma once
// One leg's media endpoint: its leased RTP and RTCP sockets, where the peer is, SRTP if the leg
// has it, and the checks every received datagram passes before anything uses it: it must parse
// as RTP or RTCP, come from the peer (or be latched on, below), and authenticate under SRTP.
// What fails is dropped and counted, never passed on.
//
// Latching (symmetric RTP, RFC 4961; what rtpengine and Kamailio call "comedia"): a phone
// behind NAT sends from an address its SDP does not know. With latching on, the first packet
// that passes the other checks sets where this stream sends, and later packets must come from
// there; setRemote() (a new offer or answer) latches anew.

#include "net/udp_socket.hpp"
#include "rtp/port_pool.hpp"
#include "rtp/srtp.hpp"

#include <asio/ip/udp.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace sb::rtp {

struct StreamStats {
    std::uint64_t rtpIn = 0, rtcpIn = 0, rtpOut = 0, rtcpOut = 0;
    std::uint64_t bytesIn = 0, bytesOut = 0;
    std::uint64_t malformed = 0;    // neither RTP nor RTCP, or oversized
    std::uint64_t wrongSource = 0;  // from an address that is not the peer's
    std::uint64_t srtpRejected = 0; // failed authentication or replayed
    std::uint64_t sendFailures = 0;
    std::uint64_t latched = 0; // times the peer's address was learnt from its packets
};

class RtpStream {
public:
    // The packet, decrypted, as a writable view (the relay rewrites it in place).
    using Handler = std::function<void(std::span<std::byte> packet)>;

    RtpStream(std::unique_ptr<PortLease> ports, bool latching);
    ~RtpStream();
    RtpStream(const RtpStream&) = delete;
    RtpStream& operator=(const RtpStream&) = delete;

    // Where the peer said (its SDP): RTP there, RTCP on the next port or, with rtcp-mux
    // (RFC 5761), on the RTP port.
    void setRemote(const asio::ip::udp::endpoint& rtp, bool rtcpMux);
    // SRTP for this leg: `in` unprotects what arrives, `out` protects what leaves.
    void setSrtp(std::unique_ptr<SrtpSession> in, std::unique_ptr<SrtpSession> out);
    void onRtp(Handler handler) { onRtp_ = std::move(handler); }
    void onRtcp(Handler handler) { onRtcp_ = std::move(handler); }

    void sendRtp(std::span<const std::byte> packet);
    void sendRtcp(std::span<const std::byte> packet);

    std::uint16_t localPort() const noexcept { return ports_->port(); }
    asio::ip::address localAddress() const noexcept;
    const std::optional<asio::ip::udp::endpoint>& remote() const noexcept { return remote_; }
    const StreamStats& stats() const noexcept { return stats_; }

private:
    void receive(std::span<std::byte> datagram, const asio::ip::udp::endpoint& from, bool rtcpPort);
    bool fromPeer(const asio::ip::udp::endpoint& from, bool rtcpPort) const;
    void latch(const asio::ip::udp::endpoint& from, bool rtcpPort);
    void send(std::span<const std::byte> packet, bool rtcp);

    std::unique_ptr<PortLease> ports_;
    bool latching_;
    bool latched_ = false, rtcpLatched_ = false;
    bool rtcpMux_ = false;
    std::optional<asio::ip::udp::endpoint> remote_, remoteRtcp_;
    std::unique_ptr<SrtpSession> srtpIn_, srtpOut_;
    Handler onRtp_, onRtcp_;
    std::vector<std::byte> sendBuffer_;
    StreamStats stats_;
};

} // namespace sb::rtp
