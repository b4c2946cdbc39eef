#pragma once
// The audio of a WebRTC session description (RFC 8829 §5.3, RFC 7587): which of the peer's
// audio sections Switchboard takes — the first that offers Opus over UDP/TLS/RTP/SAVPF with
// rtcp-mux, as a browser's does — and our answer's section for it: Opus at the peer's payload
// type, rtcp-mux, the direction that answers the peer's (RFC 3264 §6.1). Every other section
// but the DataChannel's is refused with port 0 (RFC 3264 §6), its mid kept (RFC 8843 §7.3.3).

#include "sdp/session.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sb::webrtc {

struct PeerAudio {
    std::size_t section = 0; // its index among the offer's m= sections
    int payloadType = 111;   // Opus's
    std::string fmtp;        // the peer's parameters for it, if any (RFC 7587 §6.1)
    sdp::Direction direction = sdp::Direction::sendrecv;
};

// The audio section we would take from `offer`, if any.
std::optional<PeerAudio> findOpusAudio(const sdp::Session& offer);

// Our answer's section for `peer` (the transport's attributes are the caller's to add): we send
// with `ssrc`, named by `cname` (RFC 7022) and msid (RFC 8830) so that the browser gives its
// track a stream.
sdp::Media answerAudio(const PeerAudio& peer, std::uint32_t ssrc, const std::string& cname);

// The offer's section `offered`, refused (port 0; its mid kept, so the answer still names it).
sdp::Media refuse(const sdp::Media& offered);

} // namespace sb::webrtc
