#include "rtp/reception.hpp"

#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

TEST(ReceptionStats, CountsLossAcrossASequenceWrapAndTheFractionPerInterval) {
    ReceptionStats r;
    std::uint32_t ts = 0;
    for (std::uint16_t s = 65530; s != 10; ++s, ts += 160)
        if (s != 65534 && s != 2) r.received(s, ts, ts); // two lost, one on each side of 0
    EXPECT_EQ(r.packets(), 14u);
    EXPECT_EQ(r.lost(), 2);
    EXPECT_EQ(r.extendedHighest(), 65536u + 9);
    auto first = r.report(7, 0, 0);
    EXPECT_EQ(first.cumulativeLost, 2);
    EXPECT_EQ(first.fractionLost, (2 << 8) / 16);
    for (std::uint16_t s = 10; s < 26; ++s, ts += 160)
        r.received(s, ts, ts);
    auto second = r.report(7, 0, 0);
    EXPECT_EQ(second.fractionLost, 0); // nothing lost in this interval
    EXPECT_EQ(second.cumulativeLost, 2);
}

TEST(ReceptionStats, JitterFollowsTheTransitTimeVariation) {
    ReceptionStats steady, jittery;
    for (std::uint32_t i = 0; i < 200; ++i) {
        steady.received(static_cast<std::uint16_t>(i), i * 160, i * 160 + 1000);
        // Every other packet 80 timestamp units late.
        jittery.received(static_cast<std::uint16_t>(i), i * 160, i * 160 + 1000 + (i % 2) * 80);
    }
    EXPECT_EQ(steady.jitter(), 0u);
    EXPECT_NEAR(jittery.jitter(), 80, 2); // A.8 converges to the mean |D|
}

TEST(ReceptionStats, ARestartedSourceIsFollowedNotCountedAsLoss) {
    ReceptionStats r;
    for (std::uint16_t s = 100; s < 110; ++s)
        r.received(s, s * 160u, s * 160u);
    for (std::uint16_t s = 30000; s < 30010; ++s) // a new numbering after a re-INVITE
        r.received(s, s * 160u, s * 160u);
    EXPECT_EQ(r.lost(), 0);
}

} // namespace
} // namespace sb::rtp
