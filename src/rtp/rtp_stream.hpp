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

#include "net/timer.hpp"
#include "net/udp_socket.hpp"
#include "rtp/media_clock.hpp"
#include "rtp/port_pool.hpp"
#include "rtp/reception.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/srtp.hpp"

#include <asio/ip/udp.hpp>
#include <chrono>
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
    std::uint64_t latched = 0;     // times the peer's address was learnt from its packets
    std::uint64_t reportsSent = 0; // RTCP compounds of our own

    StreamStats& operator+=(const StreamStats& s) noexcept;
};

class RtpStream {
public:
    // The packet, decrypted, as a writable view (the relay rewrites it in place).
    using Handler = std::function<void(std::span<std::byte> packet)>;
    // An RTP packet, decrypted, with its header as already read (read once per packet).
    using RtpHandler = std::function<void(std::span<std::byte> packet, const RtpView& view)>;

    RtpStream(std::unique_ptr<PortLease> ports, bool latching);
    ~RtpStream();
    RtpStream(const RtpStream&) = delete;
    RtpStream& operator=(const RtpStream&) = delete;

    // Where the peer said (its SDP): RTP there, RTCP on the next port or, with rtcp-mux
    // (RFC 5761), on the RTP port.
    void setRemote(const asio::ip::udp::endpoint& rtp, bool rtcpMux);
    // SRTP for this leg: `in` unprotects what arrives, `out` protects what leaves.
    void setSrtp(std::unique_ptr<SrtpSession> in, std::unique_ptr<SrtpSession> out);
    // One direction's alone, the other's context kept (with its rollover counter).
    void setSrtpIn(std::unique_ptr<SrtpSession> in) { srtpIn_ = std::move(in); }
    void setSrtpOut(std::unique_ptr<SrtpSession> out) { srtpOut_ = std::move(out); }
    void onRtp(RtpHandler handler) { onRtp_ = std::move(handler); }
    void onRtcp(Handler handler) { onRtcp_ = std::move(handler); }

    void sendRtp(std::span<const std::byte> packet);
    void sendRtcp(std::span<const std::byte> packet);

    // Our SSRC on this leg: what goes out on it carries it (the bridge stamps it), and our RTCP.
    std::uint32_t ssrc() const noexcept { return ssrc_; }
    // RTCP of our own (RFC 3550 §6): every `interval` (randomised ×0.5–1.5, §6.3.1) an SR if we
    // sent since the last report, else an RR, with a report block on what we received, and
    // SDES CNAME; a BYE when the stream ends. `clockRate`: the codec's RTP clock, for the
    // jitter and our reports' RTP time.
    void startReports(std::string cname, std::uint32_t clockRate,
                      std::chrono::milliseconds interval = std::chrono::seconds(5));
    const ReceptionStats& reception() const noexcept { return reception_; }
    // The far end's last sender report: its RTP time against the wall clock.
    const std::optional<MediaClock>& peerClock() const noexcept { return peerClock_; }
    // When what we send at an RTP time of ours was captured, for our sender reports (a relay
    // or a mixer passes its source's capture times on, so that a receiver can put our audio
    // and video in sync). Without it, an RTP time counts from when its packet went. The first
    // brings a report forward: the receiver learns the new timing now, not an interval on.
    void setMediaClock(const MediaClock& clock);

    std::uint16_t localPort() const noexcept { return ports_->port(); }
    asio::io_context& context() const noexcept { return ports_->context(); }
    asio::ip::address localAddress() const noexcept;
    const std::optional<asio::ip::udp::endpoint>& remote() const noexcept { return remote_; }
    const StreamStats& stats() const noexcept { return stats_; }

private:
    void receive(std::span<std::byte> datagram, const asio::ip::udp::endpoint& from, bool rtcpPort);
    bool fromPeer(const asio::ip::udp::endpoint& from, bool rtcpPort) const;
    void latch(const asio::ip::udp::endpoint& from, bool rtcpPort);
    void send(std::span<const std::byte> packet, bool rtcp);
    void scheduleReport();
    void sendReport(bool bye);

    std::unique_ptr<PortLease> ports_;
    bool latching_;
    bool latched_ = false, rtcpLatched_ = false;
    bool rtcpMux_ = false;
    std::optional<asio::ip::udp::endpoint> remote_, remoteRtcp_;
    std::unique_ptr<SrtpSession> srtpIn_, srtpOut_;
    RtpHandler onRtp_;
    Handler onRtcp_;
    std::vector<std::byte> sendBuffer_;
    StreamStats stats_;
    // RTCP bookkeeping.
    std::uint32_t ssrc_;
    std::optional<std::uint32_t> peerSsrc_;
    ReceptionStats reception_;
    std::uint32_t clockRate_ = 8000;
    std::string cname_;
    std::chrono::milliseconds interval_{0};
    std::optional<net::Timer> reportTimer_; // never fires once the stream has gone
    std::uint32_t packetsSent_ = 0, octetsSent_ = 0, lastTimestampSent_ = 0;
    std::chrono::steady_clock::time_point lastSentAt_{};
    std::optional<MediaClock> peerClock_, mediaClock_;
    bool sentSinceReport_ = false;
    std::uint32_t lastSr_ = 0; // the middle of the peer's last SR's NTP time (§6.4.1 LSR)
    std::chrono::steady_clock::time_point lastSrArrival_{};
};

} // namespace sb::rtp
