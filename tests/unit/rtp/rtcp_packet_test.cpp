#include "rtp/rtcp_packet.hpp"

#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

RtcpPacket senderReport() {
    RtcpPacket sr;
    sr.type = RtcpType::senderReport;
    sr.ssrc = 0x11111111;
    sr.sender = {0xe1e2e3e4'00008000, 160000, 1000, 160000};
    sr.reports.push_back({0x22222222, 25, -3, 0x0001ffff, 45, 0xe3e40000, 65536});
    return sr;
}

RtcpPacket sdes() {
    RtcpPacket p;
    p.type = RtcpType::sourceDescription;
    p.chunks.push_back({0x11111111, {{1, "switchboard@example"}, {6, "Switchboard"}}});
    p.chunks.push_back({0x33333333, {{1, "x"}}});
    return p;
}

TEST(Rtcp, ACompoundPacketSurvivesAWriteAndARead) {
    RtcpPacket bye;
    bye.type = RtcpType::bye;
    bye.byeSources = {0x11111111};
    bye.byeReason = "call ended";
    const std::vector<RtcpPacket> compound{senderReport(), sdes(), bye};
    const auto bytes = writeRtcp(compound);
    EXPECT_EQ(bytes.size() % 4, 0u);
    auto parsed = parseRtcp(bytes);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(*parsed, compound);
}

TEST(Rtcp, ReceiverReportsAndNegativeCumulativeLoss) {
    RtcpPacket rr;
    rr.type = RtcpType::receiverReport;
    rr.ssrc = 5;
    rr.reports.push_back({6, 0, -8388608, 0, 0, 0, 0}); // the 24-bit minimum
    rr.reports.push_back({7, 255, 8388607, 1, 2, 3, 4});
    auto parsed = parseRtcp(writeRtcp({rr}));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->at(0).reports, rr.reports);
}

TEST(Rtcp, FeedbackAndAppPacketsAreKeptWhole) {
    const auto head = writeRtcp({senderReport()});
    // RFC 4585 PLI: FMT 1, PT 206, length 2, sender SSRC, media SSRC.
    std::vector<std::byte> pli{std::byte{0x81}, std::byte{206}, std::byte{0}, std::byte{2},
                               std::byte{0},    std::byte{0},   std::byte{0}, std::byte{9},
                               std::byte{0},    std::byte{0},   std::byte{0}, std::byte{10}};
    auto datagram = head;
    datagram.insert(datagram.end(), pli.begin(), pli.end());
    auto parsed = parseRtcp(datagram);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->size(), 2u);
    EXPECT_EQ(parsed->at(1).type, RtcpType::payloadFeedback);
    EXPECT_EQ(parsed->at(1).ssrc, 9u);
    EXPECT_EQ(parsed->at(1).raw, pli);
    EXPECT_EQ(writeRtcp(*parsed), datagram);
}

TEST(Rtcp, BadCompoundsAreErrorsNamingThePacket) {
    auto error = [](std::vector<std::byte> d) {
        auto p = parseRtcp(d);
        return p ? std::string("parsed") : p.error().message;
    };
    EXPECT_EQ(error({}), "RTCP: an empty datagram");
    EXPECT_EQ(error(writeRtcp({sdes()})),
              "RTCP packet 1: a compound packet must begin with an SR or an RR");
    auto bytes = writeRtcp({senderReport(), sdes()});
    auto shortened = bytes;
    shortened.resize(bytes.size() - 4);
    EXPECT_EQ(error(shortened), "RTCP packet 2: a length of 52 bytes runs past the datagram");
    auto version = bytes;
    version[0] = std::byte{0x41};
    EXPECT_EQ(error(version), "RTCP packet 1: version 1, expected 2");
    auto padded = bytes;
    padded[0] |= std::byte{0x20}; // padding on the first of two packets
    EXPECT_EQ(error(padded), "RTCP packet 1: padding before the last packet");
    auto blocks = bytes;
    blocks[0] = std::byte{0x82}; // two report blocks claimed, one present
    EXPECT_EQ(error(blocks), "RTCP packet 1: report block 2 runs past the packet");
    EXPECT_EQ(error({std::byte{0x80}, std::byte{200}}),
              "RTCP packet 1: shorter than the 4-byte header");
}

} // namespace
} // namespace sb::rtp
