// bench/transcode: the CPU a transcoded call costs inside Switchboard (media::Transcoder, both
// directions) against the raw cost of the same library calls made directly in a tight loop
// (the anchor): G.711 tables, speexdsp's resampler, libopus and bcg729. 20-ms packets of a
// speech-like signal (a tone with a slow tremolo and noise), 100 s of audio per direction,
// best of seven interleaved runs. Prints CPU milliseconds per second of call and the ratio.
#include "media/transcoder.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <opus/opus.h>
#include <random>
#include <spandsp.h>
#include <speex/speex_resampler.h>
#include <vector>

extern "C" {
#include <bcg729/decoder.h>
#include <bcg729/encoder.h>
}

namespace {

using namespace sb::media;

constexpr int kSeconds = 100;
// What the raw loops produce goes here, so that the compiler cannot drop their work.
volatile std::uint64_t sink = 0;

double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

double timed(const std::function<void()>& run) {
    const double start = cpuSeconds();
    run();
    return cpuSeconds() - start;
}

std::vector<std::int16_t> speech(std::uint32_t rate) {
    std::mt19937 random(7);
    std::normal_distribution<double> noise(0, 300);
    std::vector<std::int16_t> out(rate * kSeconds);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double t = double(i) / rate;
        out[i] = static_cast<std::int16_t>(6000 * (0.6 + 0.4 * std::sin(2 * M_PI * 3 * t)) *
                                               std::sin(2 * M_PI * 440 * t) +
                                           noise(random));
    }
    return out;
}

// The payloads a phone would send: `codec`, 20-ms packets.
std::vector<std::vector<std::byte>> packets(CodecId codec) {
    auto encoder = makeEncoder(codec).value();
    const auto pcm = speech(encoder->sampleRate());
    const std::size_t n = encoder->sampleRate() / 50;
    std::vector<std::vector<std::byte>> out;
    for (std::size_t at = 0; at + n <= pcm.size(); at += n) {
        std::vector<std::byte> payload(1500);
        payload.resize(encoder->encode(std::span(pcm).subspan(at, n), payload).value());
        out.push_back(std::move(payload));
    }
    return out;
}

double switchboard(CodecId from, CodecId to, const std::vector<std::vector<std::byte>>& in) {
    return timed([&] {
        auto t = Transcoder::make(from, to).value();
        std::size_t bytes = 0;
        for (const auto& p : in)
            (void)t->push(p, [&](auto out, auto) { bytes += out.size(); });
        if (bytes == 0) std::puts("nothing came out");
    });
}

// The raw chain PCMU → (8 → 48 kHz) → Opus and back, with the libraries called directly.
double rawPcmuOpus(const std::vector<std::vector<std::byte>>& pcmu,
                   const std::vector<std::vector<std::byte>>& opus) {
    const double there = timed([&] {
        int error = 0;
        OpusEncoder* enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &error);
        opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
        opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
        opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(5));
        SpeexResamplerState* up = speex_resampler_init(1, 8000, 48000, 3, &error);
        std::int16_t pcm[160], wide[960 + 16];
        unsigned char out[1500];
        for (const auto& p : pcmu) {
            for (int i = 0; i < 160; ++i)
                pcm[i] = ulaw_to_linear(std::to_integer<std::uint8_t>(p[i]));
            spx_uint32_t inLength = 160, outLength = 960 + 16;
            speex_resampler_process_int(up, 0, pcm, &inLength, wide, &outLength);
            sink = sink + static_cast<std::uint64_t>(opus_encode(enc, wide, 960, out, sizeof out));
        }
        speex_resampler_destroy(up);
        opus_encoder_destroy(enc);
    });
    const double back = timed([&] {
        int error = 0;
        OpusDecoder* dec = opus_decoder_create(48000, 1, &error);
        SpeexResamplerState* down = speex_resampler_init(1, 48000, 8000, 3, &error);
        std::int16_t wide[5760], pcm[160 + 16];
        std::uint8_t out[176];
        for (const auto& p : opus) {
            const int n = opus_decode(dec, reinterpret_cast<const unsigned char*>(p.data()),
                                      static_cast<opus_int32>(p.size()), wide, 5760, 0);
            spx_uint32_t inLength = static_cast<spx_uint32_t>(n), outLength = 176;
            speex_resampler_process_int(down, 0, wide, &inLength, pcm, &outLength);
            for (spx_uint32_t i = 0; i < outLength; ++i)
                out[i] = linear_to_ulaw(pcm[i]);
            sink = sink + out[0];
        }
        speex_resampler_destroy(down);
        opus_decoder_destroy(dec);
    });
    return there + back;
}

// The raw chain PCMU ↔ G.729 (both at 8 kHz: no resampling).
double rawPcmuG729(const std::vector<std::vector<std::byte>>& pcmu,
                   const std::vector<std::vector<std::byte>>& g729) {
    const double there = timed([&] {
        auto* enc = initBcg729EncoderChannel(0);
        std::int16_t pcm[160];
        std::uint8_t out[20], length = 0;
        for (const auto& p : pcmu) {
            for (int i = 0; i < 160; ++i)
                pcm[i] = ulaw_to_linear(std::to_integer<std::uint8_t>(p[i]));
            bcg729Encoder(enc, pcm, out, &length);
            bcg729Encoder(enc, pcm + 80, out + 10, &length);
            sink = sink + out[0];
        }
        closeBcg729EncoderChannel(enc);
    });
    const double back = timed([&] {
        auto* dec = initBcg729DecoderChannel();
        std::int16_t pcm[160];
        std::uint8_t out[160];
        for (const auto& p : g729) {
            const auto* bits = reinterpret_cast<const std::uint8_t*>(p.data());
            bcg729Decoder(dec, bits, 10, 0, 0, 0, pcm);
            bcg729Decoder(dec, bits + 10, 10, 0, 0, 0, pcm + 80);
            for (int i = 0; i < 160; ++i)
                out[i] = linear_to_ulaw(pcm[i]);
            sink = sink + out[0];
        }
        closeBcg729DecoderChannel(dec);
    });
    return there + back;
}

void report(const char* pair, double ours, double raw) {
    // CPU per second of a call: both directions' cost over the seconds of audio.
    std::printf("  %-12s switchboard %6.3f ms CPU per call-second, raw libraries %6.3f, "
                "ratio %.3f (goal <= 1.15)\n",
                pair, 1000 * ours / kSeconds, 1000 * raw / kSeconds, ours / raw);
}

} // namespace

int main() {
    // Ours and the anchor alternate, best of seven each, so that a shared machine's drifting
    // speed touches both alike.
    constexpr int kRuns = 7;
    std::printf("bench/transcode: 20-ms packets, %d s of audio each way, best of %d runs, "
                "interleaved\n",
                kSeconds, kRuns);
    const auto pcmu = packets(CodecId::pcmu), opus = packets(CodecId::opus),
               g729 = packets(CodecId::g729);
    double oursOpus = 1e9, rawOpus = 1e9, oursG729 = 1e9, rawG729 = 1e9;
    for (int run = 0; run < kRuns; ++run) {
        oursOpus = std::min(oursOpus, switchboard(CodecId::pcmu, CodecId::opus, pcmu) +
                                          switchboard(CodecId::opus, CodecId::pcmu, opus));
        rawOpus = std::min(rawOpus, rawPcmuOpus(pcmu, opus));
        oursG729 = std::min(oursG729, switchboard(CodecId::pcmu, CodecId::g729, pcmu) +
                                          switchboard(CodecId::g729, CodecId::pcmu, g729));
        rawG729 = std::min(rawG729, rawPcmuG729(pcmu, g729));
    }
    report("PCMU<->opus", oursOpus, rawOpus);
    report("PCMU<->G729", oursG729, rawG729);
    return 0;
}
