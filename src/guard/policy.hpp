#pragma once
// The guard's policy: declarative rules, rate and concurrency limits, and the security each
// expert's call needs, read from a strict TOML file (deploy/policy.toml documents every key).
//
// Reading is strict like the main configuration: an unknown key, a wrong type, a bad glob,
// clock time, day name or time zone, or a duplicate id is an error, and the error is one
// sentence "<file>:<line>:<col>: <dotted.key>: expected …, got …". A Policy that parsed is
// valid; an empty Policy (no rules) denies everything.

#include "core/result.hpp"
#include "core/weekly_window.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace date {
class time_zone;
}

namespace sb::guard {

// What a room may be joined to. The expert's own call is "sip"; a request lists every bridge
// it wants.
enum class Bridge : std::uint8_t { sip, h323, webrtc, video };
inline constexpr std::uint8_t kAllBridges = 0x0f;
constexpr std::uint8_t bridgeBit(Bridge b) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(b));
}
std::string_view bridgeName(Bridge bridge);
std::optional<Bridge> parseBridge(std::string_view name); // "sip", "h323", "webrtc", "video"

enum class Urgency : std::uint8_t { low, normal, high, critical };
inline constexpr std::uint8_t kAllUrgencies = 0x0f;
constexpr std::uint8_t urgencyBit(Urgency u) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(u));
}
std::string_view urgencyName(Urgency urgency);
std::optional<Urgency> parseUrgency(std::string_view name); // "low", "normal", "high", "critical"

enum class Effect : std::uint8_t { allow, deny };

// One window of a rule's `hours`, in its own time zone.
struct Hours {
    WeeklyWindow window;
    std::string timeZone;                  // the IANA name as written ("Europe/Berlin")
    const date::time_zone* zone = nullptr; // resolved by the reader; never null after parse

    bool operator==(const Hours& o) const { return window == o.window && timeZone == o.timeZone; }
};

struct Rule {
    std::string id;
    Effect effect = Effect::deny;
    // Glob patterns; an empty list means "any" (the key was left out).
    std::vector<std::string> agents, topics, experts;
    // The bridges the rule names (bit per Bridge); kAllBridges when left out. An allow rule
    // matches when every requested bridge is in it; a deny rule when any requested one is.
    std::uint8_t bridges = kAllBridges;
    std::uint8_t urgencies = kAllUrgencies; // bit per Urgency
    std::vector<Hours> hours;               // empty: at any time; else inside any window
    std::string reason;                     // one sentence; generated when the file has none

    bool operator==(const Rule&) const = default;
};

enum class LimitScope : std::uint8_t { agent, expert };

// A token bucket and/or a concurrency cap, applied separately to every agent (or expert) whose
// id matches one of `subjects`.
struct Limit {
    std::string id; // as written, or "limits[<index>]" when the file gives none
    LimitScope scope = LimitScope::agent;
    std::vector<std::string> subjects; // glob patterns, never empty
    // The bucket: `rate` escalations per `perSeconds`, holding at most `burst` (default: rate).
    // rate 0: no bucket, only the cap.
    std::uint32_t rate = 0;
    std::uint32_t perSeconds = 0;
    std::uint32_t burst = 0;
    std::optional<std::uint32_t> maxConcurrent;

    // What identifies the bucket across reloads: scope, subjects and bucket parameters (not
    // the id, which may be positional). Guard::replace keeps levels whose key is unchanged.
    std::string bucketKey() const;

    bool operator==(const Limit&) const = default;
};

// [security]: every entry whose pattern matches the expert's id applies.
struct SecurityRequirement {
    std::string pattern; // glob over expert ids
    bool tls = false;    // SIP signalling over TLS (sips:)
    bool srtp = false;   // SRTP media

    bool operator==(const SecurityRequirement&) const = default;
};

struct Policy {
    std::vector<Rule> rules; // file order: the first matching rule decides
    std::vector<Limit> limits;
    std::vector<SecurityRequirement> security;

    // Parses a policy. `sourceName` is used only in messages. On bad input returns
    // Errc::config with one sentence "<sourceName>:<line>:<col>: <key>: expected …, got …".
    // Never throws.
    static Result<Policy> parse(std::string_view tomlText, std::string_view sourceName);
    // Reads a file (at most 1 MiB); Errc::config naming the file when it cannot be read.
    static Result<Policy> load(const std::filesystem::path& file);

    bool operator==(const Policy&) const = default;
};

} // namespace sb::guard
