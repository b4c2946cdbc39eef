#include "rtp/rtp_packet.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace sb::rtp {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values)
        out.push_back(std::byte(v));
    return out;
}

// V=2, M=1, PT=0, seq 0x1234, ts 0x01020304, SSRC 0xdeadbeef, then 4 payload bytes.
const std::vector<std::byte> kPcmu =
    bytes({0x80, 0x80, 0x12, 0x34, 1, 2, 3, 4, 0xde, 0xad, 0xbe, 0xef, 0xa, 0xb, 0xc, 0xd});

TEST(ParseRtp, ReadsTheFixedHeader) {
    auto v = parseRtp(kPcmu);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_TRUE(v->marker);
    EXPECT_EQ(v->payloadType, 0);
    EXPECT_EQ(v->sequence, 0x1234);
    EXPECT_EQ(v->timestamp, 0x01020304u);
    EXPECT_EQ(v->ssrc, 0xdeadbeefu);
    EXPECT_EQ(v->headerBytes, 12u);
    ASSERT_EQ(v->payload.size(), 4u);
    EXPECT_EQ(v->payload[0], std::byte{0xa});
}

TEST(ParseRtp, CsrcsExtensionAndPadding) {
    // P=1 X=1 CC=1, PT 111; one CSRC; extension 0xBEDE with one word; 2 payload bytes and
    // 2 bytes of padding.
    const auto packet = bytes({0xb1, 0x6f, 0,    1,    0, 0, 0,    1,    0, 0, 0,    2,    0, 0,
                               0,    9,    0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0, 0x55, 0x66, 0, 2});
    auto v = parseRtp(packet);
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_EQ(v->csrcCount, 1);
    EXPECT_EQ(v->csrc(0, packet), 9u);
    EXPECT_TRUE(v->hasExtension);
    EXPECT_EQ(v->extensionProfile, 0xbede);
    EXPECT_EQ(v->extension.size(), 4u);
    EXPECT_EQ(v->headerBytes, 24u);
    EXPECT_EQ(v->paddingBytes, 2);
    ASSERT_EQ(v->payload.size(), 2u);
    EXPECT_EQ(v->payload[1], std::byte{0x66});
}

TEST(ParseRtp, BadPacketsAreErrorsNamingTheProblem) {
    auto error = [](std::vector<std::byte> p) {
        auto v = parseRtp(p);
        return v ? std::string("parsed") : v.error().message;
    };
    EXPECT_EQ(error(bytes({0x80, 0})), "RTP: 2 bytes, shorter than the 12-byte header");
    auto v1 = kPcmu;
    v1[0] = std::byte{0x40};
    EXPECT_EQ(error(v1), "RTP: version 1, expected 2");
    auto csrcs = kPcmu;
    csrcs[0] = std::byte{0x82}; // two CSRCs in a 4-byte payload
    EXPECT_EQ(error(csrcs), "RTP: 2 CSRCs run past the end of the packet");
    auto extension = kPcmu;
    extension[0] = std::byte{0x90};
    extension[14] = std::byte{0}; // extension length: 0x0c0d words... past the end
    EXPECT_EQ(error(extension), "RTP: the header extension runs past the end");
    auto padding = kPcmu;
    padding[0] = std::byte{0xa0};
    padding[15] = std::byte{5}; // the last byte: only 4 bytes follow the header
    EXPECT_EQ(error(padding), "RTP: a padding count of 5 does not fit the packet");
    padding[15] = std::byte{0};
    EXPECT_EQ(error(padding), "RTP: a padding count of 0 does not fit the packet");
}

TEST(RewriteRtp, ChangesTheHeaderInPlaceAndKeepsThePayload) {
    auto packet = kPcmu;
    setSsrc(packet, 0x01020304);
    setSequence(packet, 7);
    setTimestamp(packet, 160);
    setPayloadType(packet, 8);
    auto v = parseRtp(packet);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->ssrc, 0x01020304u);
    EXPECT_EQ(v->sequence, 7);
    EXPECT_EQ(v->timestamp, 160u);
    EXPECT_EQ(v->payloadType, 8);
    EXPECT_TRUE(v->marker); // untouched
    EXPECT_TRUE(std::equal(v->payload.begin(), v->payload.end(), kPcmu.begin() + 12));
}

TEST(WriteRtpHeader, WritesWhatParseReads) {
    std::vector<std::byte> packet(20);
    EXPECT_EQ(writeRtpHeader(packet, {false, 96, 65535, 0xffffffff, 42}), 12u);
    auto v = parseRtp(packet);
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->marker);
    EXPECT_EQ(v->payloadType, 96);
    EXPECT_EQ(v->sequence, 65535);
    EXPECT_EQ(v->timestamp, 0xffffffffu);
    EXPECT_EQ(v->ssrc, 42u);
    EXPECT_EQ(v->payload.size(), 8u);
}

TEST(LooksLikeRtcp, TellsRtcpFromRtpOnAMultiplexedPort) {
    EXPECT_FALSE(looksLikeRtcp(kPcmu)); // marker + PCMU: 0x80
    EXPECT_TRUE(looksLikeRtcp(bytes({0x80, 200, 0, 6})));
    EXPECT_TRUE(looksLikeRtcp(bytes({0x81, 201, 0, 7})));
    EXPECT_FALSE(looksLikeRtcp(bytes({0x80, 0x6f})));
    EXPECT_FALSE(looksLikeRtcp(bytes({0x80})));
}

} // namespace
} // namespace sb::rtp
