#pragma once
// Q.850 causes (what an H.323 call's ReleaseComplete says) and SIP: RFC 3398's mappings of a
// cause to a SIP response (§7.2.4.1) and of a response to a cause (§8.2.6.1). The cause itself
// crosses in RFC 3326's Reason header (sip/reason.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::h323 {

// The SIP response for a call released with `cause`; 0 for normal clearing (16), which is a
// BYE's, not a response's. Causes the table leaves out take their class's (Q.850 Table 1).
int sipStatusOf(std::uint8_t cause) noexcept;
// The Q.850 cause for a SIP final response that ends a call (3xx to 6xx); 127 (interworking)
// for one the table leaves out.
std::uint8_t causeOf(int sipStatus) noexcept;

// A cause as RFC 3326 writes it in a Reason header ("Q.850;cause=17"), the way a room's legs
// carry it across a gateway (room::LegEvent::cause); and back: the cause of such a value, for
// exactly that form (a SIP leg writes what its peer's Reason header said in it), else nullopt.
std::string reasonOf(std::uint8_t cause);
std::optional<std::uint8_t> q850Of(std::string_view reason) noexcept;

} // namespace sb::h323
