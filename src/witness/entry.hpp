#pragma once
// A witness entry: one event (a guard decision, a call's state change, a bridge event, an API
// mutation) as canonical JSON — the keys sorted, no whitespace, UTF-8 — so that the same event
// always hashes to the same leaf (RFC 9162 leaves are hashes of the bytes).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace sb::witness {

struct Entry {
    std::string traceId;
    std::int64_t timeMs = 0; // Unix time in milliseconds
    std::string type;        // "guard.decision", "call.answered", …
    std::string actor;       // who caused it: an agent, an expert, "switchboard"
    nlohmann::json data = nlohmann::json::object(); // integers, strings, booleans, nesting
};

// {"actor":…,"data":…,"time":…,"trace_id":…,"type":…}
std::string canonicalJson(const Entry& e);

} // namespace sb::witness
