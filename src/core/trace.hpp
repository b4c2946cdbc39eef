#pragma once
// Trace ids: one per escalation, carried from the agent's request (a W3C `traceparent`) through
// every SIP leg (X-IF-Trace-ID), log line and witness entry, so that one id finds everything
// that happened for it.

#include "core/result.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <string>
#include <string_view>

namespace sb {

struct TraceContext {
    std::string traceId;  // 32 lowercase hex digits, not all zero (W3C Trace Context §3.2.2.3)
    std::string parentId; // 16 lowercase hex digits, not all zero; empty when we made the trace
};

// Reads a `traceparent` header value (W3C Trace Context Level 1 §3.2): version 00 as
// "00-<trace-id>-<parent-id>-<flags>"; a later version is read by its first four fields
// (§3.2.4). Errors (Errc::invalid_input) name the part that is wrong.
Result<TraceContext> parseTraceparent(std::string_view value);

// True for 32 lowercase hex digits that are not all zero.
bool isTraceId(std::string_view text) noexcept;

// How log lines name call `call`: "7", or "7 trace=…" when it carries an escalation's trace,
// so that one search for the trace finds the lines of every module about the call. Formatted
// (fmt::formatter below) only when a line is written: a log call whose level is off costs
// nothing. It views `traceId`, which must outlive it.
struct CallTag {
    std::uint64_t call = 0;
    std::string_view traceId;
};
inline CallTag callTag(std::uint64_t call, std::string_view traceId) noexcept {
    return {call, traceId};
}

// A fresh random trace id.
std::string newTraceId();

// `bytes` random bytes as lowercase hex, for ids (not for secrets: the generator is not a
// cryptographic one).
std::string randomHex(std::size_t bytes);

} // namespace sb

template <>
struct fmt::formatter<sb::CallTag> {
    constexpr auto parse(format_parse_context& context) { return context.begin(); }
    template <class FormatContext>
    auto format(const sb::CallTag& tag, FormatContext& context) const {
        return tag.traceId.empty()
                   ? fmt::format_to(context.out(), "{}", tag.call)
                   : fmt::format_to(context.out(), "{} trace={}", tag.call, tag.traceId);
    }
};
