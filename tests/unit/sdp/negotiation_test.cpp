#include "sdp/negotiation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::sdp {
namespace {

using testing::HasSubstr;

const Codec kPcmu{"PCMU", 8000, 1}, kPcma{"PCMA", 8000, 1}, kG722{"G722", 8000, 1},
    kG729{"G729", 8000, 1}, kOpus{"opus", 48000, 2}, kGsm{"GSM", 8000, 1},
    kAmr{"AMR", 8000, 1}; // a codec we do not implement

const std::vector<Codec> kImplemented{kOpus, kG722, kPcmu, kPcma, kG729, kGsm};

std::vector<PayloadCodec> list(std::initializer_list<std::pair<int, Codec>> codecs) {
    std::vector<PayloadCodec> out;
    for (const auto& [type, codec] : codecs)
        out.push_back({type, codec});
    return out;
}

TEST(ChooseCodecs, ACodecBothSidesHaveIsRelayedAsItIs) {
    auto choice = chooseCodecs(list({{111, kOpus}, {0, kPcmu}}), list({{8, kPcma}, {0, kPcmu}}),
                               kImplemented);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->stage, CodecChoice::Stage::direct);
    EXPECT_EQ(choice->a.payloadType, 0);
    EXPECT_EQ(choice->b.payloadType, 0);
    EXPECT_EQ(choice->reason, "both sides have PCMU: relayed without transcoding");
}

TEST(ChooseCodecs, NamesCompareWithoutCase) {
    auto choice =
        chooseCodecs(list({{96, {"OPUS", 48000, 2}}}), list({{111, kOpus}}), kImplemented);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->stage, CodecChoice::Stage::direct);
}

TEST(ChooseCodecs, WithoutACommonCodecTheClosestBandsAreTranscoded) {
    // Opus (full band) ↔ G.722 (wide band): neighbours; G.729 ↔ PCMU: the same band.
    auto wide = chooseCodecs(list({{111, kOpus}}), list({{9, kG722}}), kImplemented);
    ASSERT_TRUE(wide);
    EXPECT_EQ(wide->stage, CodecChoice::Stage::transcode);
    EXPECT_EQ(wide->reason,
              "no codec in common; opus and G722 are neighbouring bands: transcoding");
    auto narrow = chooseCodecs(list({{111, kOpus}, {0, kPcmu}}), list({{18, kG729}}), kImplemented);
    ASSERT_TRUE(narrow);
    EXPECT_EQ(narrow->stage, CodecChoice::Stage::transcode);
    EXPECT_EQ(narrow->a.codec.name, "PCMU"); // the same band beats Opus, A's first choice
    EXPECT_EQ(narrow->b.codec.name, "G729");
}

TEST(ChooseCodecs, FarBandsFallBackToG711WhereOneSideHasIt) {
    auto choice = chooseCodecs(list({{111, kOpus}}), list({{0, kPcmu}}), kImplemented);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->stage, CodecChoice::Stage::fallback);
    EXPECT_EQ(choice->a.codec.name, "opus");
    EXPECT_EQ(choice->b.codec.name, "PCMU");
    EXPECT_THAT(choice->reason, HasSubstr("G.711 fallback"));
}

TEST(ChooseCodecs, WithG711NowhereAnyTwoImplementedCodecsStillWork) {
    // Two phones that know nothing in common, Opus and G.729 (the baresip pair).
    auto choice = chooseCodecs(list({{111, kOpus}}), list({{18, kG729}}), kImplemented);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->stage, CodecChoice::Stage::fallback);
    EXPECT_THAT(choice->reason, HasSubstr("no G.711 on either leg"));
}

TEST(ChooseCodecs, CodecsWeCannotTranscodeAreAnErrorNamingBothSides) {
    auto choice = chooseCodecs(list({{96, kAmr}}), list({{0, kPcmu}}), kImplemented);
    ASSERT_FALSE(choice);
    EXPECT_EQ(choice.error().code, Errc::unsupported);
    EXPECT_EQ(choice.error().message, "no usable codec: leg A has AMR, leg B has PCMU, and no "
                                      "pair of them can be transcoded here");
}

TEST(VoiceCodecs, LeaveOutTelephoneEventsAndComfortNoise) {
    Media m;
    m.formats = {"0", "13", "101", "96"};
    m.attributes.add("rtpmap", "101 telephone-event/8000");
    m.attributes.add("rtpmap", "96 opus/48000/2");
    auto codecs = voiceCodecs(m);
    ASSERT_EQ(codecs.size(), 2u);
    EXPECT_EQ(codecs[0].codec.name, "PCMU");
    EXPECT_EQ(codecs[1].payloadType, 96);
}

} // namespace
} // namespace sb::sdp
