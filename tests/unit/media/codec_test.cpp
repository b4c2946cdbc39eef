// Each codec carries a tone: 1 kHz in, 20-ms packets through the encoder and decoder, and the
// decoded signal measured for how much of it is still that tone (Goertzel). The thresholds sit
// several dB under what each codec measured here, and far above what a broken codec gives
// (silence, noise or a wrong frequency all measure below 0 dB).
#include "media/codec.hpp"
#include "support/tone.hpp"

#include <gtest/gtest.h>

namespace sb::media {
namespace {

struct Case {
    CodecId id;
    double minDb;
};

// Encodes and decodes one second of a 1 kHz tone; the last half second of the output.
std::vector<std::int16_t> roundTrip(CodecId id, const OpusOptions& opus = {}) {
    auto encoder = makeEncoder(id, opus);
    auto decoder = makeDecoder(id, opus);
    EXPECT_TRUE(encoder && decoder);
    if (!encoder || !decoder) return {};
    const std::uint32_t rate = (*encoder)->sampleRate();
    const std::size_t packet = rate / 50;
    const auto input = test::tone(1004, rate, rate);
    std::vector<std::int16_t> output;
    std::vector<std::byte> payload(1500);
    std::vector<std::int16_t> pcm(packet * 3);
    for (std::size_t at = 0; at + packet <= input.size(); at += packet) {
        auto n = (*encoder)->encode(std::span(input).subspan(at, packet), payload);
        EXPECT_TRUE(n) << n.error().message;
        if (!n) return {};
        auto samples = (*decoder)->decode(std::span(payload).first(*n), pcm);
        EXPECT_TRUE(samples) << samples.error().message;
        if (!samples) return {};
        output.insert(output.end(), pcm.begin(),
                      pcm.begin() + static_cast<std::ptrdiff_t>(*samples));
    }
    EXPECT_EQ(output.size(), input.size());
    return {output.end() - static_cast<std::ptrdiff_t>(rate / 2), output.end()};
}

class ToneThrough : public testing::TestWithParam<Case> {};

TEST_P(ToneThrough, TheCodec) {
    const auto [id, minDb] = GetParam();
    const auto out = roundTrip(id);
    ASSERT_FALSE(out.empty());
    const double db = test::toneToRestDb(out, 1004, traitsOf(id).sampleRate);
    EXPECT_GT(db, minDb) << traitsOf(id).sdpName;
    RecordProperty("tone_to_rest_db", std::to_string(db));
    std::printf("%s: 1004 Hz tone to rest %.1f dB\n", std::string(traitsOf(id).sdpName).c_str(),
                db);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ToneThrough,
                         // Measured here: PCMU 39.4, PCMA 39.0 (G.711's textbook 38 dB), G.722
                         // 47.4, G.729 26.6, Opus (32 kbit/s) 34.9, GSM 27.0.
                         testing::Values(Case{CodecId::pcmu, 33}, Case{CodecId::pcma, 33},
                                         Case{CodecId::g722, 40}, Case{CodecId::g729, 20},
                                         Case{CodecId::opus, 28}, Case{CodecId::gsm, 20}),
                         [](const auto& info) {
                             return std::string(traitsOf(info.param.id).sdpName);
                         });

TEST(Codecs, AWrongFrequencyMeasuresBelowZero) {
    // The measurement itself can fail: the same PCMU output, asked about 1.5 kHz.
    const auto out = roundTrip(CodecId::pcmu);
    EXPECT_LT(test::toneToRestDb(out, 1500, 8000), 0);
}

TEST(Codecs, NamesAsSdpWritesThem) {
    EXPECT_EQ(codecByName("pcmu", 8000, 1), CodecId::pcmu);
    EXPECT_EQ(codecByName("OPUS", 48000, 2), CodecId::opus);
    EXPECT_EQ(codecByName("G722", 8000, 1), CodecId::g722);
    EXPECT_FALSE(codecByName("G722", 16000, 1));
    EXPECT_FALSE(codecByName("AMR", 8000, 1));
}

TEST(Codecs, EncodersTakeWholeFramesAndRoom) {
    auto g729 = makeEncoder(CodecId::g729);
    ASSERT_TRUE(g729);
    std::vector<std::int16_t> pcm(100);
    std::vector<std::byte> out(100);
    auto partial = (*g729)->encode(pcm, out);
    ASSERT_FALSE(partial);
    EXPECT_EQ(partial.error().message, "G729: 100 samples are not whole frames of 80");
    pcm.resize(160);
    auto small = (*g729)->encode(pcm, std::span(out).first(15));
    ASSERT_FALSE(small);
    EXPECT_EQ(small.error().code, Errc::too_large);
    auto opus = makeEncoder(CodecId::opus);
    ASSERT_TRUE(opus);
    EXPECT_FALSE((*opus)->encode(std::span(pcm).first(100), out));
    EXPECT_FALSE(makeEncoder(CodecId::opus, {.sampleRate = 44100}));
}

TEST(Codecs, DecodersRejectPayloadsTheyCannotRead) {
    auto g729 = makeDecoder(CodecId::g729);
    auto gsm = makeDecoder(CodecId::gsm);
    std::vector<std::int16_t> out(960);
    std::vector<std::byte> bad(33, std::byte{0});
    EXPECT_EQ((*gsm)->decode(bad, out).error().message, "GSM: frame 1 lacks the 0xD signature");
    EXPECT_EQ((*g729)->decode(std::span(bad).first(7), out).error().message,
              "G729: a 7-byte payload is not whole 10-byte frames");
    EXPECT_EQ((*g729)->decode(std::span(bad).first(12), out).value(), 160u); // a frame and a SID
}

TEST(Codecs, ConcealmentContinuesTheTone) {
    for (CodecId id : {CodecId::pcmu, CodecId::g722, CodecId::g729, CodecId::opus}) {
        auto encoder = makeEncoder(id);
        auto decoder = makeDecoder(id);
        ASSERT_TRUE(encoder && decoder);
        const std::uint32_t rate = (*encoder)->sampleRate();
        const std::size_t packet = rate / 50;
        const auto input = test::tone(1004, rate, 10 * packet);
        std::vector<std::byte> payload(1500);
        std::vector<std::int16_t> pcm(packet);
        for (std::size_t at = 0; at < input.size(); at += packet) {
            auto n = (*encoder)->encode(std::span(input).subspan(at, packet), payload);
            ASSERT_TRUE(n);
            ASSERT_TRUE((*decoder)->decode(std::span(payload).first(*n), pcm));
        }
        EXPECT_EQ((*decoder)->conceal(pcm), packet); // the 11th packet is lost
        // Not silence: about as loud as the tone (whose mean square is 8000²/2) …
        double sum = 0;
        for (auto x : pcm)
            sum += double(x) * x;
        EXPECT_GT(sum / double(pcm.size()), 0.1 * 8000.0 * 8000 / 2) << traitsOf(id).sdpName;
        // … and, where the concealment repeats the last pitch period, still mostly the tone
        // (G.729's own concealment rebuilds a decaying excitation instead).
        if (id != CodecId::g729) {
            EXPECT_GT(test::toneToRestDb(pcm, 1004, rate), 3) << traitsOf(id).sdpName;
        }
    }
}

TEST(Codecs, OpusRebuildsALostPacketFromTheNextOnesFec) {
    OpusOptions options{.sampleRate = 16000,
                        .bitrate = 32000,
                        .inbandFec = true,
                        .expectedLossPercent = 20,
                        .dtx = false};
    auto encoder = makeEncoder(CodecId::opus, options);
    auto decoder = makeDecoder(CodecId::opus, options);
    ASSERT_TRUE(encoder && decoder);
    const auto input = test::tone(1004, 16000, 320 * 20);
    std::vector<std::vector<std::byte>> packets;
    for (std::size_t at = 0; at < input.size(); at += 320) {
        std::vector<std::byte> payload(1500);
        auto n = (*encoder)->encode(std::span(input).subspan(at, 320), payload);
        ASSERT_TRUE(n);
        payload.resize(*n);
        packets.push_back(std::move(payload));
    }
    std::vector<std::int16_t> pcm(320);
    for (std::size_t i = 0; i < 15; ++i)
        ASSERT_TRUE((*decoder)->decode(packets[i], pcm));
    // Packet 15 is lost; packet 16 carries it again at a lower rate.
    EXPECT_EQ((*decoder)->recoverFrom(packets[16], pcm), 320u);
    EXPECT_GT(test::toneToRestDb(pcm, 1004, 16000), 10);
}

} // namespace
} // namespace sb::media
