#pragma once
// SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966), parsed into views of the text.

#include "core/result.hpp"
#include "sip/params.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::sip {

enum class UriScheme { sip, sips, tel, other };

struct Uri {
    std::string_view text; // the whole URI as written
    UriScheme scheme = UriScheme::other;
    std::string_view schemeText;
    std::string_view user;     // sip/sips: user part, escapes as written; tel: the number
    std::string_view password; // sip/sips only
    std::string_view host;     // sip/sips: IPv6 references keep their brackets
    std::optional<std::uint16_t> port;
    Params params;            // ";…" (sip, sips, tel)
    std::string_view headers; // sip/sips: the text after '?', without it
    std::string_view opaque;  // other schemes: everything after "scheme:"

    bool isSip() const noexcept { return scheme == UriScheme::sip || scheme == UriScheme::sips; }
};

// Parses a URI. On bad input the Error names the part that is wrong ("URI host", "URI port",
// "URI user", …); callers prefix the header name.
Result<Uri> parseUri(std::string_view text);

} // namespace sb::sip
