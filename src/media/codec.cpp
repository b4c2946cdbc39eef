#include "media/codec.hpp"

#include "media/codec_impl.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace sb::media {
namespace {

constexpr CodecTraits kTraits[] = {
    {CodecId::pcmu, "PCMU", 8000, 1, 8000, 20},   {CodecId::pcma, "PCMA", 8000, 1, 8000, 20},
    {CodecId::g722, "G722", 8000, 1, 16000, 20},  {CodecId::g729, "G729", 8000, 1, 8000, 10},
    {CodecId::opus, "opus", 48000, 2, 48000, 20}, {CodecId::gsm, "GSM", 8000, 1, 8000, 20},
};

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

} // namespace

const CodecTraits& traitsOf(CodecId id) noexcept {
    return kTraits[static_cast<int>(id)];
}

std::optional<CodecId> codecByName(std::string_view name, std::uint32_t rtpClock,
                                   std::uint32_t channels) noexcept {
    for (const auto& t : kTraits)
        if (equalsIgnoringCase(name, t.sdpName) && rtpClock == t.rtpClock &&
            channels == t.sdpChannels)
            return t.id;
    return std::nullopt;
}

Result<std::unique_ptr<Encoder>> makeEncoder(CodecId id, const OpusOptions& opus) {
    switch (id) {
    case CodecId::pcmu:
    case CodecId::pcma:
        return detail::makeG711Encoder(id);
    case CodecId::g722:
        return detail::makeG722Encoder();
    case CodecId::g729:
        return detail::makeG729Encoder();
    case CodecId::gsm:
        return detail::makeGsmEncoder();
    case CodecId::opus:
        return detail::makeOpusEncoder(opus);
    }
    return fail(Errc::unsupported, "no such codec");
}

Result<std::unique_ptr<Decoder>> makeDecoder(CodecId id, const OpusOptions& opus) {
    switch (id) {
    case CodecId::pcmu:
    case CodecId::pcma:
        return detail::makeG711Decoder(id);
    case CodecId::g722:
        return detail::makeG722Decoder();
    case CodecId::g729:
        return detail::makeG729Decoder();
    case CodecId::gsm:
        return detail::makeGsmDecoder();
    case CodecId::opus:
        return detail::makeOpusDecoder(opus);
    }
    return fail(Errc::unsupported, "no such codec");
}

namespace detail {

Result<std::size_t> checkFrames(std::size_t pcmSamples, std::size_t frameSamples,
                                std::size_t outBytes, std::size_t payloadBytesPerFrame,
                                std::string_view codec) {
    if (pcmSamples == 0 || pcmSamples % frameSamples != 0)
        return fail(Errc::invalid_input, fmt::format("{}: {} samples are not whole frames of {}",
                                                     codec, pcmSamples, frameSamples));
    const std::size_t frames = pcmSamples / frameSamples;
    if (outBytes < frames * payloadBytesPerFrame)
        return fail(Errc::too_large, fmt::format("{}: {} bytes of room for a {}-byte payload",
                                                 codec, outBytes, frames * payloadBytesPerFrame));
    return frames;
}

} // namespace detail
} // namespace sb::media
