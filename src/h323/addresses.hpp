#pragma once
// The addresses H.323 takes as text: an H.323 URL (an expert's or a route's target), a
// gatekeeper's RAS address from the configuration, and an alias as a SIP user or display
// shows it. Parsing only: no sockets, so the configuration and the fuzz targets use it alone.

#include "core/result.hpp"
#include "h323/h225/types.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::h323 {

inline constexpr std::uint16_t kCallSignallingPort = 1720; // H.225.0 §7.1

// An H.323 URL (RFC 3508 §3): the alias its user part names (dialed digits when it is
// digits, '#', '*' and ',' only; an h323-ID otherwise) and the host's address and port
// (1720 by default), if it names one: a URL without "@host" is for a gatekeeper to locate. The
// host must be an IPv4 address: names are not looked up here.
struct H323Url {
    std::vector<h225::AliasAddress> aliases;
    std::optional<asio::ip::tcp::endpoint> host;
};
Result<H323Url> parseH323Url(std::string_view url);

// A gatekeeper's RAS address as a configuration gives it: "IPv4[:port]", 1719 by default
// (H.225.0 §7.7); nullopt for anything else.
std::optional<asio::ip::udp::endpoint> parseRasAddress(std::string_view text);

// A URL's user or a caller's name as an alias (RFC 3508 §3): dialed digits when it is digits,
// '#', '*' and ',' only; an h323-ID otherwise.
h225::AliasAddress aliasOf(std::string_view user);

// An alias as text: its digits, or an h323-ID's characters (those beyond ASCII as '?').
std::string textOf(const h225::AliasAddress& alias);

} // namespace sb::h323
