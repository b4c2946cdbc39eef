#include "rtp/jitter_buffer.hpp"

#include <array>
#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

using namespace std::chrono_literals;
using Kind = JitterBuffer::Playout::Kind;

// A 20 ms PCMU stream whose payload's first byte is the sequence number's low byte.
struct Stream {
    JitterBuffer buffer{{}};
    JitterBuffer::Clock::time_point start = JitterBuffer::Clock::now();
    std::array<std::byte, 160> payload{};

    bool push(std::uint16_t sequence, std::chrono::microseconds arrival) {
        payload[0] = static_cast<std::byte>(sequence & 0xff);
        RtpView v;
        v.payloadType = 0;
        v.sequence = sequence;
        v.timestamp = 1000u + static_cast<std::uint16_t>(sequence - first) * 160u;
        v.payload = payload;
        return buffer.push(v, start + arrival);
    }
    // The low bytes of what plays next, -1 for a loss, -2 for silence.
    int play() {
        auto p = buffer.next();
        if (p.kind == Kind::lost) return -1;
        if (p.kind == Kind::waiting) return -2;
        return static_cast<int>(p.payload[0]);
    }
    std::uint16_t first = 0;
};

TEST(JitterBuffer, PlaysASteadyStreamInOrderAfterBufferingItsTarget) {
    Stream s;
    EXPECT_EQ(s.play(), -2); // nothing yet
    for (std::uint16_t i = 0; i < 50; ++i) {
        ASSERT_TRUE(s.push(i, i * 20ms));
        EXPECT_EQ(s.play(), i);
    }
    EXPECT_EQ(s.buffer.stats().played, 50u);
    EXPECT_EQ(s.buffer.stats().lost, 0u);
    EXPECT_EQ(s.buffer.targetDelay(), 20ms); // no jitter: the floor
}

TEST(JitterBuffer, PutsReorderedPacketsBackInSequence) {
    Stream s;
    s.push(0, 0ms);
    s.push(2, 20ms);
    s.push(1, 25ms);
    s.push(3, 40ms);
    EXPECT_EQ(s.play(), 0);
    EXPECT_EQ(s.play(), 1);
    EXPECT_EQ(s.play(), 2);
    EXPECT_EQ(s.play(), 3);
}

TEST(JitterBuffer, ReportsAMissingPacketAsLostAndDropsItWhenItComesTooLate) {
    Stream s;
    s.push(0, 0ms);
    s.push(2, 40ms);
    EXPECT_EQ(s.play(), 0);
    EXPECT_EQ(s.play(), -1); // 1 is missing, 2 is there: 1 is lost
    EXPECT_FALSE(s.push(1, 45ms));
    EXPECT_EQ(s.buffer.stats().late, 1u);
    EXPECT_EQ(s.play(), 2);
    EXPECT_FALSE(s.push(2, 50ms)); // already played: late
    EXPECT_TRUE(s.push(3, 60ms));
    EXPECT_FALSE(s.push(3, 61ms));
    EXPECT_EQ(s.buffer.stats().duplicates, 1u);
}

TEST(JitterBuffer, FollowsTheSequenceNumbersAcrossTheirWrap) {
    Stream s;
    s.first = 65530;
    std::vector<int> heard;
    for (std::uint16_t i = 65530; i != 6; ++i) {
        s.push(i, std::chrono::microseconds(static_cast<std::uint16_t>(i - s.first) * 20000));
        heard.push_back(s.play());
    }
    for (std::size_t k = 0; k < heard.size(); ++k)
        EXPECT_EQ(heard[k], static_cast<int>((65530 + k) & 0xff));
}

TEST(JitterBuffer, GrowsItsTargetWithJitterAndHoldsBackUntilThen) {
    Stream s;
    // Arrivals off their 20 ms grid by up to 40 ms, alternately early and late.
    for (std::uint16_t i = 0; i < 200; ++i) {
        s.push(i, i * 20ms + (i % 2 ? 40ms : 0ms));
        s.play();
    }
    EXPECT_GE(s.buffer.targetDelay(), 100ms);
    EXPECT_LE(s.buffer.targetDelay(), 200ms);
    EXPECT_EQ(s.buffer.stats().resets, 0u);
}

TEST(JitterBuffer, ConcealsAShortStallThenPausesAndStartsAgainBuffered) {
    Stream s;
    s.push(0, 0ms);
    EXPECT_EQ(s.play(), 0);
    const auto before = s.buffer.targetDelay();
    EXPECT_EQ(s.play(), -1); // the sender is late: concealed, and the buffer deepens
    EXPECT_GT(s.buffer.targetDelay(), before);
    EXPECT_EQ(s.play(), -1);
    EXPECT_EQ(s.play(), -1);
    EXPECT_EQ(s.play(), -2); // a pause
    s.push(1, 200ms);        // the late packet still plays: nothing was skipped
    s.push(2, 210ms);
    s.push(3, 220ms);
    s.push(4, 230ms);
    std::vector<int> heard;
    heard.reserve(4);
    for (int i = 0; i < 4; ++i)
        heard.push_back(s.play());
    EXPECT_EQ(heard, (std::vector<int>{1, 2, 3, 4}));
}

TEST(JitterBuffer, ShedsLatencyItNoLongerNeeds) {
    Stream s;
    std::uint16_t sent = 0;
    for (; sent < 10; ++sent)
        s.push(sent, 0ms); // a burst: 200 ms at once
    for (int turn = 0; turn < 200; ++turn, ++sent) {
        s.push(sent, std::chrono::milliseconds(turn * 20));
        EXPECT_NE(s.play(), -2);
    }
    // One packet shed per second of needless depth: 220 ms held at first, four shed.
    EXPECT_EQ(s.buffer.stats().dropped, 4u);
    EXPECT_EQ(s.buffer.stats().lost, 0u);
    EXPECT_LE(s.buffer.bufferedDelay(), 140ms);
}

TEST(JitterBuffer, StartsAfreshOnAJumpNoReorderingExplains) {
    Stream s;
    s.push(0, 0ms);
    s.push(1, 20ms);
    EXPECT_EQ(s.play(), 0);
    s.push(30000, 40ms);
    EXPECT_EQ(s.buffer.stats().resets, 1u);
    EXPECT_EQ(s.play(), 30000 & 0xff);
}

} // namespace
} // namespace sb::rtp
