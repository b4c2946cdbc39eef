#include "rtp/rtp_stream.hpp"

#include "core/random.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"

#include <cstring>
#include <random>

namespace sb::rtp {

StreamStats& StreamStats::operator+=(const StreamStats& s) noexcept {
    rtpIn += s.rtpIn;
    rtcpIn += s.rtcpIn;
    rtpOut += s.rtpOut;
    rtcpOut += s.rtcpOut;
    bytesIn += s.bytesIn;
    bytesOut += s.bytesOut;
    malformed += s.malformed;
    wrongSource += s.wrongSource;
    srtpRejected += s.srtpRejected;
    sendFailures += s.sendFailures;
    latched += s.latched;
    reportsSent += s.reportsSent;
    return *this;
}
namespace {

constexpr std::size_t kMaxPacketBytes = 1500; // one Ethernet MTU: larger media is malformed

} // namespace

RtpStream::RtpStream(std::unique_ptr<PortLease> ports, bool latching)
    : ports_(std::move(ports)), latching_(latching),
      sendBuffer_(kMaxPacketBytes + kSrtpMaxOverhead),
      ssrc_(static_cast<std::uint32_t>(threadRandom()())) {
    // Receive buffers of what receive() takes: a larger datagram is malformed either way.
    constexpr std::size_t kLargest = kMaxPacketBytes + kSrtpMaxOverhead;
    ports_->rtp()->start([this](std::span<std::byte> d,
                                const asio::ip::udp::endpoint& from) { receive(d, from, false); },
                         1, kLargest);
    ports_->rtcp()->start([this](std::span<std::byte> d,
                                 const asio::ip::udp::endpoint& from) { receive(d, from, true); },
                          1, kLargest);
}

RtpStream::~RtpStream() {
    if (reportTimer_) {
        reportTimer_->cancel();
        if (packetsSent_ > 0) sendReport(true); // §6.6: BYE when a source leaves
    }
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
    // The RTP header is read once: SRTP leaves it in the clear (RFC 3711 §3.1), but not the
    // padding's count, which is read again once decrypted.
    auto header =
        rtcp
            ? std::nullopt
            : std::optional(parseRtp(datagram, srtpIn_ ? RtpPadding::encrypted : RtpPadding::read));
    if (datagram.size() > kMaxPacketBytes + kSrtpMaxOverhead ||
        (rtcp ? datagram.size() < 8 : !*header)) {
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
    if (rtcp) {
        auto reports = parseRtcp(packet);
        if (!reports) {
            ++stats_.malformed;
            return;
        }
        if (reports->front().type == RtcpType::senderReport) {
            const auto& sender = reports->front().sender;
            lastSr_ = static_cast<std::uint32_t>(sender.ntpTime >> 16);
            lastSrArrival_ = std::chrono::steady_clock::now();
            peerClock_ = MediaClock{sender.rtpTimestamp, sender.ntpTime};
        }
    } else {
        // SRTP shortened the packet by its tag: the payload is read again from the plain one.
        if (srtpIn_) *header = parseRtp(packet);
        if (!*header) {
            ++stats_.malformed;
            return;
        }
        const RtpView& view = header->value();
        if (peerSsrc_ != view.ssrc) reception_ = {}; // a new source starts its own record
        peerSsrc_ = view.ssrc;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
        reception_.received(
            view.sequence, view.timestamp,
            static_cast<std::uint32_t>(static_cast<std::uint64_t>(ms) * clockRate_ / 1000));
    }
    if (latching_) latch(from, rtcpPort);
    stats_.bytesIn += length;
    if (rtcp) {
        ++stats_.rtcpIn;
        if (onRtcp_) onRtcp_(packet);
    } else {
        ++stats_.rtpIn;
        if (onRtp_) onRtp_(packet, header->value());
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
    // SRTP protects a copy (it grows the packet by its tag); plain RTP goes as it is.
    std::span<const std::byte> out = packet;
    if (srtpOut_) {
        std::memcpy(sendBuffer_.data(), packet.data(), packet.size());
        auto sealed = rtcp ? srtpOut_->protectRtcp(sendBuffer_, packet.size())
                           : srtpOut_->protectRtp(sendBuffer_, packet.size());
        if (!sealed) {
            ++stats_.sendFailures;
            return;
        }
        out = std::span(sendBuffer_).first(*sealed);
    }
    const std::size_t length = out.size();
    // RTCP goes out of the RTCP socket unless multiplexed.
    const auto& socket = rtcp && !rtcpMux_ ? ports_->rtcp() : ports_->rtp();
    if (!socket->sendTo(out, *to)) {
        ++stats_.sendFailures;
        return;
    }
    ++(rtcp ? stats_.rtcpOut : stats_.rtpOut);
    stats_.bytesOut += length;
    if (!rtcp) {
        if (auto view = parseRtp(packet)) {
            ++packetsSent_;
            octetsSent_ += static_cast<std::uint32_t>(view->payload.size());
            lastTimestampSent_ = view->timestamp;
            lastSentAt_ = std::chrono::steady_clock::now();
            sentSinceReport_ = true;
        }
    }
}

void RtpStream::startReports(std::string cname, std::uint32_t clockRate,
                             std::chrono::milliseconds interval) {
    cname_ = std::move(cname);
    clockRate_ = clockRate;
    interval_ = interval;
    if (reportTimer_) return; // already reporting: the new clock rate applies from now
    reportTimer_.emplace(ports_->context());
    scheduleReport();
}

void RtpStream::setMediaClock(const MediaClock& clock) {
    const bool first = !mediaClock_;
    mediaClock_ = clock;
    if (first && reportTimer_)
        reportTimer_->after(std::chrono::milliseconds(100), [this] {
            sendReport(false);
            scheduleReport();
        });
}

void RtpStream::scheduleReport() {
    // §6.3.1: a random factor in [0.5, 1.5] keeps the participants' reports from aligning.
    const double factor = std::uniform_real_distribution<double>(0.5, 1.5)(threadRandom());
    reportTimer_->after(std::chrono::milliseconds(static_cast<std::int64_t>(
                            static_cast<double>(interval_.count()) * factor)),
                        [this] {
                            sendReport(false);
                            scheduleReport();
                        });
}

void RtpStream::sendReport(bool bye) {
    std::vector<RtcpPacket> compound(1);
    RtcpPacket& report = compound.front();
    report.ssrc = ssrc_;
    if (sentSinceReport_ || (bye && packetsSent_ > 0)) {
        report.type = RtcpType::senderReport; // §6.4.1
        // The RTP time of now: from the capture times we were given, or else from the last
        // packet's timestamp, moved on by the time since it went.
        const std::uint64_t now = ntpNow();
        const auto since = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - lastSentAt_)
                               .count();
        const std::uint32_t rtpNow =
            mediaClock_
                ? rtpTimestampAt(*mediaClock_, now, clockRate_)
                : lastTimestampSent_ + static_cast<std::uint32_t>(
                                           since * static_cast<std::int64_t>(clockRate_) / 1000000);
        report.sender = {now, rtpNow, packetsSent_, octetsSent_};
    } else {
        report.type = RtcpType::receiverReport; // §6.4.2
    }
    if (peerSsrc_ && reception_.started()) {
        std::uint32_t delay = 0;
        if (lastSr_ != 0) {
            const auto since = std::chrono::steady_clock::now() - lastSrArrival_;
            delay = static_cast<std::uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(since).count() * 65536 /
                1000000);
        }
        report.reports.push_back(reception_.report(*peerSsrc_, lastSr_, delay));
    }
    RtcpPacket sdes; // §6.5.1: CNAME in every compound
    sdes.type = RtcpType::sourceDescription;
    sdes.chunks.push_back({ssrc_, {{1, cname_}}});
    compound.push_back(std::move(sdes));
    if (bye) {
        RtcpPacket goodbye;
        goodbye.type = RtcpType::bye;
        goodbye.byeSources = {ssrc_};
        compound.push_back(std::move(goodbye));
    }
    sentSinceReport_ = false;
    sendRtcp(writeRtcp(compound));
    ++stats_.reportsSent;
}

} // namespace sb::rtp
