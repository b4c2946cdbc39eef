#pragma once
// Hosts in SIP: hostname / IPv4address / IPv6reference (RFC 3261 §25.1, RFC 5118).

#include <string_view>

namespace sb::sip {

enum class HostKind { invalid, hostname, ipv4, ipv6 };

// Classifies host text. IPv6 must be a bracketed reference ("[2001:db8::1]"); a bare IPv6
// address is invalid here (RFC 5118 §4.10).
HostKind classifyHost(std::string_view host) noexcept;
inline bool isValidHost(std::string_view host) noexcept {
    return classifyHost(host) != HostKind::invalid;
}

// An IPv4 or IPv6 address without brackets (Via "received", RFC 3261 §18.2.1 / RFC 5118 §4.5).
bool isIpAddress(std::string_view text) noexcept;

} // namespace sb::sip
