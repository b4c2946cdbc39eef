#include "sip/host.hpp"

#include "sip/syntax.hpp"

#include <arpa/inet.h>
#include <array>
#include <cstdint>
#include <cstring>

namespace sb::sip {
namespace {

bool isIpv4(std::string_view s) noexcept {
    int parts = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t j = i;
        while (j < s.size() && syntax::isDigit(s[j]))
            ++j;
        const std::size_t len = j - i;
        if (len == 0 || len > 3) return false;
        int value = 0;
        for (std::size_t k = i; k < j; ++k)
            value = value * 10 + (s[k] - '0');
        if (value > 255) return false;
        ++parts;
        if (j == s.size()) break;
        if (s[j] != '.') return false;
        i = j + 1;
    }
    return parts == 4;
}

bool isIpv6(std::string_view s) noexcept {
    // inet_pton accepts exactly RFC 4291 text forms, including the IPv4-mapped tail.
    std::array<char, 64> text{};
    if (s.empty() || s.size() >= text.size()) return false;
    std::memcpy(text.data(), s.data(), s.size());
    unsigned char out[16];
    if (inet_pton(AF_INET6, text.data(), out) == 1) return true;
    // RFC 5118 §4.9: RFC 3261's ABNF allowed ":::" before an embedded IPv4 address; such
    // addresses must be tolerated. Read them as "::".
    const auto triple = s.find(":::");
    if (triple == std::string_view::npos || s.find(":::", triple + 1) != std::string_view::npos)
        return false;
    std::memmove(text.data() + triple + 2, text.data() + triple + 3, s.size() - triple - 2);
    return inet_pton(AF_INET6, text.data(), out) == 1;
}

// Character classes of hostnames. kHyphen and kDot sort last: a label may not end in either.
enum : std::uint8_t { kBad, kDigit, kLetter, kHyphen, kDot };

constexpr auto kHostClass = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = '0'; c <= '9'; ++c)
        t[c] = kDigit;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] = t[c - 'a' + 'A'] = kLetter;
    t['_'] = kLetter;
    t['-'] = kHyphen;
    t['.'] = kDot;
    return t;
}();

// Which class may not follow which: an empty label ("..", a leading '.'), a label starting
// with '-' (".-") or ending with '-' ("-."), and any character outside the hostname set.
constexpr auto kBadTransition = [] {
    std::array<std::array<std::uint8_t, 5>, 5> t{};
    for (int prev = 0; prev < 5; ++prev) {
        t[prev][kBad] = 1;
        t[prev][kDot] = prev >= kHyphen;
        t[prev][kHyphen] = prev == kDot;
    }
    return t;
}();

} // namespace

HostKind classifyHost(std::string_view host) noexcept {
    if (host.empty() || host.size() > 255) return HostKind::invalid;
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return HostKind::invalid;
        return isIpv6(host.substr(1, host.size() - 2)) ? HostKind::ipv6 : HostKind::invalid;
    }
    // hostname = *( domainlabel "." ) toplabel [ "." ]: labels of alphanum and '-' (and '_',
    // seen in the field), not starting or ending with '-'. One table-driven pass; the
    // toplabel-starts-with-a-letter rule is relaxed, but an all-numeric name must be a valid
    // IPv4 address.
    const std::string_view name = host.back() == '.' ? host.substr(0, host.size() - 1) : host;
    // Branch-free: one table look-up per character and one per transition.
    unsigned bad = 0, nonNumeric = 0;
    std::uint8_t prev = kDot;
    for (char c : name) {
        const std::uint8_t cls = kHostClass[static_cast<unsigned char>(c)];
        bad |= kBadTransition[prev][cls];
        nonNumeric |= static_cast<unsigned>(cls == kLetter) | static_cast<unsigned>(cls == kHyphen);
        prev = cls;
    }
    if (bad || prev >= kHyphen) return HostKind::invalid;
    const bool numeric = nonNumeric == 0;
    if (numeric) return isIpv4(host) ? HostKind::ipv4 : HostKind::invalid;
    return HostKind::hostname;
}

bool isIpAddress(std::string_view text) noexcept {
    return isIpv4(text) || isIpv6(text);
}

} // namespace sb::sip
