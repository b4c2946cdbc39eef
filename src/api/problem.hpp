#pragma once
// RFC 9457 problem details: every error the API answers has an application/problem+json body
// with type, title, status and detail, plus members that point at the cause
// ({"field": "/payload/urgency"}, {"rule": "r-7"}, {"parameter": "since"}).

#include "api/http_types.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>

namespace sb::api {

inline constexpr std::string_view problemContentType = "application/problem+json";

// A problem response. `type` is "about:blank" (RFC 9457 §4.2.1) unless `extra` holds a "type"
// member (a stable URN per kind, e.g. "urn:switchboard:problem:policy-refused"). Members of
// `extra` are added to the body, but cannot replace title, status or detail. Text that is not
// valid UTF-8 is replaced (U+FFFD), never thrown over. A status outside 100..599 becomes 500.
Response problem(int status, std::string_view title, std::string_view detail,
                 nlohmann::json extra = {});

// Adds Retry-After in delay-seconds (RFC 9110 §10.2.3); rounds up, at least 1.
void setRetryAfter(Response& response, std::chrono::seconds after);

// 429 Too Many Requests (RFC 6585 §4) with Retry-After.
Response tooManyRequests(std::string_view detail, std::chrono::seconds retryAfter,
                         nlohmann::json extra = {});

// A JSON body (application/json), dumped compactly; invalid UTF-8 is replaced, not thrown.
Response jsonResponse(int status, const nlohmann::json& body);

// The RFC 9110 §15 reason phrase ("Not Found"), or "Unknown".
std::string_view reasonPhrase(int status) noexcept;

} // namespace sb::api
