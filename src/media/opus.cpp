// Opus (RFC 6716, RTP per RFC 7587) with libopus: mono, VoIP mode, 10 to 60 ms per packet,
// in-band FEC and DTX as configured; the decoder's own concealment and FEC recovery.
#include "media/codec_impl.hpp"

#include <fmt/format.h>
#include <opus/opus.h>

namespace sb::media::detail {
namespace {

constexpr std::size_t kMaxPacketBytes = 1275; // RFC 6716 §3.4, one frame

bool validRate(std::uint32_t rate) {
    return rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
}

class OpusEncoderImpl final : public Encoder {
public:
    OpusEncoderImpl(OpusEncoder* state, std::uint32_t rate) : state_(state), rate_(rate) {}
    ~OpusEncoderImpl() override { opus_encoder_destroy(state_); }
    CodecId codec() const noexcept override { return CodecId::opus; }
    std::uint32_t sampleRate() const noexcept override { return rate_; }
    Result<std::size_t> encode(std::span<const std::int16_t> pcm,
                               std::span<std::byte> out) override {
        // One Opus packet per call: 10, 20, 40 or 60 ms (RFC 6716 §2.1.4).
        const std::size_t ms10 = rate_ / 100;
        if (pcm.size() != ms10 && pcm.size() != 2 * ms10 && pcm.size() != 4 * ms10 &&
            pcm.size() != 6 * ms10)
            return fail(Errc::invalid_input,
                        fmt::format("opus: {} samples at {} Hz are not 10, 20, 40 or 60 ms",
                                    pcm.size(), rate_));
        const auto n = opus_encode(state_, pcm.data(), static_cast<int>(pcm.size()),
                                   reinterpret_cast<unsigned char*>(out.data()),
                                   static_cast<opus_int32>(std::min(out.size(), kMaxPacketBytes)));
        if (n < 0) return fail(Errc::too_large, fmt::format("opus: {}", opus_strerror(n)));
        return static_cast<std::size_t>(n);
    }

private:
    OpusEncoder* state_;
    std::uint32_t rate_;
};

class OpusDecoderImpl final : public Decoder {
public:
    OpusDecoderImpl(OpusDecoder* state, std::uint32_t rate) : state_(state), rate_(rate) {}
    ~OpusDecoderImpl() override { opus_decoder_destroy(state_); }
    CodecId codec() const noexcept override { return CodecId::opus; }
    std::uint32_t sampleRate() const noexcept override { return rate_; }
    Result<std::size_t> decode(std::span<const std::byte> payload,
                               std::span<std::int16_t> out) override {
        if (payload.empty()) return fail(Errc::invalid_input, "opus: an empty payload");
        return run(payload, out, false);
    }
    std::size_t conceal(std::span<std::int16_t> out) override {
        auto n = run({}, out, false);
        return fillRest(n, out);
    }
    std::size_t recoverFrom(std::span<const std::byte> next, std::span<std::int16_t> out) override {
        auto n = next.empty() ? run({}, out, false) : run(next, out, true);
        return fillRest(n, out);
    }

private:
    Result<std::size_t> run(std::span<const std::byte> payload, std::span<std::int16_t> out,
                            bool fec) {
        const int n = opus_decode(
            state_,
            payload.empty() ? nullptr : reinterpret_cast<const unsigned char*>(payload.data()),
            static_cast<opus_int32>(payload.size()), out.data(), static_cast<int>(out.size()),
            fec ? 1 : 0);
        if (n < 0) return fail(Errc::invalid_input, fmt::format("opus: {}", opus_strerror(n)));
        return static_cast<std::size_t>(n);
    }
    static std::size_t fillRest(const Result<std::size_t>& n, std::span<std::int16_t> out) {
        const std::size_t done = n ? *n : 0;
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(std::min(done, out.size())), out.end(),
                  0);
        return out.size();
    }

    OpusDecoder* state_;
    std::uint32_t rate_;
};

} // namespace

Result<std::unique_ptr<Encoder>> makeOpusEncoder(const OpusOptions& o) {
    if (!validRate(o.sampleRate))
        return fail(Errc::config, fmt::format("opus: sample rate {} is not 8, 12, 16, 24 or 48 kHz",
                                              o.sampleRate));
    int error = 0;
    OpusEncoder* state = opus_encoder_create(static_cast<opus_int32>(o.sampleRate), 1,
                                             OPUS_APPLICATION_VOIP, &error);
    if (!state) return fail(Errc::config, fmt::format("opus: {}", opus_strerror(error)));
    opus_encoder_ctl(state, OPUS_SET_BITRATE(static_cast<opus_int32>(o.bitrate)));
    opus_encoder_ctl(state, OPUS_SET_INBAND_FEC(o.inbandFec ? 1 : 0));
    opus_encoder_ctl(state,
                     OPUS_SET_PACKET_LOSS_PERC(static_cast<opus_int32>(o.expectedLossPercent)));
    opus_encoder_ctl(state, OPUS_SET_DTX(o.dtx ? 1 : 0));
    return std::unique_ptr<Encoder>(std::make_unique<OpusEncoderImpl>(state, o.sampleRate));
}

Result<std::unique_ptr<Decoder>> makeOpusDecoder(const OpusOptions& o) {
    if (!validRate(o.sampleRate))
        return fail(Errc::config, fmt::format("opus: sample rate {} is not 8, 12, 16, 24 or 48 kHz",
                                              o.sampleRate));
    int error = 0;
    OpusDecoder* state = opus_decoder_create(static_cast<opus_int32>(o.sampleRate), 1, &error);
    if (!state) return fail(Errc::config, fmt::format("opus: {}", opus_strerror(error)));
    return std::unique_ptr<Decoder>(std::make_unique<OpusDecoderImpl>(state, o.sampleRate));
}

} // namespace sb::media::detail
