#pragma once
// Pass-through of RTP from one leg to the other, without decoding (codec negotiation's
// "direct" stage). Each packet is rewritten in place: its SSRC becomes the one we use towards
// the other leg, its sequence number and timestamp continue ours even when the incoming side
// changes (a new SSRC after a re-INVITE or a transfer, RFC 3550 §8.2 collisions alike), and its
// payload type becomes the number the other leg uses for the same codec.

#include "rtp/rtp_packet.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>

namespace sb::rtp {

class RtpForwarder {
public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::uint32_t ssrc = 0; // ours, towards the other leg
        std::uint16_t firstSequence = 0;
        std::uint32_t firstTimestamp = 0;
        // Incoming payload type → outgoing, with the codec's RTP clock rate. A type not listed
        // is dropped (the other leg did not agree to it).
        struct Mapping {
            std::uint8_t to = 0;
            std::uint32_t clockRate = 8000;
        };
        std::map<std::uint8_t, Mapping> payloadTypes;
    };

    explicit RtpForwarder(Options options) : options_(std::move(options)) {}

    // Rewrites `packet` (a decrypted RTP packet, `view` its parse) for the other leg; false when
    // it must be dropped instead.
    bool rewrite(std::span<std::byte> packet, const RtpView& view, Clock::time_point now);

    // For a packet of our own in the relayed stream (an RFC 4733 event made from SIP INFO): the
    // next sequence number, which the packets relayed after it then make room for, and where
    // our timestamps stand at `now` in a `clockRate` clock.
    std::uint16_t takeSequence() noexcept;
    // The sequence number the next packet of ours would carry (without taking it).
    std::uint16_t nextSequence() const noexcept {
        return inSsrc_ ? static_cast<std::uint16_t>(lastSequence_ + 1) : options_.firstSequence;
    }
    std::uint32_t timestampAt(Clock::time_point now, std::uint32_t clockRate) const noexcept;

    std::uint64_t forwarded() const noexcept { return forwarded_; }
    std::uint64_t dropped() const noexcept { return dropped_; }

private:
    Options options_;
    std::optional<std::uint32_t> inSsrc_;
    std::uint16_t sequenceOffset_ = 0;
    std::uint32_t timestampOffset_ = 0;
    std::uint16_t lastSequence_ = 0; // the last we sent
    std::uint32_t lastTimestamp_ = 0;
    Clock::time_point lastSent_{};
    std::uint64_t forwarded_ = 0, dropped_ = 0;
};

} // namespace sb::rtp
