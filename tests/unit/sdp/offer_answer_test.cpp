#include "sdp/offer_answer.hpp"
#include "sdp/parser.hpp"

#include <gtest/gtest.h>

namespace sb::sdp {
namespace {

const Codec kPcmu{"PCMU", 8000, 1}, kPcma{"PCMA", 8000, 1}, kOpus{"opus", 48000, 2},
    kDtmf{"telephone-event", 8000, 1};
const Origin kOrigin{"-", "42", "1", "IN", "IP4", "192.0.2.99"};

LocalStream ours() {
    LocalStream s;
    s.address = "192.0.2.99";
    s.port = 40000;
    s.codecs = {kOpus, kPcmu, kDtmf};
    s.ptime = 20;
    return s;
}

LocalStream video() {
    LocalStream s;
    s.type = "video";
    s.address = "192.0.2.99";
    s.port = 40002;
    s.codecs = {{"H264", 90000, 1, "packetization-mode=1"}, {"H265", 90000, 1}};
    s.direction = Direction::sendonly;
    s.feedback = {"nack pli", "ccm fir"};
    return s;
}

Session offerOf(std::string_view media) {
    auto s = parse(std::string("v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\n"
                               "c=IN IP4 192.0.2.10\r\nt=0 0\r\n") +
                   std::string(media));
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(s).value() : Session{};
}

TEST(AnswerDirection, FollowsRfc3264Section6) {
    using D = Direction;
    EXPECT_EQ(answerDirection(D::sendrecv, D::sendrecv), D::sendrecv);
    EXPECT_EQ(answerDirection(D::sendrecv, D::sendonly), D::sendonly); // we hold them
    EXPECT_EQ(answerDirection(D::sendonly, D::sendrecv), D::recvonly); // they hold us
    EXPECT_EQ(answerDirection(D::sendonly, D::sendonly), D::inactive);
    EXPECT_EQ(answerDirection(D::recvonly, D::sendrecv), D::sendonly);
    EXPECT_EQ(answerDirection(D::inactive, D::sendrecv), D::inactive);
}

TEST(MakeOffer, StaticAndDynamicPayloadTypesDtmfRtcpMuxAndDirection) {
    auto local = ours();
    local.direction = Direction::sendonly;
    EXPECT_EQ(write(makeOffer(kOrigin, {local})),
              "v=0\r\no=- 42 1 IN IP4 192.0.2.99\r\ns=-\r\nt=0 0\r\n"
              "m=audio 40000 RTP/AVP 96 0 101\r\nc=IN IP4 192.0.2.99\r\n"
              "a=rtpmap:96 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
              "a=rtpmap:101 telephone-event/8000\r\n"
              "a=fmtp:101 0-16\r\na=ptime:20\r\na=rtcp-mux\r\na=sendonly\r\n");
}

TEST(MakeOffer, SrtpOffersEveryKeyAsSavp) {
    auto local = ours();
    local.srtp = SrtpPolicy::required;
    local.keys = {{0, "AES_CM_128_HMAC_SHA1_80", "inline:AAAA", ""},
                  {0, "AES_CM_128_HMAC_SHA1_32", "inline:BBBB", ""}};
    const auto offer = makeOffer(kOrigin, {local});
    EXPECT_EQ(offer.media[0].proto, "RTP/SAVP");
    const auto keys = offer.media[0].cryptos();
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].tag, 1u);
    EXPECT_EQ(keys[1].tag, 2u);
    EXPECT_EQ(keys[1].keyParams, "inline:BBBB");
}

TEST(MakeAnswer, AcceptsTheOfferedTypesWeTakeInOurOrderWithTheirNumbers) {
    const auto offer = offerOf("m=audio 5000 RTP/AVP 0 8 98 101\r\na=rtpmap:98 OPUS/48000/2\r\n"
                               "a=fmtp:98 useinbandfec=1\r\na=rtpmap:101 telephone-event/8000\r\n"
                               "a=fmtp:101 0-15\r\na=rtcp-mux\r\na=x-unknown\r\n");
    auto answer = makeAnswer(offer, kOrigin, {ours()});
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(write(*answer), "v=0\r\no=- 42 1 IN IP4 192.0.2.99\r\ns=-\r\nt=0 0\r\n"
                              "m=audio 40000 RTP/AVP 98 0 101\r\nc=IN IP4 192.0.2.99\r\n"
                              "a=rtpmap:98 OPUS/48000/2\r\na=fmtp:98 useinbandfec=1\r\n"
                              "a=rtpmap:0 PCMU/8000\r\n"
                              "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
                              "a=ptime:20\r\na=rtcp-mux\r\na=sendrecv\r\n");
}

TEST(MakeAnswer, HoldIsAnsweredRecvonly) {
    const auto offer = offerOf("m=audio 5000 RTP/AVP 0\r\na=sendonly\r\n");
    auto answer = makeAnswer(offer, kOrigin, {ours()});
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->direction(answer->media[0]), Direction::recvonly);
}

TEST(MakeAnswer, RejectsStreamsWithPortZero) {
    // No codec we take, an extra stream we have nothing for, and one already disabled.
    const auto offer = offerOf("m=audio 5000 RTP/AVP 18\r\nm=video 5002 RTP/AVP 31\r\n"
                               "m=audio 0 RTP/AVP 0\r\n");
    auto answer = makeAnswer(offer, kOrigin, {ours(), video(), ours()});
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->media.size(), 3u);
    for (const auto& m : answer->media)
        EXPECT_EQ(m.port, 0);
    EXPECT_EQ(answer->media[1].type, "video");
    EXPECT_EQ(answer->media[1].formats, std::vector<std::string>{"31"});
}

TEST(MakeOffer, VideoWithItsParametersAndFeedback) {
    const auto offer = write(makeOffer(kOrigin, {ours(), video()}));
    EXPECT_EQ(offer.substr(offer.find("m=video")),
              "m=video 40002 RTP/AVP 96 97\r\nc=IN IP4 192.0.2.99\r\n"
              "a=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n"
              "a=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 ccm fir\r\n"
              "a=rtpmap:97 H265/90000\r\na=rtcp-fb:97 nack pli\r\na=rtcp-fb:97 ccm fir\r\n"
              "a=rtcp-mux\r\na=sendonly\r\n");
}

TEST(MakeAnswer, StreamsPairWithOursByTypeAndH264NeedsPacketizationMode1) {
    // Video first: each offered stream still finds our stream of its type.
    const auto offer = offerOf("m=video 5002 RTP/AVP 100 102 103\r\n"
                               "a=rtpmap:100 H264/90000\r\na=fmtp:100 profile-level-id=42e01f\r\n"
                               "a=rtpmap:102 H264/90000\r\n"
                               "a=fmtp:102 profile-level-id=42e01f;packetization-mode=1\r\n"
                               "a=rtcp-fb:* nack pli\r\na=rtcp-fb:102 goog-remb\r\n"
                               "a=rtpmap:103 VP8/90000\r\n"
                               "m=audio 5000 RTP/AVP 0\r\n");
    auto answer = makeAnswer(offer, kOrigin, {ours(), video()});
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->media.size(), 2u);
    const Media& v = answer->media[0];
    EXPECT_EQ(v.type, "video");
    EXPECT_EQ(v.port, 40002);
    EXPECT_EQ(v.formats, std::vector<std::string>{"102"}); // mode 0 (100) and VP8 are not ours
    EXPECT_EQ(v.attributes.all("rtcp-fb"), std::vector<std::string_view>{"102 nack pli"});
    EXPECT_EQ(answer->direction(v), Direction::sendonly);
    EXPECT_EQ(answer->media[1].type, "audio");
    EXPECT_EQ(answer->media[1].port, 40000);
    // Without a video stream of ours, the video is refused and the audio still taken.
    auto audioOnly = makeAnswer(offer, kOrigin, {ours()});
    ASSERT_TRUE(audioOnly);
    EXPECT_EQ(audioOnly->media[0].port, 0);
    EXPECT_EQ(audioOnly->media[1].port, 40000);
}

TEST(MakeAnswer, SdesPicksTheFirstSuiteWeAcceptWithTheOfferedTag) {
    const auto offer =
        offerOf("m=audio 5000 RTP/SAVP 0\r\na=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:XXXX\r\n"
                "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:YYYY\r\n"
                "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:ZZZZ\r\n");
    auto local = ours();
    local.srtp = SrtpPolicy::optional;
    local.keys = {{0, "AES_CM_128_HMAC_SHA1_80", "inline:OURS80", ""},
                  {0, "AES_CM_128_HMAC_SHA1_32", "inline:OURS32", ""}};
    auto answer = makeAnswer(offer, kOrigin, {local});
    ASSERT_TRUE(answer);
    const auto keys = answer->media[0].cryptos();
    ASSERT_EQ(keys.size(), 1u);
    EXPECT_EQ(keys[0], (Crypto{3, "AES_CM_128_HMAC_SHA1_80", "inline:OURS80", ""}));
    EXPECT_EQ(answer->media[0].proto, "RTP/SAVP");
}

TEST(MakeAnswer, TheSrtpPolicyDecidesWhatIsAccepted) {
    const auto plain = offerOf("m=audio 5000 RTP/AVP 0\r\n");
    const auto secure = offerOf("m=audio 5000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
                                "inline:XXXX\r\n");
    auto local = ours();
    local.keys = {{0, "AES_CM_128_HMAC_SHA1_80", "inline:OURS", ""}};
    local.srtp = SrtpPolicy::off;
    EXPECT_EQ(makeAnswer(secure, kOrigin, {local})->media[0].port, 0);
    local.srtp = SrtpPolicy::required;
    EXPECT_EQ(makeAnswer(plain, kOrigin, {local})->media[0].port, 0);
    EXPECT_EQ(makeAnswer(secure, kOrigin, {local})->media[0].port, 40000);
    local.keys = {{0, "AEAD_AES_128_GCM", "inline:OURS", ""}}; // no suite in common
    EXPECT_EQ(makeAnswer(secure, kOrigin, {local})->media[0].port, 0);
}

TEST(MakeAnswer, AStreamWithoutAnyConnectionAddressIsAnError) {
    auto offer =
        parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n");
    ASSERT_TRUE(offer);
    auto answer = makeAnswer(*offer, kOrigin, {ours()});
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().message, "SDP m= line 1 has no c= (and the session has none)");
}

} // namespace
} // namespace sb::sdp
