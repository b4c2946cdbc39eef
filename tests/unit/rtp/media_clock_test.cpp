// Media time against the wall clock: an RTP time and an NTP time, each from the other, across
// the RTP clock's wrap and in either direction.
#include "rtp/media_clock.hpp"

#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

constexpr std::uint64_t kSecond = std::uint64_t{1} << 32; // in NTP's 32.32

TEST(MediaClock, EachTimeFollowsFromTheOtherAcrossTheWrap) {
    const MediaClock clock{0xFFFFFF00u, ntpFromUnixMicros(1'700'000'000'000'000)};
    // 1.5 s later on a 90 kHz clock: 135000 ticks on, past the wrap.
    EXPECT_EQ(rtpTimestampAt(clock, clock.ntpTime + kSecond * 3 / 2, 90000), 0xFFFFFF00u + 135000u);
    EXPECT_EQ(ntpTimeAt(clock, 0xFFFFFF00u + 135000u, 90000), clock.ntpTime + kSecond * 3 / 2);
    // 20 ms earlier on an 8 kHz clock: 160 ticks back.
    EXPECT_EQ(rtpTimestampAt(clock, clock.ntpTime - kSecond / 50, 8000), 0xFFFFFF00u - 160u);
    const auto back = ntpTimeAt(clock, 0xFFFFFF00u - 160u, 8000);
    EXPECT_LE(clock.ntpTime - kSecond / 50 - back, 1u); // to NTP's resolution
}

TEST(MediaClock, TheWallClockReadsAsNtpTime) {
    // RFC 5905 §6: seconds since 1900; 1970 is 2208988800 of them.
    EXPECT_EQ(ntpFromUnixMicros(0), std::uint64_t{2208988800} << 32);
    EXPECT_EQ(ntpFromUnixMicros(500'000), (std::uint64_t{2208988800} << 32) + kSecond / 2);
    EXPECT_GT(ntpNow(), ntpFromUnixMicros(1'700'000'000'000'000));
}

} // namespace
} // namespace sb::rtp
