#include "rtp/forwarder.hpp"

#include "rtp/rtp_packet.hpp"

namespace sb::rtp {

bool RtpForwarder::rewrite(std::span<std::byte> packet, const RtpView& view,
                           Clock::time_point now) {
    const auto mapping = options_.payloadTypes.find(view.payloadType);
    if (mapping == options_.payloadTypes.end()) {
        ++dropped_;
        return false;
    }
    if (!inSsrc_ || *inSsrc_ != view.ssrc) {
        // A new source: our numbering goes on from where it was, the timestamp advanced by the
        // time that passed (at least one tick), so the far end sees one continuous stream.
        std::uint16_t nextSequence = options_.firstSequence;
        std::uint32_t nextTimestamp = options_.firstTimestamp;
        if (inSsrc_) {
            const auto elapsed =
                std::chrono::duration_cast<std::chrono::milliseconds>(now - lastSent_).count();
            const auto ticks =
                std::max<std::int64_t>(1, elapsed * mapping->second.clockRate / 1000);
            nextSequence = static_cast<std::uint16_t>(lastSequence_ + 1);
            nextTimestamp = lastTimestamp_ + static_cast<std::uint32_t>(ticks);
        }
        inSsrc_ = view.ssrc;
        sequenceOffset_ = static_cast<std::uint16_t>(nextSequence - view.sequence);
        timestampOffset_ = nextTimestamp - view.timestamp;
    }
    lastSequence_ = static_cast<std::uint16_t>(view.sequence + sequenceOffset_);
    lastTimestamp_ = view.timestamp + timestampOffset_;
    lastSent_ = now;
    setSsrc(packet, options_.ssrc);
    setSequence(packet, lastSequence_);
    setTimestamp(packet, lastTimestamp_);
    setPayloadType(packet, mapping->second.to);
    ++forwarded_;
    return true;
}

std::uint16_t RtpForwarder::takeSequence() noexcept {
    if (!inSsrc_) return options_.firstSequence++;
    ++sequenceOffset_;
    return ++lastSequence_;
}

std::uint32_t RtpForwarder::timestampAt(Clock::time_point now,
                                        std::uint32_t clockRate) const noexcept {
    if (!inSsrc_) return options_.firstTimestamp;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - lastSent_);
    return lastTimestamp_ + static_cast<std::uint32_t>(elapsed.count() * clockRate / 1000);
}

} // namespace sb::rtp
