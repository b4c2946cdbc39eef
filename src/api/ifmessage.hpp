#pragma once
// IFMessage, the JSON envelope agents and Switchboard exchange (ARCHITECTURE.md "Words"):
// {id, performative, sender, receiver, trace_id, timestamp, payload}. Agents send `escalate`;
// Switchboard answers `agree`, `refuse` or `failure` and reports state changes as `inform`.
//
// The readers are strict, because an agent's typo must not silently become a different
// request: unknown members, wrong types, out-of-range sizes and bad enumerations are refused.
// Every error's message starts with the JSON pointer of the offending member (RFC 6901), then
// ": " and one sentence ("/payload/urgency: expected one of low, normal, high, critical"), which
// the API turns into an RFC 9457 problem whose "field" is that pointer (fieldOf()).

#include "core/result.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sb::api {

struct IfMessage {
    std::string id;
    std::string performative;
    std::string sender, receiver;
    std::string traceId;   // empty when the agent sent none
    std::string timestamp; // RFC 3339, as sent; empty when absent
    nlohmann::json payload = nlohmann::json::object();
};

// One piece of evidence the expert may be shown: a reference, never the bytes.
struct EvidenceRef {
    std::string uri;
    std::string sha256;    // 64 lowercase hex digits, or empty
    std::string mediaType; // e.g. "image/png", or empty
    std::string description;
};

// The payload of `escalate`.
struct EscalateRequest {
    std::string topic;
    std::vector<std::string> skills, languages;
    std::string urgency = "normal"; // low, normal, high, critical
    std::string reason;
    std::string expert;                      // a named expert's id, or empty
    std::vector<std::string> bridges{"sip"}; // sip, h323, webrtc, video
    std::string council; // a council room the expert is rung into, or empty: a room of its own
    std::vector<EvidenceRef> evidence;
};

// The largest nesting an agent's body may have; deeper bodies are refused before they are
// parsed (a parser's recursion must not be the attacker's to choose).
inline constexpr int kMaxJsonDepth = 16;

// Parses `body` as JSON within kMaxJsonDepth. Errors name "/" (not JSON, or too deep).
Result<nlohmann::json> parseJson(std::string_view body);

// Reads an envelope. `id`, `performative`, `sender` and `payload` are required; `trace_id`, when
// present, is 32 lowercase hex digits (W3C Trace Context); `timestamp` is RFC 3339.
Result<IfMessage> readIfMessage(const nlohmann::json& body);

// Reads the payload of an `escalate`; pointers in errors start at "/payload".
Result<EscalateRequest> readEscalateRequest(const nlohmann::json& payload);

// The member an error names: its message up to ": " (e.g. "/payload/urgency"), or "/".
std::string fieldOf(const Error& error);

// An envelope from Switchboard to `receiver`, with a fresh id and the current time.
nlohmann::json makeIfMessage(std::string_view performative, std::string_view receiver,
                             std::string_view traceId, nlohmann::json payload);

// The current time in RFC 3339, UTC, to the second ("2026-12-01T08:16:29Z").
std::string rfc3339Now();

} // namespace sb::api
