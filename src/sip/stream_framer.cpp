#include "sip/stream_framer.hpp"

#include "sip/header_id.hpp"
#include "sip/syntax.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <limits>

namespace sb::sip {

namespace {

using syntax::isWsp;

// If `line` is a Content-Length (or compact "l") header, the offset of its value in `line`.
std::size_t contentLengthValue(std::string_view line) noexcept {
    if (line.empty()) return std::string_view::npos;
    const char first = syntax::lower(line.front());
    if (first != 'c' && first != 'l') return std::string_view::npos; // the common case
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return std::string_view::npos;
    auto name = line.substr(0, colon);
    while (!name.empty() && isWsp(name.back())) // RFC 3261 §7.3.1: WSP before ':'
        name.remove_suffix(1);
    return lookupHeader(name) == HeaderId::content_length ? colon + 1 : std::string_view::npos;
}

// The value as text fit for an error sentence.
std::string printable(std::string_view value) {
    value = syntax::trim(value);
    std::string out;
    for (char c : value.substr(0, 40))
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (value.size() > 40) out += "...";
    return out;
}

// Parses a Content-Length value (digits surrounded by LWS).
Result<std::uint64_t> parseContentLength(std::string_view value) {
    std::uint64_t n = 0;
    if (!syntax::parseUnsigned(syntax::trim(value), std::numeric_limits<std::uint64_t>::max(), n))
        return fail(
            Errc::invalid_input,
            fmt::format("Content-Length value '{}' is not a number below 2**64", printable(value)));
    return n;
}

Unexpected tooLarge(const char* what, std::size_t size, std::size_t limit) {
    return fail(Errc::too_large,
                fmt::format("SIP {} of {} bytes exceeds the limit of {} bytes", what, size, limit));
}

} // namespace

Result<StreamFrame> frameStreamMessage(std::string_view b, std::size_t maxMessageBytes) {
    using Kind = StreamFrame::Kind;
    const std::size_t n = b.size();

    // RFC 3261 §7.5: CRLFs before the start line are ignored; RFC 5626 §4.4.1: CRLFCRLF there
    // is a keep-alive ping. A trailing partial CRLF may still become a ping: wait for it.
    std::size_t s = 0;
    while (s < n && b[s] == '\r') {
        if (s + 1 == n) return StreamFrame{Kind::incomplete, s, 0};
        if (b[s + 1] != '\n') break; // not a CRLF: let the header scan judge it
        if (s + 2 == n) return StreamFrame{Kind::incomplete, s, 0};
        if (b[s + 2] == '\r') {
            if (s + 3 == n) return StreamFrame{Kind::incomplete, s, 0};
            if (b[s + 3] == '\n') return StreamFrame{Kind::ping, s, 4};
        }
        s += 2;
    }

    // One pass over the header lines. A Content-Length value may be folded onto continuation
    // lines, so its end is known only when the next header (or the empty line) starts.
    bool haveLength = false;
    std::uint64_t length = 0;
    std::size_t pendingValue = std::string_view::npos; // start of a Content-Length value
    auto settle = [&](std::size_t valueEnd) -> Result<void> {
        auto v = parseContentLength(b.substr(pendingValue, valueEnd - pendingValue));
        pendingValue = std::string_view::npos;
        if (!v) return fail(v.error());
        if (haveLength && *v != length) {
            return fail(Errc::invalid_input,
                        fmt::format("conflicting Content-Length values {} and {}", length, *v));
        }
        haveLength = true;
        length = *v;
        return {};
    };

    std::size_t lineStart = s;
    bool startLine = true;
    std::size_t headerEnd = 0;
    for (;;) {
        const std::size_t lineEnd = b.find("\r\n", lineStart);
        if (lineEnd == std::string_view::npos) {
            if (n - s > maxMessageBytes) return tooLarge("header section", n - s, maxMessageBytes);
            return StreamFrame{Kind::incomplete, s, 0};
        }
        if (lineEnd + 2 - s > maxMessageBytes) {
            return tooLarge("header section", lineEnd + 2 - s, maxMessageBytes);
        }
        const bool continuation = lineEnd > lineStart && isWsp(b[lineStart]);
        if (!continuation && pendingValue != std::string_view::npos) {
            if (auto r = settle(lineStart); !r) return fail(r.error());
        }
        if (lineEnd == lineStart) { // the empty line
            headerEnd = lineEnd + 2;
            break;
        }
        if (!startLine && !continuation) {
            const auto line = b.substr(lineStart, lineEnd - lineStart);
            if (auto v = contentLengthValue(line); v != std::string_view::npos) {
                pendingValue = lineStart + v;
            }
        }
        startLine = false;
        lineStart = lineEnd + 2;
    }

    if (!haveLength) {
        return fail(Errc::invalid_input,
                    "Content-Length is required on stream transports (RFC 3261 §18.3)");
    }
    const std::size_t headerBytes = headerEnd - s;
    if (length > maxMessageBytes - headerBytes) {
        const auto total = length > std::numeric_limits<std::size_t>::max() - headerBytes
                               ? std::numeric_limits<std::size_t>::max()
                               : headerBytes + static_cast<std::size_t>(length);
        return tooLarge("message", total, maxMessageBytes);
    }
    const std::size_t total = headerBytes + static_cast<std::size_t>(length);
    if (n - s < total) return StreamFrame{Kind::incomplete, s, 0, total};
    return StreamFrame{Kind::message, s, total};
}

} // namespace sb::sip
