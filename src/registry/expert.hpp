#pragma once
// An expert in the registry: how to reach them (SIP, H.323, WebRTC), what they know, and when
// they are on call; its strict JSON form; and the on-call test.
//
// JSON (field names as below, all written on output; only "id" and "sipUri" are required):
//   {"id": "alice", "name": "Alice Martin", "sipUri": "sips:alice@example.org",
//    "h323Alias": "alice", "webrtcIdentity": "alice@example.org",
//    "skills": ["billing", "sepa"], "languages": ["de", "en-GB"],
//    "timeZone": "Europe/Berlin",
//    "onCall": [{"days": ["mon", "tue"], "from": "08:00", "to": "18:00"},
//               {"days": ["fri"], "from": "22:00", "to": "06:00"}],
//    "maxConcurrent": 1, "priority": 0}
// Reading rejects unknown fields, wrong types, null, bad ids, URIs, language tags, clock times,
// day names and unknown time zones, naming the field's JSON pointer.

#include "core/result.hpp"
#include "core/weekly_window.hpp"
#include "registry/field_error.hpp"

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sb::registry {

struct Expert {
    std::string id;                     // 1 to 64 of [A-Za-z0-9._-]; the X-IF-Expert-ID value
    std::string name;                   // for people; may be empty
    std::string sipUri;                 // sip: or sips: URI (required)
    std::string h323Alias;              // empty: not reachable over H.323
    std::string webrtcIdentity;         // empty: none
    std::vector<std::string> skills;    // matched without regard to ASCII case
    std::vector<std::string> languages; // BCP 47 tags ("de", "en-GB")
    std::string timeZone = "UTC";       // IANA name; the on-call windows are in this zone
    // Weekly windows in the expert's zone; a window may cross midnight ("22:00" to "06:00").
    // No windows: always on call.
    std::vector<WeeklyWindow> onCall;
    int maxConcurrent = 1; // escalations at once, 1 … 1000
    int priority = 0;      // 0 … 1000; lower rings earlier in an implicit plan

    bool operator==(const Expert&) const = default;
};

// Reads an expert from JSON. On bad input returns Errc::invalid_input whose message is
// "<pointer>: <detail>" (e.g. `/onCall/1/from: expected "HH:MM", got "25:00"`) and, when
// `where` is given, fills it with the pointer and the detail apart. Never throws.
Result<Expert> expertFromJson(const nlohmann::json& json, FieldError* where = nullptr);
// The same from JSON text (at most 1 MiB); invalid JSON is reported at pointer "".
Result<Expert> parseExpert(std::string_view jsonText, FieldError* where = nullptr);

// Every field, in the form expertFromJson reads (expertFromJson(toJson(e)) == e).
nlohmann::json toJson(const Expert& expert);

// True when `at` falls inside one of the expert's windows in their time zone, with that zone's
// daylight-saving rules at that instant. No windows: true. An unknown zone: false.
bool onCall(const Expert& expert, std::chrono::system_clock::time_point at);

// Whether the expert has every skill (ASCII case-insensitive) and, when `languages` is not
// empty, speaks one of them. Language tags match when one is the other or a prefix of it by
// whole subtags (RFC 4647 §3.3.1 basic filtering, both ways): "de" matches "de-CH".
bool hasSkills(const Expert& expert, const std::vector<std::string>& skills);
bool speaksAny(const Expert& expert, const std::vector<std::string>& languages);

// The validators the reader uses, for other readers of the same values.
bool isSipUri(std::string_view uri);
bool isLanguageTag(std::string_view tag);

} // namespace sb::registry
