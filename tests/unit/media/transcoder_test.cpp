// A tone through a transcoder between two codecs (and their rates), decoded on the far side
// and measured as in codec_test.cpp. The threshold, 15 dB, is under every pair measured here
// (PCMU→Opus 18.6 dB, the lowest: µ-law noise and the 8→48 kHz resampler's images both go into
// Opus; G.729→Opus 21.2; the others 24 to 39) and far above a broken chain, which measures
// below 0 dB. Codecs and resampler are deterministic: the figures repeat exactly.
#include "media/transcoder.hpp"
#include "support/tone.hpp"

#include <gtest/gtest.h>

namespace sb::media {
namespace {

struct Pair {
    CodecId from, to;
};

class ToneAcross : public testing::TestWithParam<Pair> {};

TEST_P(ToneAcross, TheTranscoder) {
    const auto [from, to] = GetParam();
    auto encoder = makeEncoder(from);
    auto transcoder = Transcoder::make(from, to);
    auto decoder = makeDecoder(to);
    ASSERT_TRUE(encoder && transcoder && decoder);
    const std::uint32_t inRate = (*encoder)->sampleRate(), outRate = (*decoder)->sampleRate();
    const auto input = test::tone(1004, inRate, inRate); // one second
    std::vector<std::int16_t> output, pcm(outRate / 10);
    std::uint32_t timestamp = 0;
    std::vector<std::byte> payload(1500);
    const std::size_t packet = inRate / 50;
    for (std::size_t at = 0; at + packet <= input.size(); at += packet) {
        auto n = (*encoder)->encode(std::span(input).subspan(at, packet), payload);
        ASSERT_TRUE(n);
        auto pushed = (*transcoder)->push(std::span(payload).first(*n), [&](auto out, auto step) {
            timestamp += step;
            auto samples = (*decoder)->decode(out, pcm);
            ASSERT_TRUE(samples) << samples.error().message;
            output.insert(output.end(), pcm.begin(),
                          pcm.begin() + static_cast<std::ptrdiff_t>(*samples));
        });
        ASSERT_TRUE(pushed);
    }
    // Every 20 ms in gave 20 ms out, with timestamps in the output codec's clock; when the
    // rates differ the resampler's filter delay holds the last packet back.
    const std::size_t resampled = inRate == outRate ? 0 : 1;
    EXPECT_EQ(output.size(), outRate - resampled * outRate / 50);
    EXPECT_EQ(timestamp, traitsOf(to).rtpClock - resampled * traitsOf(to).rtpClock / 50);
    const std::span last(output.end() - static_cast<std::ptrdiff_t>(outRate / 2), output.end());
    const double db = test::toneToRestDb(last, 1004, outRate);
    std::printf("%s -> %s: 1004 Hz tone to rest %.1f dB\n",
                std::string(traitsOf(from).sdpName).c_str(),
                std::string(traitsOf(to).sdpName).c_str(), db);
    EXPECT_GT(db, 15);
}

INSTANTIATE_TEST_SUITE_P(
    Pairs, ToneAcross,
    testing::Values(Pair{CodecId::pcmu, CodecId::opus}, Pair{CodecId::opus, CodecId::pcmu},
                    Pair{CodecId::g722, CodecId::pcmu}, Pair{CodecId::pcmu, CodecId::g722},
                    Pair{CodecId::g729, CodecId::opus}, Pair{CodecId::opus, CodecId::g729},
                    Pair{CodecId::pcmu, CodecId::g729}, Pair{CodecId::gsm, CodecId::pcma},
                    Pair{CodecId::opus, CodecId::g722}),
    [](const auto& info) {
        return std::string(traitsOf(info.param.from).sdpName) + "_to_" +
               std::string(traitsOf(info.param.to).sdpName);
    });

TEST(Transcoder, AnUnreadablePayloadIsAnErrorAndEmitsNothing) {
    auto t = Transcoder::make(CodecId::gsm, CodecId::pcmu);
    ASSERT_TRUE(t);
    std::vector<std::byte> bad(33, std::byte{0});
    int emitted = 0;
    EXPECT_FALSE((*t)->push(bad, [&](auto, auto) { ++emitted; }));
    EXPECT_EQ(emitted, 0);
}

TEST(Transcoder, ALostPacketIsConcealedAndKeepsTheTimingWhole) {
    auto t = Transcoder::make(CodecId::pcmu, CodecId::g722);
    ASSERT_TRUE(t);
    std::uint32_t timestamp = 0;
    (*t)->lost(160, [&](auto, auto step) { timestamp += step; });
    (*t)->lost(160, [&](auto, auto step) { timestamp += step; });
    EXPECT_GE(timestamp, 160u); // G.722's RTP clock runs at 8000 (RFC 3551 §4.5.2)
}

TEST(Transcoder, PacketsMustBeWholeFrames) {
    EXPECT_FALSE(Transcoder::make(CodecId::pcmu, CodecId::gsm, 30));
    EXPECT_TRUE(Transcoder::make(CodecId::pcmu, CodecId::g729, 30));
}

} // namespace
} // namespace sb::media
