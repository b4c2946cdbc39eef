#include "sip/headers.hpp"

#include "sip/host.hpp"
#include "sip/syntax.hpp"

#include <array>
#include <fmt/format.h>

namespace sb::sip {

using syntax::trim;
using syntax::trimLeft;

namespace detail {

// The characters that can change the list scanner's state; everything else is skipped by a
// table look-up.
constexpr auto kListSpecial = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view("\"\\<>,"))
        t[c] = true;
    return t;
}();

std::size_t listItemEnd(std::string_view value) noexcept {
    bool quoted = false;
    bool angled = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (!kListSpecial[static_cast<unsigned char>(c)]) continue;
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
        } else if (angled) {
            if (c == '>') angled = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '<') {
            angled = true;
        } else if (c == ',') {
            return i;
        }
    }
    return (quoted || angled) ? std::string_view::npos : value.size();
}

} // namespace detail

namespace {

Unexpected bad(std::string_view header, std::string_view what) {
    return fail(Errc::invalid_input, fmt::format("{}: {}", header, what));
}

// Takes a token from the front of s (after SWS); empty if none.
std::string_view takeToken(std::string_view& s) {
    s = trimLeft(s);
    std::size_t i = 0;
    while (i < s.size() && syntax::isTokenChar(s[i]))
        ++i;
    auto token = s.substr(0, i);
    s.remove_prefix(i);
    return token;
}

bool takeChar(std::string_view& s, char c) {
    s = trimLeft(s);
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
}

} // namespace

Result<Via> parseVia(std::string_view item) {
    constexpr std::string_view kVia = "Via";
    Via via;
    via.text = item;
    std::string_view s = item;
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport (SLASH allows SWS)
    via.protocolName = takeToken(s);
    if (via.protocolName.empty() || !takeChar(s, '/')) return bad(kVia, "malformed sent-protocol");
    via.protocolVersion = takeToken(s);
    if (via.protocolVersion.empty() || !takeChar(s, '/'))
        return bad(kVia, "malformed sent-protocol");
    via.transport = takeToken(s);
    if (via.transport.empty()) return bad(kVia, "missing transport");
    if (s.empty() || !syntax::isLws(s.front())) return bad(kVia, "missing sent-by");
    s = trimLeft(s);
    // sent-by = host [ COLON port ], then *( SEMI via-params )
    const auto semi = s.find(';');
    std::string_view sentBy = trim(s.substr(0, semi));
    const std::string_view params = semi == std::string_view::npos ? "" : s.substr(semi);
    const auto close = sentBy.rfind(']');
    const auto colon = sentBy.rfind(':');
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        std::uint64_t port = 0;
        if (!syntax::parseUnsigned(trim(sentBy.substr(colon + 1)), 65535, port))
            return bad(kVia, "malformed sent-by port");
        via.port = static_cast<std::uint16_t>(port);
        sentBy = trim(sentBy.substr(0, colon));
    }
    if (!isValidHost(sentBy)) return bad(kVia, fmt::format("malformed sent-by host '{}'", sentBy));
    via.host = sentBy;
    // One pass validates the parameters and picks out those the transaction layer needs; the
    // first occurrence of each counts, as with Params::get.
    bool seenBranch = false;
    auto ok =
        scanHeaderParams(params, kVia, [&](std::string_view name, std::string_view value, bool) {
            if (!seenBranch && syntax::iequals(name, "branch")) {
                via.branch = value;
                seenBranch = true;
            } else if (!via.received && syntax::iequals(name, "received")) {
                via.received = value;
            } else if (!via.rport && syntax::iequals(name, "rport")) {
                via.rport = value;
            }
        });
    if (!ok) return fail(ok.error());
    via.params = Params(params);
    // RFC 3261 §20.42: received is an IPv4 or IPv6 address without brackets; RFC 5118 §4.5
    // asks robust parsers to accept a bracketed IPv6 reference too.
    if (via.received && !isIpAddress(*via.received) &&
        classifyHost(*via.received) != HostKind::ipv6)
        return bad(kVia, "received parameter is not an IP address");
    std::uint64_t rport = 0;
    if (via.rport && !via.rport->empty() && !syntax::parseUnsigned(*via.rport, 65535, rport))
        return bad(kVia, "malformed rport parameter");
    return via;
}

Result<NameAddr> parseNameAddr(std::string_view item, std::string_view header, bool requireAngles) {
    NameAddr na;
    na.text = item;
    std::string_view s = item;
    std::string_view afterUri;
    if (s.empty()) return bad(header, "empty value");
    if (s.front() == '"') {
        // quoted-string display name
        std::size_t i = 1;
        for (; i < s.size(); ++i) {
            if (s[i] == '\\') {
                ++i;
            } else if (s[i] == '"') {
                break;
            }
        }
        if (i >= s.size()) return bad(header, "unterminated quoted display name");
        na.display = s.substr(1, i - 1);
        na.displayQuoted = true;
        s.remove_prefix(i + 1);
        s = trimLeft(s);
        if (s.empty() || s.front() != '<')
            return bad(header, "a quoted display name must be followed by <URI>");
    }
    const auto lt = s.find('<');
    if (lt != std::string_view::npos) {
        if (!na.displayQuoted) {
            // display-name = *(token LWS): only token characters and whitespace.
            na.display = trim(s.substr(0, lt));
            for (char c : na.display)
                if (!syntax::isTokenChar(c) && !syntax::isLws(c))
                    return bad(header, "display name has characters that require quoting");
        }
        const auto gt = s.find('>', lt);
        if (gt == std::string_view::npos) return bad(header, "missing '>' after the URI");
        const auto uriText = s.substr(lt + 1, gt - lt - 1);
        // LAQUOT = SWS "<" and RAQUOT = ">" SWS: no whitespace inside the brackets.
        if (uriText.empty() || syntax::isLws(uriText.front()) || syntax::isLws(uriText.back()))
            return bad(header, "whitespace inside <URI>");
        auto uri = parseUri(uriText);
        if (!uri) return bad(header, uri.error().message);
        na.uri = *uri;
        na.angled = true;
        afterUri = trimLeft(s.substr(gt + 1));
    } else {
        if (requireAngles) return bad(header, "URI must be enclosed in <>");
        // addr-spec: header parameters follow the URI; a URI with ',', '?' or ';' must be
        // enclosed in <> (RFC 3261 §20.10).
        const auto semi = s.find(';');
        const auto uriText = trim(s.substr(0, semi));
        for (char c : uriText)
            if (syntax::isLws(c) || c == '?' || c == ',')
                return bad(header, fmt::format("URI '{}' must be enclosed in <>", uriText));
        auto uri = parseUri(uriText);
        if (!uri) return bad(header, uri.error().message);
        na.uri = *uri;
        afterUri = semi == std::string_view::npos ? "" : s.substr(semi);
    }
    if (!afterUri.empty() && afterUri.front() != ';')
        return bad(header, "unexpected text after the URI");
    if (auto ok = validateHeaderParams(afterUri, header); !ok) return fail(ok.error());
    na.params = Params(afterUri);
    return na;
}

Result<CSeq> parseCSeq(std::string_view value) {
    // CSeq = 1*DIGIT LWS Method; RFC 3261 §8.1.1.5: the number is less than 2**31.
    const auto ws = value.find_first_of(" \t\r\n");
    if (ws == std::string_view::npos) return bad("CSeq", "missing method");
    std::uint64_t number = 0;
    if (!syntax::parseUnsigned(value.substr(0, ws), 0x7fffffff, number))
        return bad("CSeq", "sequence number is not a number below 2**31");
    CSeq cseq;
    cseq.number = static_cast<std::uint32_t>(number);
    cseq.method = trim(value.substr(ws));
    if (!syntax::isToken(cseq.method)) return bad("CSeq", "malformed method");
    return cseq;
}

Result<void> validateCallId(std::string_view value) {
    // callid = word [ "@" word ]
    const auto at = value.find('@');
    auto word = [](std::string_view w) {
        if (w.empty()) return false;
        for (char c : w)
            if (!syntax::isWordChar(c)) return false;
        return true;
    };
    const bool ok = at == std::string_view::npos
                        ? word(value)
                        : word(value.substr(0, at)) && word(value.substr(at + 1));
    if (!ok) return bad("Call-ID", "malformed value");
    return {};
}

Result<std::uint32_t> parseScalar(std::string_view value, std::uint64_t maxValue,
                                  std::string_view header) {
    std::uint64_t v = 0;
    if (!syntax::parseUnsigned(value, maxValue, v))
        return bad(header, fmt::format("'{}' is not a number from 0 to {}", value, maxValue));
    return static_cast<std::uint32_t>(v);
}

Result<void> validateDate(std::string_view value) {
    // rfc1123-date = wkday "," SP date1 SP time SP "GMT"; e.g. "Sat, 13 Nov 2010 23:29:00 GMT"
    static constexpr std::array<std::string_view, 7> kDays{"Mon", "Tue", "Wed", "Thu",
                                                           "Fri", "Sat", "Sun"};
    static constexpr std::array<std::string_view, 12> kMonths{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto oneOf = [](std::string_view s, const auto& set) {
        for (auto v : set)
            if (s == v) return true;
        return false;
    };
    auto digits = [](std::string_view s) {
        for (char c : s)
            if (!syntax::isDigit(c)) return false;
        return true;
    };
    const bool ok =
        value.size() == 29 && oneOf(value.substr(0, 3), kDays) && value.substr(3, 2) == ", " &&
        digits(value.substr(5, 2)) && value[7] == ' ' && oneOf(value.substr(8, 3), kMonths) &&
        value[11] == ' ' && digits(value.substr(12, 4)) && value[16] == ' ' &&
        digits(value.substr(17, 2)) && value[19] == ':' && digits(value.substr(20, 2)) &&
        value[22] == ':' && digits(value.substr(23, 2)) && value.substr(25) == " GMT";
    if (!ok) return bad("Date", "not an RFC 1123 date in GMT");
    return {};
}

Result<void> validateTokenList(std::string_view value, std::string_view header) {
    // An empty Supported/Allow header is legal (RFC 3261 §20.37, §20.5).
    if (trim(value).empty()) return {};
    return forEachListItem(value, header, [&](std::string_view item) -> Result<void> {
        if (!syntax::isToken(item)) return bad(header, fmt::format("'{}' is not a token", item));
        return {};
    });
}

Result<AuthValue> parseAuth(std::string_view value, std::string_view header) {
    AuthValue auth;
    std::string_view s = value;
    auth.scheme = takeToken(s);
    if (auth.scheme.empty()) return bad(header, "missing authentication scheme");
    auth.paramsText = trim(s);
    auto ok = forEachListItem(auth.paramsText, header, [&](std::string_view item) -> Result<void> {
        const auto eq = item.find('=');
        if (eq == std::string_view::npos || !syntax::isToken(trim(item.substr(0, eq))))
            return bad(header, fmt::format("malformed auth-param '{}'", item));
        const auto v = trim(item.substr(eq + 1));
        const bool quoted = v.size() >= 2 && v.front() == '"' && v.back() == '"';
        if (!quoted && !syntax::isToken(v))
            return bad(header, fmt::format("malformed auth-param '{}'", item));
        return {};
    });
    if (!auth.paramsText.empty() && !ok) return fail(ok.error());
    return auth;
}

std::optional<std::string_view> AuthValue::param(std::string_view name) const noexcept {
    std::string_view rest = paramsText;
    while (!rest.empty()) {
        const auto end = detail::listItemEnd(rest);
        if (end == std::string_view::npos) return std::nullopt;
        const auto item = rest.substr(0, end);
        const auto eq = item.find('=');
        if (eq != std::string_view::npos && syntax::iequals(trim(item.substr(0, eq)), name)) {
            auto value = trim(item.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"')
                value = value.substr(1, value.size() - 2);
            return value;
        }
        rest = end == rest.size() ? std::string_view{} : rest.substr(end + 1);
    }
    return std::nullopt;
}

} // namespace sb::sip
