#pragma once
// What ICE, DTLS and SCTP need from a WebRTC session description, read from and written to the
// SDP model (sdp/session.hpp): ICE credentials, options and candidates (RFC 8839, RFC 8840),
// DTLS fingerprints and role (RFC 8122, RFC 8842), the SCTP port and message size limit of a
// DataChannel section (RFC 8841), and the section's mid (RFC 5888). Reading checks each value
// against its RFC's grammar and bounds, and refuses with an error naming the attribute.

#include "core/result.hpp"
#include "sdp/session.hpp"
#include "webrtc/ice_candidate.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::webrtc {

// RFC 4145 §4 with RFC 8842 §5: who starts the DTLS handshake. An offer says actpass; the
// answer active (it will be the DTLS client) or passive.
enum class DtlsSetup : std::uint8_t { actpass, active, passive, holdconn };

// RFC 8122 §5: a certificate's digest, with the hash function that made it.
struct Fingerprint {
    std::string hash;                 // lower case: "sha-256", …
    std::vector<std::uint8_t> digest; // its length is the hash's
    bool operator==(const Fingerprint&) const = default;
};
// "AB:CD:…", as the attribute writes it (upper-case hex, RFC 8122's UHEX).
std::string fingerprintText(const std::vector<std::uint8_t>& digest);

struct WebRtcTransport {
    std::string iceUfrag, icePwd;
    std::vector<std::string> iceOptions; // "trickle", "ice2", …
    bool iceLite = false;
    std::vector<Fingerprint> fingerprints;
    std::optional<DtlsSetup> setup;
    std::vector<IceCandidate> candidates; // those of ICE's four types; others are skipped
    bool endOfCandidates = false;
    std::optional<std::string> mid;

    bool trickles() const;
    bool operator==(const WebRtcTransport&) const = default;
};

// The transport of `media`, with the session level's attributes where the media section has
// none of its own (RFC 8839 §5.4: credentials may be given for the whole session).
Result<WebRtcTransport> readTransport(const sdp::Session& session, const sdp::Media& media);
// Writes the transport's attributes into `media` (media level; ice-lite, which is session
// level only, is left to the caller).
void writeTransport(const WebRtcTransport& transport, sdp::Media& media);

// The smallest a=max-message-size taken (other than 0, no limit): RFC 8841 sets no floor, but
// a peer that takes less cannot receive the session's messages (an evidence chunk's header
// alone is 60 octets), and a smaller one is refused as the description is read.
inline constexpr std::uint64_t kSmallestMaxMessageSize = 1024;

// A DataChannel section: m=application … UDP/DTLS/SCTP webrtc-datachannel (RFC 8841 §4), or
// its older form (legacy: DTLS/SCTP with the port as the format and a=sctpmap), which an
// answer must mirror.
struct SctpDescription {
    std::uint16_t port = 5000; // a=sctp-port; 5000 when absent (§5)
    bool legacy = false;
    // a=max-message-size; absent: 65,536 (§6.1), 0: no limit but the receiver's memory.
    std::optional<std::uint64_t> maxMessageSize;
    std::uint64_t largestMessage() const noexcept { return maxMessageSize.value_or(65536); }
    bool operator==(const SctpDescription&) const = default;
};
// Errc::unsupported for a section that is not a DataChannel's; Errc::invalid_input for one
// that is, malformed.
Result<SctpDescription> readSctp(const sdp::Media& media);
// The attributes only (the m= line, which the legacy form's port is part of, is the caller's).
void writeSctp(const SctpDescription& sctp, sdp::Media& media);

std::string_view setupName(DtlsSetup setup) noexcept;

// RFC 8840 §9: an SDP fragment (application/trickle-ice-sdpfrag), as WHIP's PATCH carries it
// (RFC 9725 §4.3): new ICE credentials (an ICE restart, RFC 8839 §4.4.1.1.1), trickled
// candidates, the end of them. Lines other than these and their m= and a=mid are ignored.
struct IceFragment {
    std::optional<std::string> iceUfrag, icePwd; // both or neither
    std::vector<IceCandidate> candidates;
    bool endOfCandidates = false;
    std::optional<std::string> mid;
};
Result<IceFragment> readIceFragment(std::string_view text);
std::string writeIceFragment(const IceFragment& fragment);

} // namespace sb::webrtc
