#pragma once
// The session description of a WebRTC connection that carries DataChannels (RFC 8829 §5, RFC
// 8841): our offer or answer, one m=application section in a BUNDLE group (RFC 8843) with its
// ICE credentials and candidates, DTLS fingerprint and role, SCTP port and message size limit;
// and the peer's, read back. The answerer picks the DTLS role (RFC 8842 §5.3). An answer also
// takes the offer's Opus audio when we have a room's audio for it (audio_section.hpp), and
// refuses every other section, in the offer's order (RFC 3264 §6).

#include "core/result.hpp"
#include "webrtc/audio_section.hpp"
#include "webrtc/dcep.hpp"
#include "webrtc/sdp_transport.hpp"

#include <string>
#include <string_view>

namespace sb::webrtc {

// Ours: what goes into our offer or answer.
struct DataSession {
    WebRtcTransport transport; // credentials, fingerprint, setup, candidates, mid
    SctpDescription sctp;
    std::uint64_t sessionId = 1; // o= (RFC 8829 §5.2.1: a random 62-bit number)
    // An answer takes the offer's audio (PeerDataSession::audio) when this is set: what we
    // send carries this SSRC and CNAME.
    struct Audio {
        std::uint32_t ssrc = 0;
        std::string cname;
    };
    std::optional<Audio> audio;
};

// The peer's: its DataChannel section, read.
struct PeerDataSession {
    WebRtcTransport transport;
    SctpDescription sctp;
    std::string mid;                  // "" when the section has none
    bool bundled = false;             // a=group:BUNDLE names it
    std::optional<PeerAudio> audio;   // the audio section we can take
    std::vector<sdp::Media> sections; // every section of the offer, which an answer mirrors
    std::size_t dataSection = 0;      // the DataChannel's, among them
    std::vector<std::string> bundle;  // the mids a=group:BUNDLE lists, in order
};

// Our offer: setup actpass, as RFC 8842 §5.2 requires of an offerer.
std::string writeOffer(DataSession ours);
// Reads the first DataChannel section of `sdp`; Errc::unsupported when there is none.
Result<PeerDataSession> readDataSession(std::string_view sdp);
// Our answer to `offer`: its mid and its SCTP form (RFC 8841 §4, legacy or not) mirrored, and
// our DTLS role chosen from its setup (answerRole()).
Result<std::string> writeAnswer(DataSession ours, const PeerDataSession& offer);

// RFC 8842 §5.3: an answer to actpass says active (and is the DTLS client), to active says
// passive, to passive says active; holdconn cannot be answered.
Result<DtlsSetup> answerSetup(DtlsSetup offered);
// The DTLS role that a setup we said gives us (active: client; passive: server), or that the
// peer's answer to our actpass leaves us.
DtlsRole roleOfOurs(DtlsSetup ours);
DtlsRole roleLeftByAnswer(DtlsSetup theirs);

} // namespace sb::webrtc
