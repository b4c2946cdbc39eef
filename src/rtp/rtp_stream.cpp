#include "rtp/rtp_stream.hpp"

#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"

#include <cstring>

namespace sb::rtp {
namespace {

constexpr std::size_t kMaxPacketBytes = 1500; // one Ethernet MTU: larger media is malformed

} // namespace

RtpStream::RtpStream(std::unique_ptr<PortLease> ports, bool latching)
    : ports_(std::move(ports)), latching_(latching),
      sendBuffer_(kMaxPacketBytes + kSrtpMaxOverhead) {
    ports_->rtp()->start([this](std::span<std::byte> d, const asio::ip::udp::endpoint& from) {
        receive(d, from, false);
    });
    ports_->rtcp()->start([this](std::span<std::byte> d, const asio::ip::udp::endpoint& from) {
        receive(d, from, true);
    });
}

RtpStream::~RtpStream() {
    ports_->rtp()->close();
    ports_->rtcp()->close();
}

asio::ip::address RtpStream::localAddress() const noexcept {
    return ports_->rtp()->localEndpoint().address();
}

void RtpStream::setRemote(const asio::ip::udp::endpoint& rtp, bool rtcpMux) {
    remote_ = rtp;
    rtcpMux_ = rtcpMux;
    remoteRtcp_ = rtcpMux ? rtp
                          : asio::ip::udp::endpoint(rtp.address(),
                                                    static_cast<std::uint16_t>(rtp.port() + 1));
    latched_ = rtcpLatched_ = false;
}

void RtpStream::setSrtp(std::unique_ptr<SrtpSession> in, std::unique_ptr<SrtpSession> out) {
    srtpIn_ = std::move(in);
    srtpOut_ = std::move(out);
}

bool RtpStream::fromPeer(const asio::ip::udp::endpoint& from, bool rtcpPort) const {
    // Not latched yet: any source may become the peer once its packet checks out.
    if (latching_ && !(rtcpPort ? rtcpLatched_ : latched_)) return true;
    const auto& expected = rtcpPort ? remoteRtcp_ : remote_;
    return expected && *expected == from;
}

void RtpStream::receive(std::span<std::byte> datagram, const asio::ip::udp::endpoint& from,
                        bool rtcpPort) {
    // RFC 5761 §4: on the RTP port, RTCP is told apart by its packet type.
    const bool rtcp = rtcpPort || looksLikeRtcp(datagram);
    if (datagram.size() > kMaxPacketBytes + kSrtpMaxOverhead ||
        (rtcp ? datagram.size() < 8 : !parseRtp(datagram))) {
        ++stats_.malformed;
        return;
    }
    if (!fromPeer(from, rtcpPort)) {
        ++stats_.wrongSource;
        return;
    }
    std::size_t length = datagram.size();
    if (srtpIn_) {
        auto plain = rtcp ? srtpIn_->unprotectRtcp(datagram) : srtpIn_->unprotectRtp(datagram);
        if (!plain) {
            ++stats_.srtpRejected;
            return;
        }
        length = *plain;
    }
    auto packet = datagram.first(length);
    if (rtcp && !parseRtcp(packet)) {
        ++stats_.malformed;
        return;
    }
    if (latching_) latch(from, rtcpPort);
    stats_.bytesIn += length;
    if (rtcp) {
        ++stats_.rtcpIn;
        if (onRtcp_) onRtcp_(packet);
    } else {
        ++stats_.rtpIn;
        if (onRtp_) onRtp_(packet);
    }
}

void RtpStream::latch(const asio::ip::udp::endpoint& from, bool rtcpPort) {
    // The first good packet on a port tells where the peer really is (RFC 4961).
    bool& latched = rtcpPort ? rtcpLatched_ : latched_;
    if (latched) return;
    latched = true;
    ++stats_.latched;
    (rtcpPort ? remoteRtcp_ : remote_) = from;
    if (!rtcpPort && rtcpMux_) remoteRtcp_ = from;
}

void RtpStream::sendRtp(std::span<const std::byte> packet) {
    send(packet, false);
}

void RtpStream::sendRtcp(std::span<const std::byte> packet) {
    send(packet, true);
}

void RtpStream::send(std::span<const std::byte> packet, bool rtcp) {
    const auto& to = rtcp ? remoteRtcp_ : remote_;
    if (!to || packet.size() > kMaxPacketBytes) {
        ++stats_.sendFailures;
        return;
    }
    std::memcpy(sendBuffer_.data(), packet.data(), packet.size());
    std::size_t length = packet.size();
    if (srtpOut_) {
        auto sealed = rtcp ? srtpOut_->protectRtcp(sendBuffer_, length)
                           : srtpOut_->protectRtp(sendBuffer_, length);
        if (!sealed) {
            ++stats_.sendFailures;
            return;
        }
        length = *sealed;
    }
    // RTCP goes out of the RTCP socket unless multiplexed.
    const auto& socket = rtcp && !rtcpMux_ ? ports_->rtcp() : ports_->rtp();
    if (!socket->sendTo(std::span(sendBuffer_).first(length), *to)) {
        ++stats_.sendFailures;
        return;
    }
    ++(rtcp ? stats_.rtcpOut : stats_.rtpOut);
    stats_.bytesOut += length;
}

} // namespace sb::rtp
