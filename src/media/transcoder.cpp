#include "media/transcoder.hpp"

#include <fmt/format.h>

namespace sb::media {

Result<std::unique_ptr<Transcoder>>
Transcoder::make(CodecId from, CodecId to, std::uint32_t packetMs, const OpusOptions& opus) {
    std::unique_ptr<Transcoder> t(new Transcoder);
    auto decoder = makeDecoder(from, opus);
    if (!decoder) return fail(decoder.error());
    auto encoder = makeEncoder(to, opus);
    if (!encoder) return fail(encoder.error());
    t->decoder_ = std::move(decoder).value();
    t->encoder_ = std::move(encoder).value();
    const std::uint32_t inRate = t->decoder_->sampleRate(), outRate = t->encoder_->sampleRate();
    if (inRate != outRate) {
        auto resampler = Resampler::make(inRate, outRate);
        if (!resampler) return fail(resampler.error());
        t->resampler_ = std::move(resampler).value();
    }
    const auto& traits = traitsOf(to);
    if (packetMs == 0 || packetMs % traits.frameMs != 0)
        return fail(Errc::config, fmt::format("{}: {} ms packets are not whole {} ms frames",
                                              traits.sdpName, packetMs, traits.frameMs));
    t->packetSamples_ = outRate * packetMs / 1000;
    t->timestampStep_ = traits.rtpClock * packetMs / 1000;
    t->decoded_.resize(inRate * 120 / 1000); // the longest packet we accept: 120 ms
    t->payload_.resize(4000);
    return t;
}

Result<void> Transcoder::push(std::span<const std::byte> payload, const Emit& emit) {
    auto samples = decoder_->decode(payload, decoded_);
    if (!samples) return fail(samples.error());
    feed(std::span(decoded_).first(*samples), emit);
    return {};
}

void Transcoder::lost(std::size_t samples, const Emit& emit) {
    samples = std::min(samples, decoded_.size());
    decoder_->conceal(std::span(decoded_).first(samples));
    feed(std::span(decoded_).first(samples), emit);
}

void Transcoder::feed(std::span<const std::int16_t> pcm, const Emit& emit) {
    if (resampler_)
        resampler_->process(pcm, pending_);
    else
        pending_.insert(pending_.end(), pcm.begin(), pcm.end());
    std::size_t used = 0;
    while (pending_.size() - used >= packetSamples_) {
        auto n = encoder_->encode(std::span(pending_).subspan(used, packetSamples_), payload_);
        used += packetSamples_;
        if (n) emit(std::span(payload_).first(*n), timestampStep_);
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(used));
}

} // namespace sb::media
