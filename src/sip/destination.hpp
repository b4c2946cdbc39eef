#pragma once
// Where to send a request for a SIP URI whose host is an IP address (RFC 3263 §4.1 and §4.2
// for that case: no DNS). Names go through the RFC 3263 locator instead.

#include "core/result.hpp"
#include "sip/transaction.hpp"

#include <optional>
#include <string_view>

namespace sb::sip {

// The transport is `forced` if given, else the URI's transport parameter, else TLS for sips and
// UDP for sip; the port is the URI's, else 5061 for TLS and 5060 otherwise. Errors:
// Errc::invalid_input for a URI that does not parse or is not sip/sips, Errc::unsupported for a
// transport we do not have, Errc::not_found when the host is a name.
Result<Destination> resolveNumeric(std::string_view uri,
                                   std::optional<Transport> forced = std::nullopt);

// The IP address a URI's or a Via's host is (an IPv6 reference without its brackets); nullopt
// for a name.
std::optional<asio::ip::address> addressOfHost(std::string_view host);

} // namespace sb::sip
