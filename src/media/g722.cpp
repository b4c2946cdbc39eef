// G.722 at 64 kbit/s (ITU-T G.722, RFC 3551 §4.5.2): 16 kHz audio, two samples per byte;
// spandsp's sub-band ADPCM.
#include "media/codec_impl.hpp"

#include <fmt/format.h>
#include <spandsp.h>

namespace sb::media::detail {
namespace {

class G722Encoder final : public Encoder {
public:
    G722Encoder() : state_(g722_encode_init(nullptr, 64000, 0)) {}
    ~G722Encoder() override { g722_encode_free(state_); }
    CodecId codec() const noexcept override { return CodecId::g722; }
    std::uint32_t sampleRate() const noexcept override { return 16000; }
    Result<std::size_t> encode(std::span<const std::int16_t> pcm,
                               std::span<std::byte> out) override {
        auto frames = checkFrames(pcm.size(), 2, out.size(), 1, "G722");
        if (!frames) return fail(frames.error());
        return static_cast<std::size_t>(g722_encode(state_,
                                                    reinterpret_cast<std::uint8_t*>(out.data()),
                                                    pcm.data(), static_cast<int>(pcm.size())));
    }

private:
    g722_encode_state_t* state_;
};

class G722Decoder final : public ConcealingDecoder {
public:
    G722Decoder() : state_(g722_decode_init(nullptr, 64000, 0)) {}
    ~G722Decoder() override { g722_decode_free(state_); }
    CodecId codec() const noexcept override { return CodecId::g722; }
    std::uint32_t sampleRate() const noexcept override { return 16000; }
    Result<std::size_t> decode(std::span<const std::byte> payload,
                               std::span<std::int16_t> out) override {
        if (2 * payload.size() > out.size())
            return fail(Errc::too_large, fmt::format("G722: {} samples in a {}-sample buffer",
                                                     2 * payload.size(), out.size()));
        const int samples =
            g722_decode(state_, out.data(), reinterpret_cast<const std::uint8_t*>(payload.data()),
                        static_cast<int>(payload.size()));
        plc_.received(out.first(static_cast<std::size_t>(samples)));
        return static_cast<std::size_t>(samples);
    }

private:
    g722_decode_state_t* state_;
};

} // namespace

std::unique_ptr<Encoder> makeG722Encoder() {
    return std::make_unique<G722Encoder>();
}

std::unique_ptr<Decoder> makeG722Decoder() {
    return std::make_unique<G722Decoder>();
}

} // namespace sb::media::detail
