#include "core/trace.hpp"

#include "core/hex.hpp"
#include "core/random.hpp"

#include <algorithm>
#include <vector>

namespace sb {
namespace {

bool isLowerHex(std::string_view text, std::size_t size) noexcept {
    return text.size() == size && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

bool allZero(std::string_view text) noexcept {
    return text.find_first_not_of('0') == std::string_view::npos;
}

} // namespace

bool isTraceId(std::string_view text) noexcept {
    return isLowerHex(text, 32) && !allZero(text);
}

Result<TraceContext> parseTraceparent(std::string_view value) {
    // version "-" trace-id "-" parent-id "-" trace-flags, each of fixed size.
    if (value.size() < 55 || value[2] != '-' || value[35] != '-' || value[52] != '-')
        return fail(Errc::invalid_input,
                    "traceparent: expected version-traceid-parentid-flags (55 characters)");
    const auto version = value.substr(0, 2), traceId = value.substr(3, 32),
               parentId = value.substr(36, 16), flags = value.substr(53, 2);
    if (!isLowerHex(version, 2) || version == "ff")
        return fail(Errc::invalid_input, "traceparent: bad version");
    // §3.2.4: version 00 is exactly 55 characters; later ones may append "-…".
    if (version == "00" ? value.size() != 55 : (value.size() > 55 && value[55] != '-'))
        return fail(Errc::invalid_input, "traceparent: bad length for its version");
    if (!isTraceId(traceId))
        return fail(Errc::invalid_input,
                    "traceparent: trace-id must be 32 lowercase hex digits, not all zero");
    if (!isLowerHex(parentId, 16) || allZero(parentId))
        return fail(Errc::invalid_input,
                    "traceparent: parent-id must be 16 lowercase hex digits, not all zero");
    if (!isLowerHex(flags, 2)) return fail(Errc::invalid_input, "traceparent: bad trace-flags");
    return TraceContext{std::string(traceId), std::string(parentId)};
}

std::string randomHex(std::size_t bytes) {
    std::vector<std::uint8_t> out(bytes);
    for (auto& byte : out)
        byte = static_cast<std::uint8_t>(threadRandom()());
    return toHex(out);
}

std::string newTraceId() {
    std::string id;
    do {
        id = randomHex(16);
    } while (allZero(id));
    return id;
}

} // namespace sb
