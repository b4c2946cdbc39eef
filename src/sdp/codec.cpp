#include "sdp/codec.hpp"

#include <algorithm>
#include <cctype>

namespace sb::sdp {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) noexcept {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

} // namespace

bool Codec::sameAs(const Codec& other) const noexcept {
    return equalsIgnoringCase(name, other.name) && clockRate == other.clockRate &&
           channels == other.channels;
}

bool Codec::is(std::string_view encoding) const noexcept {
    return equalsIgnoringCase(name, encoding);
}

std::optional<Band> bandOf(const Codec& c) noexcept {
    if ((c.is("PCMU") || c.is("PCMA") || c.is("G729") || c.is("GSM")) && c.clockRate == 8000)
        return Band::narrow;
    if (c.is("G722") && c.clockRate == 8000) return Band::wide;
    if (c.is("opus") && c.clockRate == 48000) return Band::full; // RFC 7587 §7: always 48000/2
    return std::nullopt;
}

std::optional<Codec> codecOf(const Media& media, int payloadType) {
    const auto map = media.rtpmap(payloadType);
    if (!map) return std::nullopt;
    return Codec{map->encoding, map->clockRate, map->channels};
}

bool acceptsParameters(const Codec& ours, std::string_view parameters) {
    if (!ours.is("H264")) return true;
    // RFC 6184 §8.1: "packetization-mode=1" among the ";"-separated parameters.
    std::size_t at = 0;
    while (at <= parameters.size()) {
        const std::size_t end = std::min(parameters.find(';', at), parameters.size());
        std::string_view item = parameters.substr(at, end - at);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        if (item == "packetization-mode=1") return true;
        at = end + 1;
    }
    return false;
}

} // namespace sb::sdp
