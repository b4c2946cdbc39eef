#include "rtp/media_clock.hpp"

#include "core/clock.hpp"

namespace sb::rtp {

std::uint64_t ntpFromUnixMicros(std::int64_t micros) {
    constexpr std::uint64_t kUnixToNtpSeconds = 2208988800ULL; // 1900 → 1970
    const auto seconds = static_cast<std::uint64_t>(micros / 1000000) + kUnixToNtpSeconds;
    const auto fraction = (static_cast<std::uint64_t>(micros % 1000000) << 32) / 1000000;
    return seconds << 32 | fraction;
}

std::uint64_t ntpNow() {
    return ntpFromUnixMicros(unixTimeMicros());
}

std::uint32_t rtpTimestampAt(const MediaClock& clock, std::uint64_t ntp, std::uint32_t clockRate) {
    // Seconds in 32.32 times ticks a second: the ticks, in 32.32 (no overflow for six hours
    // at 90 kHz).
    const auto elapsed = static_cast<std::int64_t>(ntp - clock.ntpTime);
    const std::int64_t ticks = (elapsed * static_cast<std::int64_t>(clockRate)) >> 32;
    return clock.rtpTimestamp + static_cast<std::uint32_t>(ticks);
}

std::uint64_t ntpTimeAt(const MediaClock& clock, std::uint32_t timestamp, std::uint32_t clockRate) {
    const auto ticks = static_cast<std::int32_t>(timestamp - clock.rtpTimestamp);
    const std::int64_t elapsed = (static_cast<std::int64_t>(ticks) << 32) / clockRate;
    return clock.ntpTime + static_cast<std::uint64_t>(elapsed);
}

} // namespace sb::rtp
