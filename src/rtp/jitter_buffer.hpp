#pragma once
// An adaptive jitter buffer for media that is played out on a clock (the conference mixer takes
// one frame per participant every tick): packets arrive early, late, out of order or not at all,
// and leave in sequence order, one at a time, when the player asks for the next.
//
// It holds back enough audio to ride out the jitter it has seen: the target depth follows the
// interarrival jitter of RFC 3550 §6.4.1 (A.8) — three times the jitter plus one packet, kept
// between a floor and a ceiling. Playout starts once the target is buffered. When the next
// packet is missing but later ones are there, it is lost (the player conceals it); when nothing
// is there at all the player is ahead of the sender, and the wait for the late packet deepens
// the buffer by one packet (the buffer grows when the network gets worse). When the buffer has
// held more than it needs for a second on end it drops one packet (it shrinks again, one
// packet's time of latency at a time). A packet that arrives after its turn is dropped and
// counted; so are duplicates.
//
// Sequence numbers are compared in 16-bit serial arithmetic, so wrapping is seamless; a jump of
// more than the buffer can hold (a new source, a restart) starts the buffer afresh.

#include "rtp/rtp_packet.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sb::rtp {

class JitterBuffer {
public:
    using Clock = std::chrono::steady_clock;

    struct Options {
        std::uint32_t clockRate = 8000; // the stream's RTP clock
        std::chrono::milliseconds minDelay{20}, maxDelay{200};
        std::size_t capacity = 64; // packets held at most
    };
    explicit JitterBuffer(Options options);

    // A received packet (parseRtp() accepted it); false when it is dropped (late, duplicate).
    bool push(const RtpView& packet, Clock::time_point arrival);

    struct Playout {
        enum class Kind {
            packet,  // `payload` is the next packet's
            lost,    // the next packet is missing: conceal one packet's worth
            waiting, // nothing to play yet (buffering, or the stream has paused): silence
        } kind = Kind::waiting;
        std::span<const std::byte> payload; // valid until the next push() or next()
        std::uint8_t payloadType = 0;
        std::uint32_t timestamp = 0;
    };
    // The next packet in order, when the player needs one.
    Playout next();

    struct Stats {
        std::uint64_t played = 0, lost = 0, late = 0, duplicates = 0, dropped = 0, resets = 0;

        Stats& operator+=(const Stats& s) noexcept;
    };
    const Stats& stats() const noexcept { return stats_; }
    // The depth it aims for now, and what it holds (in time, from the packets' timestamps).
    std::chrono::milliseconds targetDelay() const noexcept;
    std::chrono::milliseconds bufferedDelay() const noexcept;

private:
    struct Slot {
        bool used = false;
        std::uint16_t sequence = 0;
        std::uint32_t timestamp = 0;
        std::uint8_t payloadType = 0;
        std::vector<std::byte> payload;
    };
    Slot& slot(std::uint16_t sequence) { return slots_[sequence % slots_.size()]; }
    const Slot* find(std::uint16_t sequence) const;
    void clear();
    void updateJitter(std::uint32_t timestamp, Clock::time_point arrival);
    std::uint32_t toTicks(std::chrono::milliseconds ms) const noexcept;

    Options options_;
    std::vector<Slot> slots_;
    std::size_t held_ = 0;
    bool started_ = false;               // playing out; else buffering
    std::uint16_t next_ = 0;             // the sequence number played next (once started)
    std::uint16_t lowest_ = 0;           // while buffering: the earliest held
    std::uint32_t highestTimestamp_ = 0; // of what is held
    std::uint32_t packetTicks_ = 0;      // one packet's length in RTP ticks, as seen
    std::uint32_t extraTicks_ = 0;       // depth added by stalls
    int stalls_ = 0;                     // consecutive next() calls with nothing held
    int deepTicks_ = 0;                  // consecutive next() calls with more held than needed
    // RFC 3550 A.8: jitter in RTP ticks, from transit times.
    std::optional<std::int64_t> lastTransit_;
    double jitter_ = 0;
    Clock::time_point epoch_ = Clock::now();
    Stats stats_;
    std::vector<std::byte> played_; // the payload next() hands out
};

} // namespace sb::rtp
