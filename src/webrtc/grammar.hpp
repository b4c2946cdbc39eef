#pragma once
// Character classes of the grammars WebRTC's SDP attributes use.

#include <string_view>

namespace sb::webrtc {

// RFC 8839 §5.1: ice-char = ALPHA / DIGIT / "+" / "/".
constexpr bool isIceChar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

// RFC 3261 §25.1: a token character (a=candidate's transport and extensions, a=mid,
// a=ice-options).
constexpr bool isTokenChar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

// Whether `s` is one or more characters, each of the class.
constexpr bool allOf(std::string_view s, bool (*of)(char) noexcept) noexcept {
    for (char c : s)
        if (!of(c)) return false;
    return !s.empty();
}

} // namespace sb::webrtc
