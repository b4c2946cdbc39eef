// Between a room's SDP and an H.323 call's capabilities: the room's offer becomes the codecs a
// call proposes and where it receives, the audio the call agrees becomes the far end's answer,
// and an H.323 URL names whom to call.
#include "h323/addresses.hpp"
#include "h323/audio_sdp.hpp"
#include "sdp/parser.hpp"

#include <gtest/gtest.h>

namespace sb::h323 {
namespace {

using h245::AudioCodec;

// An offer as the rooms' media graph writes one: Opus first, which H.245 does not name.
constexpr std::string_view kOffer = "v=0\r\no=switchboard 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                                    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                    "m=audio 30000 RTP/AVP 96 0 9 18 101\r\n"
                                    "a=rtpmap:96 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
                                    "a=rtpmap:9 G722/8000\r\na=rtpmap:18 G729/8000\r\n"
                                    "a=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\n"
                                    "a=rtcp-mux\r\na=sendrecv\r\n";

TEST(AudioSdp, EveryCodecBothNameCrossesAndBack) {
    for (const char* name : {"PCMU", "PCMA", "G722", "G729", "GSM"}) {
        const auto capability = capabilityOf({name, 8000, 1}, 20);
        ASSERT_TRUE(capability) << name;
        const auto codec = codecOf(*capability);
        ASSERT_TRUE(codec) << name;
        EXPECT_EQ(codec->name, name);
    }
    EXPECT_EQ(capabilityOf({"PCMU", 8000, 1}, 30)->frames, 30);
    EXPECT_EQ(capabilityOf({"G729", 8000, 1}, 40)->frames, 4); // 10 ms frames
    EXPECT_FALSE(capabilityOf({"opus", 48000, 2}, 20));
    EXPECT_FALSE(capabilityOf({"telephone-event", 8000, 1}, 20));
    h245::AudioCapability annexA;
    annexA.codec = AudioCodec::g729AnnexA;
    EXPECT_EQ(codecOf(annexA)->name, "G729");
}

TEST(AudioSdp, TheRoomsOfferBecomesTheCallsCodecsAndAddress) {
    const auto media = callMediaOf(kOffer);
    ASSERT_TRUE(media) << media.error().message;
    ASSERT_EQ(media->codecs.size(), 3u);
    EXPECT_EQ(media->codecs[0].codec, AudioCodec::g711Ulaw64k);
    EXPECT_EQ(media->codecs[0].frames, 30);
    EXPECT_EQ(media->codecs[1].codec, AudioCodec::g722_64k);
    EXPECT_EQ(media->codecs[2].codec, AudioCodec::g729);
    EXPECT_EQ(media->rtp, (h245::UnicastAddress{{127, 0, 0, 1}, 30000}));
    EXPECT_EQ(media->rtcp, (h245::UnicastAddress{{127, 0, 0, 1}, 30001})); // no rtcp-mux in H.323
}

TEST(AudioSdp, AnOfferACallCannotTakeIsRefusedWithTheReason) {
    EXPECT_EQ(callMediaOf("not sdp").error().code, Errc::invalid_input);
    const std::string head = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    EXPECT_EQ(
        callMediaOf(head + "c=IN IP4 127.0.0.1\r\nm=video 30000 RTP/AVP 96\r\n").error().message,
        "the offer has no audio stream");
    EXPECT_EQ(callMediaOf(head + "c=IN IP6 ::1\r\nm=audio 30000 RTP/AVP 0\r\n").error().message,
              "the offer's audio has no IPv4 address");
    const auto opusOnly = callMediaOf(head + "c=IN IP4 127.0.0.1\r\nm=audio 30000 RTP/AVP 96\r\n"
                                             "a=rtpmap:96 opus/48000/2\r\n");
    EXPECT_EQ(opusOnly.error().code, Errc::unsupported);
}

TEST(AudioSdp, TheAgreedAudioIsTheFarEndsAnswerInTheOffersPayloadTypes) {
    MediaPath path;
    path.transmit.codec = AudioCodec::g722_64k;
    path.receive.codec = AudioCodec::g711Ulaw64k; // H.245 channels go one way each
    path.remoteRtp = {{10, 1, 2, 3}, 5004};
    const auto answer = answerOf(kOffer, path);
    ASSERT_TRUE(answer) << answer.error().message;
    const auto parsed = sdp::parse(*answer);
    ASSERT_TRUE(parsed) << *answer;
    ASSERT_EQ(parsed->media.size(), 1u);
    const auto& audio = parsed->media[0];
    EXPECT_EQ(audio.port, 5004);
    EXPECT_EQ(audio.proto, "RTP/AVP");
    EXPECT_EQ(audio.formats, (std::vector<std::string>{"9", "0"})); // what we send first
    EXPECT_EQ(parsed->connectionOf(audio)->address, "10.1.2.3");
    EXPECT_FALSE(audio.rtcpMux());

    path.transmit.codec = path.receive.codec = AudioCodec::gsmFullRate;
    EXPECT_EQ(answerOf(kOffer, path).error().code, Errc::unsupported);
}

TEST(AudioSdp, AnOffersDirectionSaysWhetherItHolds) {
    EXPECT_EQ(*directionOf(kOffer), sdp::Direction::sendrecv);
    std::string held(kOffer);
    held.replace(held.find("a=sendrecv"), 10, "a=sendonly");
    EXPECT_EQ(*directionOf(held), sdp::Direction::sendonly);
    MediaPath path;
    path.remoteRtp = {{10, 1, 2, 3}, 5004};
    const auto answer = answerOf(held, path, sdp::Direction::recvonly);
    ASSERT_TRUE(answer);
    EXPECT_NE(answer->find("a=recvonly"), std::string::npos) << *answer;
}

TEST(H323Url, NamesTheAliasAndTheHost) {
    const auto digits = parseH323Url("h323:2002@127.0.0.1:1730;user=phone");
    ASSERT_TRUE(digits) << digits.error().message;
    EXPECT_EQ(digits->aliases, (std::vector<h225::AliasAddress>{h225::DialedDigits{"2002"}}));
    EXPECT_EQ(digits->host->port(), 1730);
    const auto name = parseH323Url("H323:council@10.0.0.7");
    ASSERT_TRUE(name) << name.error().message;
    EXPECT_EQ(name->aliases, (std::vector<h225::AliasAddress>{h225::H323Id{u"council"}}));
    EXPECT_EQ(name->host->port(), 1720);
    EXPECT_EQ(parseH323Url("sip:2002@127.0.0.1").error().code, Errc::invalid_input);
    const auto alone = parseH323Url("h323:2002"); // a gatekeeper's to locate
    ASSERT_TRUE(alone) << alone.error().message;
    EXPECT_FALSE(alone->host);
    EXPECT_EQ(alone->aliases, (std::vector<h225::AliasAddress>{h225::DialedDigits{"2002"}}));
    EXPECT_EQ(parseH323Url("h323:@127.0.0.1").error().code, Errc::invalid_input);
    EXPECT_EQ(parseH323Url("h323:2002@room.example").error().code, Errc::invalid_input);
    EXPECT_EQ(parseH323Url("h323:2002@127.0.0.1:99999").error().code, Errc::invalid_input);
}

} // namespace
} // namespace sb::h323
