#pragma once
// An audio codec as SDP names it (RFC 3551 encoding names, RFC 7587 for Opus): the encoding,
// its RTP clock rate and channels. Names compare case-insensitively (RFC 4855 §3: media
// subtype names are case-insensitive).

#include "sdp/session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::sdp {

struct Codec {
    std::string name; // as SDP writes it: "PCMU", "opus", "G722", "telephone-event"
    std::uint32_t clockRate = 8000;
    std::uint32_t channels = 1;

    // Same encoding, clock rate and channels, whatever the case of the name.
    bool sameAs(const Codec& other) const noexcept;
    bool is(std::string_view encoding) const noexcept; // the name, case-insensitively
    bool isTelephoneEvent() const noexcept { return is("telephone-event"); }
    bool isComfortNoise() const noexcept { return is("CN"); }
};

// The audio band a codec carries, for pairing codecs in transcoding (ARCHITECTURE.md "Codec
// negotiation"): narrowband (8 kHz audio: G.711, G.729, GSM), wideband (16 kHz: G.722, whose
// RTP clock is 8000 by RFC 3551's mistake), fullband (Opus, 48 kHz). nullopt for what is not a
// voice codec we know.
enum class Band { narrow, wide, full };
std::optional<Band> bandOf(const Codec& codec) noexcept;

// The codec a stream's payload type stands for (its rtpmap, or RFC 3551's static table).
std::optional<Codec> codecOf(const Media& media, int payloadType);

} // namespace sb::sdp
