#include "video/rtp_writer.hpp"

#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"

#include <cstring>

namespace sb::video {

void RtpWriter::packet(const std::vector<std::uint8_t>& payload, std::int64_t pts, bool marker) {
    buffer_.resize(rtp::kFixedHeaderBytes + payload.size());
    rtp::RtpHeaderFields header;
    header.marker = marker; // the last packet of the access unit (RFC 6184 §5.1)
    header.payloadType = settings_.payloadType;
    header.sequence = sequence_++;
    header.timestamp = settings_.timestampBase + static_cast<std::uint32_t>(pts);
    header.ssrc = settings_.ssrc;
    rtp::writeRtpHeader(std::as_writable_bytes(std::span(buffer_)), header);
    std::memcpy(buffer_.data() + rtp::kFixedHeaderBytes, payload.data(), payload.size());
    ++packets_;
    octets_ += static_cast<std::uint32_t>(payload.size());
}

std::vector<rtp::RtcpPacket> RtpWriter::report(std::int64_t wallMicros,
                                               std::int64_t ptsZeroWallMicros) const {
    rtp::RtcpPacket sr;
    sr.type = rtp::RtcpType::senderReport;
    sr.ssrc = settings_.ssrc;
    sr.sender.ntpTime = rtp::ntpFromUnixMicros(wallMicros);
    const std::int64_t elapsed = wallMicros - ptsZeroWallMicros;
    sr.sender.rtpTimestamp =
        settings_.timestampBase + static_cast<std::uint32_t>(elapsed * kVideoClock / 1000000);
    sr.sender.packetCount = packets_;
    sr.sender.octetCount = octets_;
    rtp::RtcpPacket description;
    description.type = rtp::RtcpType::sourceDescription;
    description.chunks.push_back({settings_.ssrc, {{1, settings_.cname}}});
    return {sr, description};
}

std::vector<std::byte> RtpWriter::senderReport(std::int64_t wallMicros,
                                               std::int64_t ptsZeroWallMicros) const {
    return rtp::writeRtcp(report(wallMicros, ptsZeroWallMicros));
}

std::vector<std::byte> RtpWriter::goodbye(std::int64_t wallMicros,
                                          std::int64_t ptsZeroWallMicros) const {
    auto packets = report(wallMicros, ptsZeroWallMicros);
    rtp::RtcpPacket bye;
    bye.type = rtp::RtcpType::bye;
    bye.byeSources = {settings_.ssrc};
    packets.push_back(std::move(bye));
    return rtp::writeRtcp(packets);
}

} // namespace sb::video
