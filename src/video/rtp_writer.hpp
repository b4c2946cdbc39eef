#pragma once
// One leg's video RTP stream: its own SSRC and sequence numbers in front of the payloads that
// the packetizer made once for every leg (rtp_video.hpp), and its RTCP sender reports (RFC
// 3550 §6.4.1) mapping RTP time to the wall clock, which a receiver needs to put the video in
// sync with the call's audio (RFC 3550 §6.4.1: the same NTP clock for both, and one CNAME,
// §6.5.1).

#include "rtp/media_clock.hpp"
#include "rtp/rtcp_packet.hpp"
#include "video/rtp_video.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sb::video {

struct RtpWriterSettings {
    std::uint8_t payloadType = 96;
    std::uint32_t ssrc = 0;
    std::uint32_t timestampBase = 0; // the RTP timestamp of pts 0 (random, RFC 3550 §5.1)
    std::uint16_t firstSequence = 0; // random too
    std::string cname;               // shared with the call's audio stream
};

class RtpWriter {
public:
    explicit RtpWriter(RtpWriterSettings settings)
        : settings_(std::move(settings)), sequence_(settings_.firstSequence) {}

    // The RTP packets of one access unit at `pts` (90 kHz): `send` gets each datagram.
    template <class Send>
    void write(const Payloads& payloads, std::int64_t pts, Send&& send) {
        for (std::size_t i = 0; i < payloads.size(); ++i) {
            packet(payloads[i], pts, i + 1 == payloads.size());
            send(std::span<const std::uint8_t>(buffer_));
        }
    }

    // A compound RTCP packet: an SR whose NTP time is `wallMicros` (since 1970) and whose RTP
    // timestamp is the same instant on this stream's clock, given that pts 0 was captured at
    // `ptsZeroWallMicros`; then an SDES with the CNAME (RFC 3550 §6.1: every compound has one).
    std::vector<std::byte> senderReport(std::int64_t wallMicros,
                                        std::int64_t ptsZeroWallMicros) const;

    // The compound a leaving sender ends with (RFC 3550 §6.6): its last SR, the SDES, and a
    // BYE, which tells a receiver the stream is over (ffmpeg ends its input on it).
    std::vector<std::byte> goodbye(std::int64_t wallMicros, std::int64_t ptsZeroWallMicros) const;

    std::uint32_t ssrc() const noexcept { return settings_.ssrc; }
    std::uint32_t packetsSent() const noexcept { return packets_; }

private:
    std::vector<rtp::RtcpPacket> report(std::int64_t wallMicros,
                                        std::int64_t ptsZeroWallMicros) const;
    void packet(const std::vector<std::uint8_t>& payload, std::int64_t pts, bool marker);

    RtpWriterSettings settings_;
    std::uint16_t sequence_;
    std::uint32_t packets_ = 0, octets_ = 0;
    std::vector<std::uint8_t> buffer_;
};

} // namespace sb::video
