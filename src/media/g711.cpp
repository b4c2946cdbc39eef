// PCMU and PCMA (ITU-T G.711, RFC 3551 §4.5.14): one byte per sample, spandsp's tables.
#include "media/codec_impl.hpp"

#include <fmt/format.h>
#include <spandsp.h>

namespace sb::media::detail {
namespace {

class G711Encoder final : public Encoder {
public:
    explicit G711Encoder(CodecId id) : id_(id) {}
    CodecId codec() const noexcept override { return id_; }
    std::uint32_t sampleRate() const noexcept override { return 8000; }
    Result<std::size_t> encode(std::span<const std::int16_t> pcm,
                               std::span<std::byte> out) override {
        auto frames = checkFrames(pcm.size(), 1, out.size(), 1, traitsOf(id_).sdpName);
        if (!frames) return fail(frames.error());
        for (std::size_t i = 0; i < pcm.size(); ++i)
            out[i] =
                std::byte(id_ == CodecId::pcmu ? linear_to_ulaw(pcm[i]) : linear_to_alaw(pcm[i]));
        return pcm.size();
    }

private:
    CodecId id_;
};

class G711Decoder final : public ConcealingDecoder {
public:
    explicit G711Decoder(CodecId id) : id_(id) {}
    CodecId codec() const noexcept override { return id_; }
    std::uint32_t sampleRate() const noexcept override { return 8000; }
    Result<std::size_t> decode(std::span<const std::byte> payload,
                               std::span<std::int16_t> out) override {
        if (payload.size() > out.size())
            return fail(Errc::too_large,
                        fmt::format("{}: {} samples in a {}-sample buffer", traitsOf(id_).sdpName,
                                    payload.size(), out.size()));
        for (std::size_t i = 0; i < payload.size(); ++i) {
            const auto byte = std::to_integer<std::uint8_t>(payload[i]);
            out[i] = id_ == CodecId::pcmu ? ulaw_to_linear(byte) : alaw_to_linear(byte);
        }
        plc_.received(out.first(payload.size()));
        return payload.size();
    }

private:
    CodecId id_;
};

} // namespace

std::unique_ptr<Encoder> makeG711Encoder(CodecId id) {
    return std::make_unique<G711Encoder>(id);
}

std::unique_ptr<Decoder> makeG711Decoder(CodecId id) {
    return std::make_unique<G711Decoder>(id);
}

} // namespace sb::media::detail
