#pragma once
// Voice codecs behind one interface: PCMU and PCMA (ITU-T G.711) and G.722 (spandsp), G.729
// Annex A (bcg729), Opus (libopus, RFC 6716 and RFC 7587) and GSM 06.10 (libgsm). Encoders
// take mono 16-bit PCM at their sample rate; decoders give it back, and conceal lost packets
// (the codec's own concealment where it has one, spandsp's PLC otherwise).
//
// One encoder or decoder per stream and direction; not thread-safe (each belongs to one media
// worker, ARCHITECTURE.md "Threads").

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace sb::media {

enum class CodecId : std::uint8_t { pcmu, pcma, g722, g729, opus, gsm };

struct CodecTraits {
    CodecId id;
    std::string_view sdpName;  // as SDP writes it (RFC 3551, RFC 7587)
    std::uint32_t rtpClock;    // the RTP timestamp rate (G.722: 8000, RFC 3551 §4.5.2)
    std::uint32_t sdpChannels; // Opus: always 2 in SDP (RFC 7587 §7), mono here
    std::uint32_t sampleRate;  // the PCM rate of its encoder and decoder (Opus: default)
    std::uint32_t frameMs;     // the codec's own frame: 10 for G.729, 20 for GSM, …
};

const CodecTraits& traitsOf(CodecId id) noexcept;
// By SDP name (case-insensitive), clock rate and channels; nullopt for a codec we lack.
std::optional<CodecId> codecByName(std::string_view name, std::uint32_t rtpClock,
                                   std::uint32_t channels) noexcept;

struct OpusOptions {
    std::uint32_t sampleRate = 48000; // 8000, 12000, 16000, 24000 or 48000
    std::uint32_t bitrate = 32000;
    bool inbandFec = true; // RFC 6716 §2.1.7 LBRR, for the next packet's loss
    std::uint32_t expectedLossPercent = 5;
    bool dtx = false; // discontinuous transmission in silence
};

class Encoder {
public:
    virtual ~Encoder() = default;
    virtual CodecId codec() const noexcept = 0;
    virtual std::uint32_t sampleRate() const noexcept = 0;
    // Encodes `pcm`, a whole number of the codec's frames (one packet's worth), into `out`;
    // returns the payload's size. Errc::invalid_input for a length that is not whole frames,
    // Errc::too_large when `out` is too small.
    virtual Result<std::size_t> encode(std::span<const std::int16_t> pcm,
                                       std::span<std::byte> out) = 0;
};

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual CodecId codec() const noexcept = 0;
    virtual std::uint32_t sampleRate() const noexcept = 0;
    // Decodes one RTP payload into `out`; returns the samples written. Errc::invalid_input for
    // a payload the codec rejects, Errc::too_large when `out` is too small.
    virtual Result<std::size_t> decode(std::span<const std::byte> payload,
                                       std::span<std::int16_t> out) = 0;
    // Fills `out` in place of a lost packet (packet-loss concealment); returns out.size().
    virtual std::size_t conceal(std::span<std::int16_t> out) = 0;
    // Rebuilds a lost packet from the packet after it, where the codec carries a copy of the
    // previous frame (Opus in-band FEC, RFC 6716 §2.1.7); conceals it otherwise.
    virtual std::size_t recoverFrom(std::span<const std::byte> next, std::span<std::int16_t> out) {
        (void)next;
        return conceal(out);
    }
};

Result<std::unique_ptr<Encoder>> makeEncoder(CodecId id, const OpusOptions& opus = {});
Result<std::unique_ptr<Decoder>> makeDecoder(CodecId id, const OpusOptions& opus = {});

} // namespace sb::media
