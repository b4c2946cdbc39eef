#pragma once
// A transcoder for one direction of one stream: payloads of one codec in, payloads of another
// out, through linear PCM (decode, resample when the rates differ, re-packetise, encode).
// Packet sizes may differ on the two sides (G.729 10 ms frames, 20 ms packets, Opus 20 ms …):
// PCM waits in a buffer until a whole outgoing packet is there.

#include "core/result.hpp"
#include "media/codec.hpp"
#include "media/resampler.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace sb::media {

class Transcoder {
public:
    // `samples`: the packet's length in the output codec's RTP clock (its timestamp step).
    using Emit = std::function<void(std::span<const std::byte> payload, std::uint32_t samples)>;

    static Result<std::unique_ptr<Transcoder>>
    make(CodecId from, CodecId to, std::uint32_t packetMs = 20, const OpusOptions& opus = {});

    // One payload in; every whole outgoing packet it completes goes to `emit`. Errors are the
    // decoder's (a payload it cannot read: nothing is emitted for it).
    Result<void> push(std::span<const std::byte> payload, const Emit& emit);
    // A lost incoming packet of `samples` samples (at the input codec's PCM rate): concealed.
    void lost(std::size_t samples, const Emit& emit);

    CodecId from() const noexcept { return decoder_->codec(); }
    CodecId to() const noexcept { return encoder_->codec(); }

private:
    Transcoder() = default;
    void feed(std::span<const std::int16_t> pcm, const Emit& emit);

    std::unique_ptr<Decoder> decoder_;
    std::unique_ptr<Encoder> encoder_;
    std::unique_ptr<Resampler> resampler_; // null when the rates match
    std::size_t packetSamples_ = 0;        // at the encoder's rate
    std::uint32_t timestampStep_ = 0;      // per outgoing packet, in its RTP clock
    std::vector<std::int16_t> decoded_, pending_;
    std::vector<std::byte> payload_;
};

} // namespace sb::media
