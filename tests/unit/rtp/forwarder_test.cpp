#include "rtp/forwarder.hpp"
#include "rtp/rtp_packet.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace sb::rtp {
namespace {

using namespace std::chrono_literals;

std::vector<std::byte> packet(std::uint8_t type, std::uint16_t sequence, std::uint32_t timestamp,
                              std::uint32_t ssrc) {
    std::vector<std::byte> p(kFixedHeaderBytes + 4, std::byte{0x5a});
    writeRtpHeader(p, {false, type, sequence, timestamp, ssrc});
    return p;
}

// As the stream hands packets on: with their header read.
bool rewrite(RtpForwarder& f, std::span<std::byte> packet, RtpForwarder::Clock::time_point now) {
    return f.rewrite(packet, *parseRtp(packet), now);
}

RtpForwarder forwarder() {
    RtpForwarder::Options o;
    o.ssrc = 0xabcdef01;
    o.firstSequence = 1000;
    o.firstTimestamp = 50000;
    o.payloadTypes = {{0, {0, 8000}}, {111, {96, 48000}}, {101, {101, 8000}}};
    return RtpForwarder(o);
}

TEST(RtpForwarder, RewritesSsrcSequenceTimestampAndPayloadTypeKeepingThePayload) {
    auto f = forwarder();
    const auto t0 = RtpForwarder::Clock::time_point(1h);
    auto p = packet(111, 7, 960, 0x11);
    ASSERT_TRUE(rewrite(f, p, t0));
    auto v = parseRtp(p);
    EXPECT_EQ(v->ssrc, 0xabcdef01u);
    EXPECT_EQ(v->sequence, 1000);
    EXPECT_EQ(v->timestamp, 50000u);
    EXPECT_EQ(v->payloadType, 96);
    EXPECT_EQ(v->payload[0], std::byte{0x5a});
    auto next = packet(111, 8, 1920, 0x11);
    ASSERT_TRUE(rewrite(f, next, t0 + 20ms));
    EXPECT_EQ(parseRtp(next)->sequence, 1001);
    EXPECT_EQ(parseRtp(next)->timestamp, 50960u);
}

TEST(RtpForwarder, ANewIncomingSourceContinuesOurNumbering) {
    auto f = forwarder();
    const auto t0 = RtpForwarder::Clock::time_point(1h);
    auto a = packet(0, 65535, 4000000000u, 0x11);
    ASSERT_TRUE(rewrite(f, a, t0));
    // 100 ms later a different source (a transfer): sequence +1, timestamp +800 (8 kHz).
    auto b = packet(0, 3, 77, 0x22);
    ASSERT_TRUE(rewrite(f, b, t0 + 100ms));
    EXPECT_EQ(parseRtp(b)->ssrc, 0xabcdef01u);
    EXPECT_EQ(parseRtp(b)->sequence, 1001);
    EXPECT_EQ(parseRtp(b)->timestamp, 50800u);
    // Sequence numbers wrap as they should.
    auto c = packet(0, 4, 237, 0x22);
    ASSERT_TRUE(rewrite(f, c, t0 + 120ms));
    EXPECT_EQ(parseRtp(c)->sequence, 1002);
    EXPECT_EQ(parseRtp(c)->timestamp, 50960u);
}

TEST(RtpForwarder, DropsPayloadTypesTheOtherLegDidNotAgreeTo) {
    auto f = forwarder();
    auto p = packet(8, 1, 1, 1);
    EXPECT_FALSE(rewrite(f, p, {}));
    EXPECT_EQ(f.dropped(), 1u);
    EXPECT_EQ(f.forwarded(), 0u);
}

} // namespace
} // namespace sb::rtp
