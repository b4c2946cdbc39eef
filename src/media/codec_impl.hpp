#pragma once
// The codec implementations behind makeEncoder()/makeDecoder(), one file each.

#include "media/codec.hpp"
#include "media/plc.hpp"

namespace sb::media::detail {

std::unique_ptr<Encoder> makeG711Encoder(CodecId id);
std::unique_ptr<Decoder> makeG711Decoder(CodecId id);
std::unique_ptr<Encoder> makeG722Encoder();
std::unique_ptr<Decoder> makeG722Decoder();
std::unique_ptr<Encoder> makeG729Encoder();
std::unique_ptr<Decoder> makeG729Decoder();
std::unique_ptr<Encoder> makeGsmEncoder();
std::unique_ptr<Decoder> makeGsmDecoder();
Result<std::unique_ptr<Encoder>> makeOpusEncoder(const OpusOptions& options);
Result<std::unique_ptr<Decoder>> makeOpusDecoder(const OpusOptions& options);

// A decoder whose lost packets spandsp's PLC fills in (G.711, G.722, GSM: codecs without a
// concealment of their own); decode() hands what it produced to plc_.
class ConcealingDecoder : public Decoder {
public:
    std::size_t conceal(std::span<std::int16_t> out) override {
        plc_.fill(out);
        return out.size();
    }

protected:
    Concealer plc_;
};

// Checks shared by the encoders: `pcm` holds whole frames of `frameSamples` and `out` room for
// `payloadBytes` per frame.
Result<std::size_t> checkFrames(std::size_t pcmSamples, std::size_t frameSamples,
                                std::size_t outBytes, std::size_t payloadBytesPerFrame,
                                std::string_view codec);

} // namespace sb::media::detail
