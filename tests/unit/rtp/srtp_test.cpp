#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/srtp.hpp"

#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

constexpr SrtpSuite kSuites[] = {SrtpSuite::aesCm128HmacSha1_80, SrtpSuite::aesCm128HmacSha1_32,
                                 SrtpSuite::aeadAes128Gcm};

std::vector<std::byte> rtpPacket(std::uint16_t sequence, std::size_t payload = 160) {
    std::vector<std::byte> p(kFixedHeaderBytes + payload + kSrtpMaxOverhead);
    writeRtpHeader(p, {false, 0, sequence, sequence * 160u, 0x1234});
    for (std::size_t i = 0; i < payload; ++i)
        p[kFixedHeaderBytes + i] = std::byte(i);
    return p;
}

struct Pair {
    std::unique_ptr<SrtpSession> sender, receiver;
};

Pair sessions(SrtpSuite suite) {
    auto key = readKeyParams(suite, makeKeyParams(suite));
    EXPECT_TRUE(key) << key.error().message;
    auto sender = SrtpSession::make(suite, *key, SrtpSession::Direction::protect);
    auto receiver = SrtpSession::make(suite, *key, SrtpSession::Direction::unprotect);
    EXPECT_TRUE(sender && receiver);
    return {std::move(sender).value(), std::move(receiver).value()};
}

TEST(Srtp, EverySuiteProtectsAndUnprotectsRtp) {
    for (SrtpSuite suite : kSuites) {
        auto [sender, receiver] = sessions(suite);
        auto packet = rtpPacket(1);
        const std::vector<std::byte> plain(packet.begin(), packet.begin() + 172);
        auto protectedLength = sender->protectRtp(packet, 172);
        ASSERT_TRUE(protectedLength) << protectedLength.error().message;
        // The tag: 10 bytes, 4 for the short suite, 16 for GCM.
        const std::size_t tag = suite == SrtpSuite::aesCm128HmacSha1_32 ? 4
                                : suite == SrtpSuite::aeadAes128Gcm     ? 16
                                                                        : 10;
        EXPECT_EQ(*protectedLength, 172 + tag) << srtpSuiteName(suite);
        EXPECT_NE(std::vector<std::byte>(packet.begin() + 12, packet.begin() + 172),
                  std::vector<std::byte>(plain.begin() + 12, plain.end())); // encrypted
        auto plainLength = receiver->unprotectRtp(std::span(packet).first(*protectedLength));
        ASSERT_TRUE(plainLength) << plainLength.error().message;
        EXPECT_EQ(*plainLength, 172u);
        EXPECT_EQ(std::vector<std::byte>(packet.begin(), packet.begin() + 172), plain);
    }
}

TEST(Srtp, ATamperedOrReplayedPacketIsRefused) {
    auto [sender, receiver] = sessions(SrtpSuite::aesCm128HmacSha1_80);
    auto packet = rtpPacket(7);
    const auto length = *sender->protectRtp(packet, 172);
    auto copy = packet;
    copy[20] ^= std::byte{1};
    auto tampered = receiver->unprotectRtp(std::span(copy).first(length));
    ASSERT_FALSE(tampered);
    EXPECT_EQ(tampered.error().message, "SRTP: authentication failed");
    auto replay = packet;
    ASSERT_TRUE(receiver->unprotectRtp(std::span(packet).first(length)));
    auto again = receiver->unprotectRtp(std::span(replay).first(length));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().message, "SRTP: a replayed packet");
}

TEST(Srtp, RtcpToo) {
    for (SrtpSuite suite : kSuites) {
        auto [sender, receiver] = sessions(suite);
        RtcpPacket rr;
        rr.type = RtcpType::receiverReport;
        rr.ssrc = 0x1234;
        auto bytes = writeRtcp({rr});
        const std::size_t length = bytes.size();
        bytes.resize(length + kSrtpMaxOverhead);
        auto protectedLength = sender->protectRtcp(bytes, length);
        ASSERT_TRUE(protectedLength) << protectedLength.error().message;
        auto plainLength = receiver->unprotectRtcp(std::span(bytes).first(*protectedLength));
        ASSERT_TRUE(plainLength) << plainLength.error().message;
        auto parsed = parseRtcp(std::span(bytes).first(*plainLength));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->at(0).ssrc, 0x1234u);
    }
}

TEST(Srtp, ProtectNeedsRoomForTheTag) {
    auto [sender, receiver] = sessions(SrtpSuite::aesCm128HmacSha1_80);
    auto packet = rtpPacket(1);
    auto refused = sender->protectRtp(std::span(packet).first(172), 172);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::too_large);
}

TEST(SrtpKeyParams, ReadsInlineKeysWithLifetimeAndRefusesTheRest) {
    const auto suite = SrtpSuite::aesCm128HmacSha1_80;
    const std::string key = "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
    ASSERT_TRUE(readKeyParams(suite, key));
    EXPECT_EQ(readKeyParams(suite, key)->size(), 30u);
    EXPECT_TRUE(readKeyParams(suite, key + "|2^20"));
    EXPECT_EQ(readKeyParams(suite, key + "|2^20|1:4").error().message,
              "SRTP key-params: an MKI is not supported");
    EXPECT_EQ(readKeyParams(suite, "uri:http://x").error().message,
              "SRTP key-params 'uri:http://x': only the inline method is known");
    EXPECT_EQ(readKeyParams(suite, "inline:!!!!").error().message,
              "SRTP key-params: the key is not base64");
    EXPECT_EQ(readKeyParams(SrtpSuite::aeadAes128Gcm, key).error().message,
              "SRTP key-params: 30 bytes of key and salt, AEAD_AES_128_GCM expects 28");
    EXPECT_EQ(makeKeyParams(SrtpSuite::aeadAes128Gcm).size(), 7u + 40u);
}

TEST(SrtpSuites, ByTheirSdesNames) {
    EXPECT_EQ(srtpSuiteByName("AES_CM_128_HMAC_SHA1_32"), SrtpSuite::aesCm128HmacSha1_32);
    EXPECT_EQ(srtpSuiteByName("AEAD_AES_128_GCM"), SrtpSuite::aeadAes128Gcm);
    EXPECT_FALSE(srtpSuiteByName("F8_128_HMAC_SHA1_80"));
}

} // namespace
} // namespace sb::rtp
