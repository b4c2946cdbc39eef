#include "sdp/parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::sdp {
namespace {

using testing::HasSubstr;
using testing::StartsWith;

// An offer as a SIP phone sends it: session-level c=, one audio stream with static and dynamic
// payload types, DTMF, SDES keys, and an attribute we do not know.
constexpr std::string_view kOffer = "v=0\r\n"
                                    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
                                    "s=-\r\n"
                                    "c=IN IP4 192.0.2.10\r\n"
                                    "b=AS:84\r\n"
                                    "t=0 0\r\n"
                                    "a=tool:phone 1.0\r\n"
                                    "m=audio 49170 RTP/SAVP 111 0 8 9 101\r\n"
                                    "a=rtpmap:111 opus/48000/2\r\n"
                                    "a=fmtp:111 useinbandfec=1;usedtx=1\r\n"
                                    "a=rtpmap:101 telephone-event/8000\r\n"
                                    "a=fmtp:101 0-16\r\n"
                                    "a=ptime:20\r\n"
                                    "a=maxptime:60\r\n"
                                    "a=x-vendor-thing:kept as is\r\n"
                                    "a=rtcp-mux\r\n"
                                    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                                    "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 "
                                    "UNENCRYPTED_SRTCP\r\n"
                                    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 "
                                    "inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n"
                                    "a=sendrecv\r\n";

Session parsed(std::string_view text) {
    auto s = parse(text);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(s).value() : Session{};
}

std::string errorOf(std::string_view text) {
    auto s = parse(text);
    return s ? "parsed" : s.error().message;
}

TEST(SdpParse, WritesBackWhatItReadLineForLine) {
    EXPECT_EQ(write(parsed(kOffer)), kOffer);
}

TEST(SdpParse, ReadsTheFields) {
    const Session s = parsed(kOffer);
    EXPECT_EQ(s.origin.username, "alice");
    EXPECT_EQ(s.origin.address, "192.0.2.10");
    ASSERT_TRUE(s.connection);
    EXPECT_EQ(s.connection->address, "192.0.2.10");
    EXPECT_EQ(s.bandwidths, (std::vector<Bandwidth>{{"AS", 84}}));
    ASSERT_EQ(s.media.size(), 1u);
    const Media& m = s.media[0];
    EXPECT_EQ(m.type, "audio");
    EXPECT_EQ(m.port, 49170);
    EXPECT_EQ(m.proto, "RTP/SAVP");
    EXPECT_EQ(m.formats, (std::vector<std::string>{"111", "0", "8", "9", "101"}));
    EXPECT_EQ(s.connectionOf(m), &*s.connection);
}

TEST(SdpParse, RtpmapFmtpAndTheStaticPayloadTypes) {
    const Media m = parsed(kOffer).media[0];
    EXPECT_EQ(m.rtpmap(111), (RtpMap{111, "opus", 48000, 2}));
    EXPECT_EQ(m.rtpmap(101), (RtpMap{101, "telephone-event", 8000, 1}));
    // RFC 3551: static types need no rtpmap; G.722 is written at 8000 Hz.
    EXPECT_EQ(m.rtpmap(0), (RtpMap{0, "PCMU", 8000, 1}));
    EXPECT_EQ(m.rtpmap(9), (RtpMap{9, "G722", 8000, 1}));
    EXPECT_FALSE(m.rtpmap(96));
    EXPECT_EQ(m.fmtp(111), "useinbandfec=1;usedtx=1");
    EXPECT_EQ(m.fmtp(101), "0-16");
    EXPECT_FALSE(m.fmtp(0));
    EXPECT_EQ(m.ptime(), 20u);
    EXPECT_EQ(m.maxptime(), 60u);
    EXPECT_TRUE(m.rtcpMux());
    EXPECT_EQ(m.attributes.get("x-vendor-thing"), "kept as is");
}

TEST(SdpParse, SdesCryptoLines) {
    const auto cryptos = parsed(kOffer).media[0].cryptos();
    ASSERT_EQ(cryptos.size(), 2u);
    EXPECT_EQ(cryptos[0].tag, 1u);
    EXPECT_EQ(cryptos[0].suite, "AES_CM_128_HMAC_SHA1_80");
    EXPECT_EQ(cryptos[0].keyParams, "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4");
    EXPECT_EQ(cryptos[0].sessionParams, "UNENCRYPTED_SRTCP");
    EXPECT_EQ(cryptos[1].suite, "AES_CM_128_HMAC_SHA1_32");
    EXPECT_TRUE(cryptos[1].sessionParams.empty());
}

TEST(SdpParse, DirectionFromTheStreamThenTheSessionThenSendrecv) {
    Session s = parsed(kOffer);
    EXPECT_EQ(s.direction(s.media[0]), Direction::sendrecv);
    s.media[0].attributes.setDirection(Direction::sendonly); // hold (RFC 3264 §8.4)
    EXPECT_EQ(s.direction(s.media[0]), Direction::sendonly);
    EXPECT_EQ(s.media[0].attributes.all("sendrecv").size(), 0u);
    s.media[0].attributes.remove("sendonly");
    s.attributes.setDirection(Direction::inactive);
    EXPECT_EQ(s.direction(s.media[0]), Direction::inactive);
    s.attributes.remove("inactive");
    EXPECT_EQ(s.direction(s.media[0]), Direction::sendrecv);
}

TEST(SdpParse, AcceptsBareLineFeedsAndAMissingTimingAndWritesCrlf) {
    const Session s =
        parsed("v=0\no=- 1 1 IN IP6 ::1\ns= \nm=audio 5004 RTP/AVP 0\nc=IN IP6 ::1\n");
    EXPECT_EQ(s.name, " ");
    EXPECT_EQ(write(s), "v=0\r\no=- 1 1 IN IP6 ::1\r\ns= \r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n"
                        "c=IN IP6 ::1\r\n");
}

TEST(SdpParse, KeepsWhatItDoesNotInterpretInOrder) {
    constexpr std::string_view text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=talk\r\ni=about\r\n"
                                      "u=http://example.com/\r\ne=a@example.com\r\n"
                                      "p=+1 555 0100\r\nc=IN IP4 233.252.0.1/127\r\nt=1 2\r\n"
                                      "r=604800 3600 0 90000\r\nz=2882844526 -1h\r\nk=prompt\r\n"
                                      "m=video 51372/2 RTP/AVP 99\r\ni=camera\r\nb=TIAS:512000\r\n"
                                      "k=clear:secret\r\na=rtpmap:99 h263-1998/90000\r\n"
                                      "m=application 9 TCP/BFCP *\r\na=setup:actpass\r\n";
    EXPECT_EQ(write(parsed(text)), text);
}

TEST(SdpParse, ErrorsNameTheLineAndTheField) {
    EXPECT_EQ(errorOf(""), "SDP: empty description");
    EXPECT_EQ(errorOf("o=- 1 1 IN IP4 1.2.3.4\r\n"), "SDP line 1 (o=): the first line must be v=0");
    EXPECT_EQ(errorOf("v=1\r\n"), "SDP line 1 (v=): version '1', expected 0");
    EXPECT_EQ(errorOf("v=0\r\no=- 1 IN IP4 1.2.3.4\r\n"),
              "SDP line 2 (o=): expected <username> <sess-id> <sess-version> <nettype> "
              "<addrtype> <address>");
    EXPECT_EQ(errorOf("v=0\r\no=- x 1 IN IP4 a\r\n"),
              "SDP line 2 (o=): the session id and version must be numbers");
    const std::string head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n";
    EXPECT_EQ(errorOf(head + "c=IN IP4\r\n"),
              "SDP line 4 (c=): expected <nettype> <addrtype> <connection-address>");
    EXPECT_EQ(errorOf(head + "b=AS:lots\r\n"), "SDP line 4 (b=): the bandwidth must be a number");
    EXPECT_EQ(errorOf(head + "t=0\r\n"), "SDP line 4 (t=): expected <start-time> <stop-time>");
    EXPECT_EQ(errorOf(head + "x=what\r\n"), "SDP line 4 (x=): unknown type letter");
    EXPECT_EQ(errorOf(head + "garbage\r\n"), "SDP line 4 (g=): expected <type>=<value>");
    EXPECT_EQ(errorOf(head + "m=audio x RTP/AVP 0\r\n"),
              "SDP line 4 (m=): port 'x' is not a number");
    EXPECT_EQ(errorOf(head + "m=audio 70000 RTP/AVP 0\r\n"),
              "SDP line 4 (m=): port '70000' is not a number");
    EXPECT_EQ(errorOf(head + "m=audio 4000 RTP/AVP\r\n"),
              "SDP line 4 (m=): expected <media> <port> <proto> <fmt> ...");
    EXPECT_EQ(errorOf(head + "m=audio 4000 RTP/AVP 0 200\r\n"),
              "SDP line 4 (m=): RTP payload type '200' is not 0 to 127");
    EXPECT_EQ(errorOf(head + "m=audio 4000 RTP/AVP -1\r\n"),
              "SDP line 4 (m=): RTP payload type '-1' is not 0 to 127");
    EXPECT_EQ(errorOf(head + "m=audio 4000 RTP/AVP 0\r\nu=http://x/\r\n"),
              "SDP line 5 (u=): u= belongs before the first m=");
    EXPECT_EQ(errorOf(head + "a=:x\r\n"), "SDP line 4 (a=): expected <attribute>[:<value>]");
    EXPECT_EQ(errorOf(head + "s=again\r\n"), "SDP line 4 (s=): s= must appear once, before m=");
    EXPECT_EQ(errorOf(head + "\r\nt=0 0\r\n"), "SDP line 4 (?=): an empty line");
    EXPECT_EQ(errorOf(head + std::string("a=x\0y\r\n", 7)), "SDP line 4 (a=): a NUL byte");
    EXPECT_EQ(errorOf("v=0\r\ns=-\r\n"), "SDP: no o= line");
    EXPECT_EQ(errorOf("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"), "SDP: no s= line");
}

TEST(SdpParse, LimitsAreErrorsToo) {
    std::string text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n";
    for (int i = 0; i < 3; ++i)
        text += "m=audio 4000 RTP/AVP 0\r\n";
    EXPECT_THAT(parse(text, {.maxBytes = 65536, .maxLines = 2048, .maxMedia = 2}).error().message,
                StartsWith("SDP line 6 (m=): more than 2 media sections"));
    EXPECT_THAT(parse(text, {.maxBytes = 20, .maxLines = 2048, .maxMedia = 64}).error().message,
                HasSubstr("more than 20"));
    EXPECT_THAT(parse(text, {.maxBytes = 65536, .maxLines = 4, .maxMedia = 64}).error().message,
                HasSubstr("more than 4 lines"));
}

} // namespace
} // namespace sb::sdp
