#pragma once
// What Switchboard and a WebRTC peer say on the peer's control channel, the DataChannel
// labelled "switchboard" (ARCHITECTURE.md "The WebRTC bridge"): IFMessages (api/ifmessage.hpp)
// as text messages, each with the escalation's trace id, and evidence chunks
// (webrtc/evidence.hpp) as binary ones.
//
//   handshake       Switchboard: {escalation, role, max_message_size}, once the channel opens;
//                   the peer answers with its own, {in_reply_to, binary (default true)}.
//   context_update  Switchboard: {summary, context}; the peer acknowledges.
//   evidence_chunk  Switchboard: a file's description before its chunks {transfer, name, type,
//                   size, sha256, chunk_payload, count, from}, and, for a peer that takes no
//                   binary messages, each chunk {transfer, index, sha256, data (base64)}; the
//                   peer acknowledges what it holds {in_reply_to: transfer, next}, and the whole
//                   file with its digest {in_reply_to, next: count, sha256}.
//   session_end     either side: {reason}; the channel then closes.
//   ack             the peer: {in_reply_to, next?, sha256?}.
//   error           either side: {in_reply_to?, detail}; the session goes on.
//
// On a signalling WebSocket (app/webrtc_routes.cpp), before and beside the channel:
//   handshake       the peer: {sdp} with its offer, or {} to have Switchboard offer, then {sdp}
//                   with its answer; Switchboard: {type: "answer" | "offer", sdp}. Later, an
//                   ICE restart (RFC 8445 §9) from either side: {type: "offer", ice} with new
//                   credentials and candidates as an SDP fragment (RFC 8840 §9), answered by
//                   {type: "answer", ice} with the other's new ones. When two offers cross,
//                   each side takes the other's as its answer.
//   candidate       either side: {candidate: "candidate:…"} (RFC 8840 §5.1), or {end: true}.
//   session_end     the peer ends the session.

#include "core/result.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::bridge {

inline constexpr std::string_view kControlChannel = "switchboard";

enum class Performative : std::uint8_t {
    handshake,
    context_update,
    evidence_chunk,
    session_end,
    ack,
    error,
    candidate, // signalling only: a trickled candidate {candidate}, or the end of them {end}
};
std::string_view nameOf(Performative performative) noexcept;

struct PeerMessage {
    std::string id;
    Performative performative = Performative::error;
    std::string traceId;
    nlohmann::json payload = nlohmann::json::object();
};

// Reads a text message from the peer. Errors name the member (api::readIfMessage's pointers);
// an unknown performative is Errc::unsupported, naming it.
Result<PeerMessage> readPeerMessage(std::string_view text);
// A message from Switchboard; `id` receives its id (for the acknowledgement to name).
std::string writePeerMessage(Performative performative, std::string_view traceId,
                             nlohmann::json payload, std::string* id = nullptr);
// The agent's context for the peer: `summary`, and `context` (JSON text, compact as jsonText
// writes it; empty: none). The second gives the first's size without building it, so that the
// control loop can hold it against the peer's a=max-message-size.
std::string writeContextUpdate(std::string_view traceId, std::string_view summary,
                               std::string_view context, std::string* id = nullptr);
std::size_t contextUpdateSize(std::string_view traceId, std::string_view summary,
                              std::string_view context);

// An acknowledgement's payload.
struct PeerAck {
    std::string inReplyTo;
    std::optional<std::uint32_t> next; // evidence: every chunk before it is held
    std::string sha256;                // evidence: the whole file's, as the peer computed it
};
Result<PeerAck> readAck(const nlohmann::json& payload);

// Base64 (RFC 4648 §4), for chunks on the JSON fallback only.
std::string base64(std::span<const std::byte> bytes);

// An evidence chunk on the JSON fallback (a peer that takes no binary messages): its payload in
// base64, its index and digest as members. kChunkEnvelope bounds what it adds to the base64.
inline constexpr std::size_t kChunkEnvelope = 512;
std::string writeEvidenceChunkText(std::string_view traceId, std::string_view transfer,
                                   std::uint32_t index, std::string_view sha256,
                                   std::span<const std::byte> payload);

} // namespace sb::bridge
