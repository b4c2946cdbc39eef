// G.729 Annex A (ITU-T G.729A, RFC 3551 §4.5.6) with bcg729: 10-ms frames of 80 samples into
// 10 bytes; a 2-byte Annex B comfort-noise frame may end a payload. No VAD on our side.
#include "media/codec_impl.hpp"

#include <fmt/format.h>

extern "C" { // bcg729's headers declare C functions without saying so
#include <bcg729/decoder.h>
#include <bcg729/encoder.h>
}

namespace sb::media::detail {
namespace {

constexpr std::size_t kFrameSamples = 80, kFrameBytes = 10, kSidBytes = 2;

class G729Encoder final : public Encoder {
public:
    G729Encoder() : state_(initBcg729EncoderChannel(0)) {}
    ~G729Encoder() override { closeBcg729EncoderChannel(state_); }
    CodecId codec() const noexcept override { return CodecId::g729; }
    std::uint32_t sampleRate() const noexcept override { return 8000; }
    Result<std::size_t> encode(std::span<const std::int16_t> pcm,
                               std::span<std::byte> out) override {
        auto frames = checkFrames(pcm.size(), kFrameSamples, out.size(), kFrameBytes, "G729");
        if (!frames) return fail(frames.error());
        std::size_t written = 0;
        for (std::size_t f = 0; f < *frames; ++f) {
            std::uint8_t length = 0;
            bcg729Encoder(state_, pcm.data() + f * kFrameSamples,
                          reinterpret_cast<std::uint8_t*>(out.data() + written), &length);
            written += length;
        }
        return written;
    }

private:
    bcg729EncoderChannelContextStruct* state_;
};

class G729Decoder final : public Decoder {
public:
    G729Decoder() : state_(initBcg729DecoderChannel()) {}
    ~G729Decoder() override { closeBcg729DecoderChannel(state_); }
    CodecId codec() const noexcept override { return CodecId::g729; }
    std::uint32_t sampleRate() const noexcept override { return 8000; }
    Result<std::size_t> decode(std::span<const std::byte> payload,
                               std::span<std::int16_t> out) override {
        const std::size_t frames = payload.size() / kFrameBytes;
        const bool sid = payload.size() % kFrameBytes == kSidBytes;
        if (payload.empty() || (payload.size() % kFrameBytes != 0 && !sid))
            return fail(
                Errc::invalid_input,
                fmt::format("G729: a {}-byte payload is not whole 10-byte frames", payload.size()));
        const std::size_t samples = (frames + (sid ? 1 : 0)) * kFrameSamples;
        if (samples > out.size())
            return fail(Errc::too_large,
                        fmt::format("G729: {} samples in a {}-sample buffer", samples, out.size()));
        const auto* bits = reinterpret_cast<const std::uint8_t*>(payload.data());
        for (std::size_t f = 0; f < frames; ++f)
            bcg729Decoder(state_, bits + f * kFrameBytes, kFrameBytes, 0, 0, 0,
                          out.data() + f * kFrameSamples);
        if (sid)
            bcg729Decoder(state_, bits + frames * kFrameBytes, kSidBytes, 0, 1, 0,
                          out.data() + frames * kFrameSamples);
        return samples;
    }
    std::size_t conceal(std::span<std::int16_t> out) override {
        // G.729 §4.4: the decoder's own frame erasure concealment, frame by frame.
        std::size_t done = 0;
        for (; done + kFrameSamples <= out.size(); done += kFrameSamples)
            bcg729Decoder(state_, nullptr, 0, 1, 0, 0, out.data() + done);
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(done), out.end(), 0);
        return out.size();
    }

private:
    bcg729DecoderChannelContextStruct* state_;
};

} // namespace

std::unique_ptr<Encoder> makeG729Encoder() {
    return std::make_unique<G729Encoder>();
}

std::unique_ptr<Decoder> makeG729Decoder() {
    return std::make_unique<G729Decoder>();
}

} // namespace sb::media::detail
