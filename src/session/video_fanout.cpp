#include "session/video_fanout.hpp"

#include "core/random.hpp"
#include "rtp/rtcp_packet.hpp"
#include "video/rtp_video.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace sb::session {
namespace {

constexpr std::uint8_t kPli = 1, kFir = 4; // payload-specific feedback FMTs (RFC 4585, 5104)
constexpr auto kKeyRequestInterval = std::chrono::milliseconds(300);

void putU32(std::byte* at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        at[i] = static_cast<std::byte>(v >> (24 - 8 * i));
}

} // namespace

void VideoFanout::setSource(room::LegId leg, std::unique_ptr<rtp::RtpStream> stream,
                            video::Codec codec, std::uint8_t payloadType) {
    stream->onRtp(
        [this](std::span<std::byte> packet, const rtp::RtpView& view) { relay(packet, view); });
    source_.emplace(Source{leg, std::move(stream), codec, payloadType});
    sourceSsrc_.reset(); // its first packet asks for a key frame, if anyone waits
    for (auto& [id, receiver] : receivers_)
        receiver.waitingForKey = true; // a new source's stream starts anew
}

std::optional<video::Codec> VideoFanout::codec() const {
    if (!source_) return std::nullopt;
    return source_->codec;
}

void VideoFanout::addReceiver(room::LegId leg, std::unique_ptr<rtp::RtpStream> stream,
                              std::uint8_t payloadType) {
    auto& random = threadRandom();
    Receiver receiver;
    receiver.stream = std::move(stream);
    receiver.payloadType = payloadType;
    receiver.sequence = static_cast<std::uint16_t>(random());
    receiver.timestampOffset = static_cast<std::uint32_t>(random());
    receiver.stream->onRtcp([this](std::span<std::byte> compound) { feedback(compound); });
    receivers_.insert_or_assign(leg, std::move(receiver));
    askForKeyFrame(); // so that the newcomer need not wait for the next one
}

void VideoFanout::updateReceiver(room::LegId leg, std::uint8_t payloadType) {
    if (auto found = receivers_.find(leg); found != receivers_.end())
        found->second.payloadType = payloadType;
}

rtp::RtpStream* VideoFanout::stream(room::LegId leg) {
    if (source_ && source_->leg == leg) return source_->stream.get();
    auto found = receivers_.find(leg);
    return found == receivers_.end() ? nullptr : found->second.stream.get();
}

void VideoFanout::remove(room::LegId leg) {
    if (source_ && source_->leg == leg) {
        stats_.sourceLost += source_->stream->reception().lost();
        source_.reset();
        sourceSsrc_.reset();
        return;
    }
    receivers_.erase(leg);
}

void VideoFanout::relay(std::span<const std::byte> packet, const rtp::RtpView& view) {
    ++stats_.packetsIn;
    const bool first = !sourceSsrc_;
    sourceSsrc_ = view.ssrc;
    if (first) askForKeyFrame(); // for whoever joined before the source's first packet
    const auto payload =
        std::span(reinterpret_cast<const std::uint8_t*>(view.payload.data()), view.payload.size());
    const bool key = video::beginsRandomAccess(source_->codec, payload);
    const auto& captured = source_->stream->peerClock(); // the source's SR: its capture times
    for (auto& [id, receiver] : receivers_) {
        if (receiver.waitingForKey && !key) {
            ++stats_.heldBack;
            continue;
        }
        if (std::exchange(receiver.waitingForKey, false)) // its numbering goes on from here
            receiver.sequenceOffset = static_cast<std::uint16_t>(receiver.sequence - view.sequence);
        const auto sequence = static_cast<std::uint16_t>(view.sequence + receiver.sequenceOffset);
        receiver.sequence = static_cast<std::uint16_t>(sequence + 1);
        buffer_.assign(packet.begin(), packet.end());
        rtp::setSsrc(buffer_, receiver.stream->ssrc());
        rtp::setSequence(buffer_, sequence);
        rtp::setTimestamp(buffer_, view.timestamp + receiver.timestampOffset);
        rtp::setPayloadType(buffer_, receiver.payloadType);
        if (captured)
            receiver.stream->setMediaClock(
                {captured->rtpTimestamp + receiver.timestampOffset, captured->ntpTime});
        receiver.stream->sendRtp(buffer_);
        ++stats_.packetsOut;
    }
}

void VideoFanout::feedback(std::span<const std::byte> compound) {
    auto packets = rtp::parseRtcp(compound);
    if (!packets || !source_) return;
    std::uint8_t worstLoss = 0;
    bool lossReported = false;
    for (const auto& packet : *packets) {
        if (packet.type == rtp::RtcpType::payloadFeedback && !packet.raw.empty()) {
            const auto format = static_cast<std::uint8_t>(packet.raw[0]) & 0x1F;
            if (format == kPli || format == kFir) askForKeyFrame();
        }
        for (const auto& block : packet.reports) {
            worstLoss = std::max(worstLoss, block.fractionLost);
            lossReported = true;
        }
    }
    if (!lossReported || !sourceSsrc_) return;
    // A receiver report of ours about the source, with this receiver's loss (RFC 3550 §6.4.2).
    rtp::RtcpPacket report;
    report.type = rtp::RtcpType::receiverReport;
    report.ssrc = source_->stream->ssrc();
    rtp::ReportBlock block;
    block.ssrc = *sourceSsrc_;
    block.fractionLost = worstLoss;
    report.reports.push_back(block);
    source_->stream->sendRtcp(rtp::writeRtcp({report}));
    ++stats_.lossReports;
}

void VideoFanout::askForKeyFrame() {
    if (!source_ || !sourceSsrc_ || receivers_.empty()) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - lastKeyRequest_ < kKeyRequestInterval) return;
    lastKeyRequest_ = now;
    // An empty receiver report first (RFC 3550 §6.1: a compound starts with one), then the
    // PLI (RFC 4585 §6.3.1): the sender's SSRC, the media source's.
    rtp::RtcpPacket report;
    report.type = rtp::RtcpType::receiverReport;
    report.ssrc = source_->stream->ssrc();
    rtp::RtcpPacket pli;
    pli.type = rtp::RtcpType::payloadFeedback;
    pli.raw.resize(12);
    pli.raw[0] = static_cast<std::byte>(0x80 | kPli);
    pli.raw[1] = static_cast<std::byte>(rtp::RtcpType::payloadFeedback);
    pli.raw[3] = std::byte{2}; // the length in 32-bit words, less one
    putU32(pli.raw.data() + 4, source_->stream->ssrc());
    putU32(pli.raw.data() + 8, *sourceSsrc_);
    source_->stream->sendRtcp(rtp::writeRtcp({report, pli}));
    ++stats_.keyFrameRequests;
}

} // namespace sb::session
