#pragma once
// An ICE candidate as SDP and trickle carry it: the value of a=candidate (RFC 8839 §5.1),
// checked against RFC 8445's bounds. Reading never throws; what does not fit is refused with an
// error naming the field.

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::webrtc {

enum class CandidateType : std::uint8_t { host, srflx, prflx, relay };

struct IceCandidate {
    std::string foundation;      // 1–32 ice-chars
    std::uint16_t component = 1; // 1–256 (RFC 8445 §5.1.1.1); 1 is RTP, or everything with mux
    std::string transport;       // "UDP", or an extension such as "TCP"
    std::uint32_t priority = 0;  // 1 – 2^31−1 (RFC 8445 §5.1.2.1)
    std::string address;         // an IPv4 or IPv6 address, or a name (an mDNS .local one)
    std::uint16_t port = 0;
    CandidateType type = CandidateType::host;
    std::optional<std::string> relatedAddress; // raddr
    std::optional<std::uint16_t> relatedPort;  // rport
    // Extensions, in order (generation, ufrag, network-id, tcptype…).
    std::vector<std::pair<std::string, std::string>> extensions;

    bool operator==(const IceCandidate&) const = default;
};

// `value`: what follows "a=", or a trickled candidate line; the "candidate:" prefix is optional.
// Errc::unsupported for a candidate type other than the four of RFC 8445 (which a peer may
// send, and which is skipped), Errc::invalid_input for anything malformed.
Result<IceCandidate> readCandidate(std::string_view value);
// The attribute's value, without the "candidate:" prefix.
std::string writeCandidate(const IceCandidate& candidate);

std::string_view candidateTypeName(CandidateType type) noexcept;

} // namespace sb::webrtc
