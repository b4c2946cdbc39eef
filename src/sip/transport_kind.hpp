#pragma once
// The SIP transports Switchboard speaks (RFC 3261 §18; TLS per §26.2 for sips:).

#include <optional>
#include <string_view>

namespace sb::sip {

enum class Transport { udp, tcp, tls };

// "udp", "tcp", "tls" (case-insensitive); nullopt for anything else.
std::optional<Transport> parseTransport(std::string_view name) noexcept;

// The Via sent-protocol token: "UDP", "TCP", "TLS".
std::string_view viaToken(Transport t) noexcept;

// Lower-case name as used in configuration and URIs: "udp", "tcp", "tls".
std::string_view transportName(Transport t) noexcept;

constexpr bool isStream(Transport t) noexcept {
    return t != Transport::udp;
}

} // namespace sb::sip
