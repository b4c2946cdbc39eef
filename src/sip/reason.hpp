#pragma once
// RFC 3326's Reason header: why a BYE or CANCEL was sent, as a cause of another protocol
// ("Q.850;cause=16;text=\"Terminated\"", "SIP;cause=487"). A gateway carries an H.323 call's
// Q.850 cause across in it, both ways.

#include <optional>
#include <string>
#include <string_view>

namespace sb::sip {

// The cause that `protocol` ("Q.850", "SIP"; case-insensitive) gives in a Reason header's
// value: of its comma-separated reason-values, the first of that protocol with a cause
// parameter. nullopt when there is none, or its cause is not a number up to 65535.
std::optional<int> reasonCause(std::string_view value, std::string_view protocol);

// A reason-value (RFC 3326 §2): "Q.850;cause=17".
std::string reasonValue(std::string_view protocol, int cause);

// The Q.850 reason-value of a Reason header's value, written as reasonValue() writes it (the
// form a room's legs carry across a gateway), or empty when it gives no Q.850 cause.
std::string q850Reason(std::string_view value);

} // namespace sb::sip
