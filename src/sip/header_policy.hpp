#pragma once
// What a B2BUA carries from one leg to the other, and the extension headers it reads: end-to-end
// headers, option tags (RFC 3261 §19.2), reliable provisional numbering (RFC 3262).

#include "sip/message.hpp"
#include "sip/message_writer.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::sip {

// Headers that describe the session or the content end to end, and extension headers we do not
// know: a B2BUA passes them from one leg to the other. Everything that names a hop, a dialog, a
// transaction or an extension the two legs negotiate separately (Supported, Require, …) is
// rebuilt per leg instead.
bool passesThrough(const HeaderField& field);
void copyEndToEnd(const Message& from, MessageWriter& to);

// RFC 3261 §12.1.1: a response that makes a dialog (a 1xx with a tag or a 2xx to an INVITE)
// carries the request's Record-Route values, in order, so that the caller learns the route set.
void copyRecordRoute(const Message& request, MessageWriter& response);

// The Content-Type value, or "".
std::string_view contentType(const Message& m);
// Whether a Content-Type value names SDP: its media type compared without case and without
// its parameters (RFC 3261 §20.15, RFC 2045 §5.1): "Application/SDP; charset=x" is SDP.
bool isSdpType(std::string_view contentType);
bool carriesSdp(const Message& m);
// Methods whose requests carry our Contact (RFC 3261 §8.1.1.8; RFC 3311, 3265, 3515).
bool hasContact(std::string_view method);

// Whether a Supported or Require header of `m` lists `tag` (RFC 3261 §20.37, §20.32).
bool hasOptionTag(const Message& m, HeaderId header, std::string_view tag);
// RFC 3261 §8.2.2.3: the option tags of Require that we do not support, comma-separated ("" if
// none).
std::string unsupportedRequirements(const Message& request);

// The RSeq of a reliable provisional response (RFC 3262 §7.1), or nothing.
std::optional<std::uint32_t> reliableSequence(const Message& response);
// The response number of a RAck header "response-num CSeq-num Method" (RFC 3262 §7.2).
std::optional<std::uint32_t> rackResponseNumber(const Message& prack);

// Session-Expires (RFC 4028 §4): the interval and, if given, whether the UAC refreshes.
struct SessionExpires {
    std::uint32_t seconds = 0;
    std::optional<bool> refresherIsUac;
};
std::optional<SessionExpires> sessionExpires(const Message& m);
// Min-SE (RFC 4028 §5), or nothing.
std::optional<std::uint32_t> minSessionExpires(const Message& m);
// Whether the Allow header of `m` lists `method` (RFC 3261 §20.5).
bool allowsMethod(const Message& m, std::string_view method);

} // namespace sb::sip
