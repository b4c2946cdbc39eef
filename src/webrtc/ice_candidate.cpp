#include "webrtc/ice_candidate.hpp"

#include "webrtc/grammar.hpp"

#include <asio/ip/address.hpp>
#include <charconv>
#include <fmt/format.h>

namespace sb::webrtc {
namespace {

// RFC 5234 VCHAR: visible characters.
bool isVisible(char c) {
    return c > 0x20 && c < 0x7F;
}

// An IP address, or a host name (RFC 1123 labels; mDNS names such as "<uuid>.local").
bool isAddress(std::string_view s) {
    std::error_code ec;
    (void)asio::ip::make_address(std::string(s), ec);
    if (!ec) return true;
    if (s.empty() || s.size() > 253 || s.front() == '.' || s.front() == '-') return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    return true;
}

template <class T>
std::optional<T> number(std::string_view s, std::size_t maxDigits) {
    T value{};
    if (s.empty() || s.size() > maxDigits) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

// The fields of the line, split at single spaces.
std::vector<std::string_view> fieldsOf(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (at <= s.size()) {
        const auto space = s.find(' ', at);
        const auto end = space == std::string_view::npos ? s.size() : space;
        out.push_back(s.substr(at, end - at));
        if (space == std::string_view::npos) break;
        at = space + 1;
    }
    return out;
}

Unexpected bad(std::string_view what) {
    return fail(Errc::invalid_input, fmt::format("a=candidate: {}", what));
}

} // namespace

std::string_view candidateTypeName(CandidateType type) noexcept {
    switch (type) {
    case CandidateType::host:
        return "host";
    case CandidateType::srflx:
        return "srflx";
    case CandidateType::prflx:
        return "prflx";
    case CandidateType::relay:
        return "relay";
    }
    return "host";
}

Result<IceCandidate> readCandidate(std::string_view value) {
    if (value.starts_with("a=")) value.remove_prefix(2);
    if (value.starts_with("candidate:")) value.remove_prefix(10);
    if (value.size() > 1024) return fail(Errc::too_large, "a=candidate: over 1,024 bytes");
    const auto f = fieldsOf(value);
    if (f.size() < 8) return bad(fmt::format("{} fields, fewer than the 8 required", f.size()));
    IceCandidate c;
    if (f[0].size() > 32 || !allOf(f[0], isIceChar))
        return bad(fmt::format("foundation '{}' is not 1 to 32 ice-chars", f[0]));
    c.foundation = f[0];
    const auto component = number<unsigned>(f[1], 3);
    if (!component || *component < 1 || *component > 256)
        return bad(fmt::format("component-id '{}' is not 1 to 256", f[1]));
    c.component = static_cast<std::uint16_t>(*component);
    if (!allOf(f[2], isTokenChar)) return bad(fmt::format("transport '{}' is not a token", f[2]));
    c.transport = f[2];
    for (auto& ch : c.transport)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    const auto priority = number<std::uint64_t>(f[3], 10);
    if (!priority || *priority < 1 || *priority > 0x7FFFFFFF)
        return bad(fmt::format("priority '{}' is not 1 to 2^31-1", f[3]));
    c.priority = static_cast<std::uint32_t>(*priority);
    if (!isAddress(f[4]))
        return bad(fmt::format("connection-address '{}' is not an address", f[4]));
    c.address = f[4];
    const auto port = number<std::uint16_t>(f[5], 5);
    if (!port) return bad(fmt::format("port '{}' is not 0 to 65535", f[5]));
    c.port = *port;
    if (f[6] != "typ") return bad(fmt::format("'typ' expected, not '{}'", f[6]));
    if (f[7] == "host") {
        c.type = CandidateType::host;
    } else if (f[7] == "srflx") {
        c.type = CandidateType::srflx;
    } else if (f[7] == "prflx") {
        c.type = CandidateType::prflx;
    } else if (f[7] == "relay") {
        c.type = CandidateType::relay;
    } else {
        if (!allOf(f[7], isTokenChar)) return bad(fmt::format("type '{}' is not a token", f[7]));
        return fail(Errc::unsupported, fmt::format("a=candidate: type '{}' is not ICE's", f[7]));
    }
    std::size_t i = 8;
    if (i + 1 < f.size() && f[i] == "raddr") {
        if (!isAddress(f[i + 1])) return bad(fmt::format("raddr '{}' is not an address", f[i + 1]));
        c.relatedAddress = std::string(f[i + 1]);
        i += 2;
    }
    if (i + 1 < f.size() && f[i] == "rport") {
        const auto rport = number<std::uint16_t>(f[i + 1], 5);
        if (!rport) return bad(fmt::format("rport '{}' is not 0 to 65535", f[i + 1]));
        c.relatedPort = *rport;
        i += 2;
    }
    for (; i < f.size(); i += 2) {
        if (!allOf(f[i], isTokenChar))
            return bad(fmt::format("extension name '{}' is not a token", f[i]));
        if (i + 1 == f.size()) return bad(fmt::format("extension '{}' has no value", f[i]));
        for (char ch : f[i + 1])
            if (!isVisible(ch))
                return bad(fmt::format("extension '{}' has an invisible character", f[i]));
        c.extensions.emplace_back(f[i], f[i + 1]);
    }
    return c;
}

std::string writeCandidate(const IceCandidate& c) {
    std::string out =
        fmt::format("{} {} {} {} {} {} typ {}", c.foundation, c.component, c.transport, c.priority,
                    c.address, c.port, candidateTypeName(c.type));
    if (c.relatedAddress) out += fmt::format(" raddr {}", *c.relatedAddress);
    if (c.relatedPort) out += fmt::format(" rport {}", *c.relatedPort);
    for (const auto& [name, value] : c.extensions)
        out += fmt::format(" {} {}", name, value);
    return out;
}

} // namespace sb::webrtc
