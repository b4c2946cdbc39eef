#pragma once
// Video's key frame request in SIP INFO (RFC 5168): an application/media_control+xml body
// whose <media_control><vc_primitive><to_encoder> holds <picture_fast_update/> (§3), which
// phones that predate RTCP feedback send when their decoder lost its place.

#include <string_view>

namespace sb::sip {

inline constexpr std::string_view kMediaControlType = "application/media_control+xml";

// Whether an INFO with this content type and body asks the encoder for a full picture: the
// elements nested as §3's schema has them (whatever the whitespace, attributes or prefix
// declarations between them), each opened and closed.
bool isPictureFastUpdate(std::string_view contentType, std::string_view body);

} // namespace sb::sip
