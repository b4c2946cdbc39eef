#pragma once
// Media time against the wall clock (RFC 3550 §6.4.1): a sender report pairs an RTP time of a
// stream with an NTP time, and a receiver that has such a pair for a call's audio and for its
// video plays the two in sync. A relay or a mixer passes its source's pairs on, shifted to its
// own streams' numbering, so that what it sends keeps its capture times.

#include <cstdint>

namespace sb::rtp {

// One instant on both clocks: an RTP timestamp of a stream and the NTP time (RFC 5905 §6:
// 32.32 fixed point, seconds since 1900) the media at that timestamp was captured.
struct MediaClock {
    std::uint32_t rtpTimestamp = 0;
    std::uint64_t ntpTime = 0;
};

// The NTP time of a wall-clock time in microseconds since 1970; the wall clock's now.
std::uint64_t ntpFromUnixMicros(std::int64_t micros);
std::uint64_t ntpNow();

// The RTP timestamp at NTP time `ntp`, on a clock of `clockRate` ticks a second, from `clock`.
std::uint32_t rtpTimestampAt(const MediaClock& clock, std::uint64_t ntp, std::uint32_t clockRate);
// The NTP time of RTP timestamp `timestamp`, likewise (within half the RTP clock's wrap).
std::uint64_t ntpTimeAt(const MediaClock& clock, std::uint32_t timestamp, std::uint32_t clockRate);

} // namespace sb::rtp
