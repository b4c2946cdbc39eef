#pragma once
// A codec as SDP names it (RFC 3551 encoding names, RFC 7587 for Opus, RFC 6184 and 7798 for
// H.264 and H.265): the encoding, its RTP clock rate and channels. Names compare case-insensitively
// (RFC 4855 §3: media subtype names are case-insensitive).

#include "sdp/session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::sdp {

struct Codec {
    std::string name; // as SDP writes it: "PCMU", "opus", "G722", "telephone-event", "H264"
    std::uint32_t clockRate = 8000;
    std::uint32_t channels = 1;
    // Our a=fmtp for it in an offer (video: RFC 6184 §8.1's packetization-mode=1); empty for
    // none. An answer repeats the offer's.
    std::string parameters = {};

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

// Whether an offered payload type of `codec`, with the offer's fmtp `parameters`, is one we can
// send and receive as `ours`: H.264 only in packetization-mode 1 (RFC 6184 §8.1: absent means
// 0, single NAL units, which our packetizer does not restrict itself to). Other codecs: yes.
bool acceptsParameters(const Codec& ours, std::string_view parameters);

} // namespace sb::sdp
