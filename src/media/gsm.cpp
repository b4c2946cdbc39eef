// GSM 06.10 full rate (RFC 3551 §4.5.8) with libgsm: 20-ms frames of 160 samples into 33 bytes.
#include "media/codec_impl.hpp"

#include <fmt/format.h>
#include <gsm.h>

namespace sb::media::detail {
namespace {

constexpr std::size_t kFrameSamples = 160, kFrameBytes = 33;

class GsmEncoder final : public Encoder {
public:
    GsmEncoder() : state_(gsm_create()) {}
    ~GsmEncoder() override { gsm_destroy(state_); }
    CodecId codec() const noexcept override { return CodecId::gsm; }
    std::uint32_t sampleRate() const noexcept override { return 8000; }
    Result<std::size_t> encode(std::span<const std::int16_t> pcm,
                               std::span<std::byte> out) override {
        auto frames = checkFrames(pcm.size(), kFrameSamples, out.size(), kFrameBytes, "GSM");
        if (!frames) return fail(frames.error());
        for (std::size_t f = 0; f < *frames; ++f) {
            // libgsm's prototype takes a non-const pointer; it does not write the input.
            gsm_encode(state_, const_cast<gsm_signal*>(pcm.data() + f * kFrameSamples),
                       reinterpret_cast<gsm_byte*>(out.data() + f * kFrameBytes));
        }
        return *frames * kFrameBytes;
    }

private:
    gsm state_;
};

class GsmDecoder final : public ConcealingDecoder {
public:
    GsmDecoder() : state_(gsm_create()) {}
    ~GsmDecoder() override { gsm_destroy(state_); }
    CodecId codec() const noexcept override { return CodecId::gsm; }
    std::uint32_t sampleRate() const noexcept override { return 8000; }
    Result<std::size_t> decode(std::span<const std::byte> payload,
                               std::span<std::int16_t> out) override {
        if (payload.empty() || payload.size() % kFrameBytes != 0)
            return fail(
                Errc::invalid_input,
                fmt::format("GSM: a {}-byte payload is not whole 33-byte frames", payload.size()));
        const std::size_t frames = payload.size() / kFrameBytes;
        if (frames * kFrameSamples > out.size())
            return fail(Errc::too_large, fmt::format("GSM: {} samples in a {}-sample buffer",
                                                     frames * kFrameSamples, out.size()));
        for (std::size_t f = 0; f < frames; ++f) {
            auto* bits = const_cast<gsm_byte*>(
                reinterpret_cast<const gsm_byte*>(payload.data() + f * kFrameBytes));
            if (gsm_decode(state_, bits, out.data() + f * kFrameSamples) != 0)
                return fail(Errc::invalid_input,
                            fmt::format("GSM: frame {} lacks the 0xD signature", f + 1));
        }
        plc_.received(out.first(frames * kFrameSamples));
        return frames * kFrameSamples;
    }

private:
    gsm state_;
};

} // namespace

std::unique_ptr<Encoder> makeGsmEncoder() {
    return std::make_unique<GsmEncoder>();
}

std::unique_ptr<Decoder> makeGsmDecoder() {
    return std::make_unique<GsmDecoder>();
}

} // namespace sb::media::detail
