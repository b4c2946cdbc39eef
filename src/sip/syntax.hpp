#pragma once
// Character classes and small scanning helpers of the SIP grammar (RFC 3261 §25.1).
// All are constexpr table look-ups: the parser calls them for every byte.

#include <array>
#include <cstdint>
#include <string_view>

namespace sb::sip::syntax {

namespace detail {
enum : std::uint16_t {
    kAlnum = 1 << 0,
    kToken = 1 << 1,       // token (§25.1)
    kUnreserved = 1 << 2,  // alphanum / mark
    kUserExtra = 1 << 3,   // user-unreserved: & = + $ , ; ? /
    kPassExtra = 1 << 4,   // password: & = + $ ,
    kParamExtra = 1 << 5,  // param-unreserved: [ ] / : & + $
    kHeaderExtra = 1 << 6, // hnv-unreserved: [ ] / ? : + $
    kWord = 1 << 7,        // word (Call-ID)
    kHex = 1 << 8,
    kDigit = 1 << 9,
    kUric = 1 << 10, // absoluteURI characters we accept (RFC 2396 uric + '#')
};

constexpr std::array<std::uint16_t, 256> makeTable() {
    std::array<std::uint16_t, 256> t{};
    auto add = [&t](std::string_view chars, std::uint16_t bit) {
        for (char c : chars)
            t[static_cast<unsigned char>(c)] |= bit;
    };
    for (int c = '0'; c <= '9'; ++c)
        t[c] |= kAlnum | kToken | kUnreserved | kWord | kHex | kDigit | kUric;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] |= kAlnum | kToken | kUnreserved | kWord | kUric;
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] |= kAlnum | kToken | kUnreserved | kWord | kUric;
    add("abcdefABCDEF", kHex);
    add("-.!%*_+`'~", kToken);
    add("-_.!~*'()", kUnreserved);
    add("&=+$,;?/", kUserExtra);
    add("&=+$,", kPassExtra);
    add("[]/:&+$", kParamExtra);
    add("[]/?:+$", kHeaderExtra);
    add("-.!%*_+`'~()<>:\\\"/[]?{}", kWord);
    add(";/?:@&=+$,-_.!~*'()%#[]", kUric);
    return t;
}
inline constexpr auto kTable = makeTable();

constexpr bool has(char c, std::uint16_t bit) {
    return (kTable[static_cast<unsigned char>(c)] & bit) != 0;
}
} // namespace detail

constexpr bool isDigit(char c) {
    return detail::has(c, detail::kDigit);
}
constexpr bool isAlpha(char c) {
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
constexpr bool isAlnum(char c) {
    return detail::has(c, detail::kAlnum);
}
constexpr bool isHex(char c) {
    return detail::has(c, detail::kHex);
}
constexpr bool isTokenChar(char c) {
    return detail::has(c, detail::kToken);
}
constexpr bool isUnreserved(char c) {
    return detail::has(c, detail::kUnreserved);
}
constexpr bool isUserChar(char c) {
    return detail::has(c, detail::kUnreserved | detail::kUserExtra);
}
constexpr bool isPasswordChar(char c) {
    return detail::has(c, detail::kUnreserved | detail::kPassExtra);
}
constexpr bool isParamChar(char c) {
    return detail::has(c, detail::kUnreserved | detail::kParamExtra);
}
constexpr bool isHeaderChar(char c) {
    return detail::has(c, detail::kUnreserved | detail::kHeaderExtra);
}
constexpr bool isWordChar(char c) {
    return detail::has(c, detail::kWord);
}
constexpr bool isUricChar(char c) {
    return detail::has(c, detail::kUric);
}
// WSP = SP / HTAB (RFC 5234): what starts a continuation line and may precede a header's colon.
constexpr bool isWsp(char c) {
    return c == ' ' || c == '\t';
}
// Whitespace inside a header value. Folded lines have been unfolded in place by the message
// parser, but CR and LF are still treated as LWS so that helpers work on any header text.
constexpr bool isLws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

constexpr bool isToken(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!isTokenChar(c)) return false;
    return true;
}

constexpr std::string_view trim(std::string_view s) {
    while (!s.empty() && isLws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isLws(s.back()))
        s.remove_suffix(1);
    return s;
}
constexpr std::string_view trimLeft(std::string_view s) {
    while (!s.empty() && isLws(s.front()))
        s.remove_prefix(1);
    return s;
}

constexpr char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// Checks that every '%' in s starts a "%" HEXDIG HEXDIG escape (RFC 3261 §25.1 "escaped") and
// that every other character satisfies pred.
template <class Pred>
constexpr bool isEscapedRun(std::string_view s, Pred pred) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return false;
            if (!isHex(s[i + 1]) || !isHex(s[i + 2])) return false;
            i += 2;
        } else if (!pred(s[i])) {
            return false;
        }
    }
    return true;
}

// Parses an unsigned decimal of at most maxValue; false on empty, non-digits or overflow.
constexpr bool parseUnsigned(std::string_view s, std::uint64_t maxValue, std::uint64_t& out) {
    if (s.empty() || s.size() > 20) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!isDigit(c)) return false;
        const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
        if (v > (maxValue - digit) / 10) return false;
        v = v * 10 + digit;
    }
    out = v;
    return true;
}

} // namespace sb::sip::syntax
