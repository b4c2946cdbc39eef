#include "sip/uri.hpp"

#include "sip/host.hpp"
#include "sip/syntax.hpp"

#include <fmt/format.h>

namespace sb::sip {
namespace {

Unexpected bad(std::string_view what, std::string_view text) {
    return fail(Errc::invalid_input, fmt::format("malformed {} in '{}'", what, text));
}

bool isSchemeChar(char c) {
    return syntax::isAlnum(c) || c == '+' || c == '-' || c == '.';
}

// hvalue/hname = *( hnv-unreserved / unreserved / escaped ), "header *( & header )"
bool validUriHeaders(std::string_view s) {
    if (s.empty()) return false;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto amp = s.find('&', start);
        if (amp == std::string_view::npos) amp = s.size();
        const auto header = s.substr(start, amp - start);
        const auto eq = header.find('=');
        if (eq == std::string_view::npos || eq == 0) return false;
        if (!syntax::isEscapedRun(header.substr(0, eq), syntax::isHeaderChar)) return false;
        if (!syntax::isEscapedRun(header.substr(eq + 1), syntax::isHeaderChar)) return false;
        if (amp == s.size()) break;
        start = amp + 1;
    }
    return true;
}

Result<void> parseSipUri(Uri& uri, std::string_view rest) {
    // userinfo ends at the first '@': neither host, parameters nor headers may hold a bare '@'.
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
        const auto userinfo = rest.substr(0, at);
        const auto colon = userinfo.find(':');
        uri.user = userinfo.substr(0, colon);
        if (uri.user.empty() || !syntax::isEscapedRun(uri.user, syntax::isUserChar))
            return bad("URI user", uri.text);
        if (colon != std::string_view::npos) {
            uri.password = userinfo.substr(colon + 1);
            if (!syntax::isEscapedRun(uri.password, syntax::isPasswordChar))
                return bad("URI password", uri.text);
        }
        rest.remove_prefix(at + 1);
    }
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        uri.headers = rest.substr(q + 1);
        if (!validUriHeaders(uri.headers)) return bad("URI headers", uri.text);
        rest = rest.substr(0, q);
    }
    if (const auto semi = rest.find(';'); semi != std::string_view::npos) {
        auto params = rest.substr(semi);
        if (auto ok = validateUriParams(params, "URI"); !ok) return bad("URI parameters", uri.text);
        uri.params = Params(params);
        rest = rest.substr(0, semi);
    }
    // hostport = host [ ":" port ]; an IPv6 reference holds colons of its own.
    std::string_view host = rest;
    std::string_view port;
    const auto close = rest.rfind(']');
    const auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        std::uint64_t value = 0;
        if (!syntax::parseUnsigned(port, 65535, value)) return bad("URI port", uri.text);
        uri.port = static_cast<std::uint16_t>(value);
    }
    if (!isValidHost(host)) return bad("URI host", uri.text);
    uri.host = host;
    return {};
}

// RFC 3966: telephone-subscriber = global-number / local-number, then parameters.
Result<void> parseTelUri(Uri& uri, std::string_view rest) {
    const auto semi = rest.find(';');
    uri.user = rest.substr(0, semi);
    const bool global = !uri.user.empty() && uri.user.front() == '+';
    const auto digits = global ? uri.user.substr(1) : uri.user;
    bool anyDigit = false;
    for (char c : digits) {
        const bool visual = c == '-' || c == '.' || c == '(' || c == ')';
        const bool local = !global && (syntax::isHex(c) || c == '*' || c == '#');
        if (!syntax::isDigit(c) && !visual && !local) return bad("tel number", uri.text);
        anyDigit = anyDigit || !visual;
    }
    if (!anyDigit) return bad("tel number", uri.text);
    if (semi != std::string_view::npos) {
        auto params = rest.substr(semi);
        if (auto ok = validateUriParams(params, "URI"); !ok) return bad("tel parameters", uri.text);
        uri.params = Params(params);
    }
    // RFC 3966 §5.1.5: a local number requires a phone-context.
    if (!global && !uri.params.has("phone-context")) return bad("tel phone-context", uri.text);
    return {};
}

} // namespace

Result<Uri> parseUri(std::string_view text) {
    Uri uri;
    uri.text = text;
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || !syntax::isAlpha(text.front()))
        return bad("URI scheme", text);
    uri.schemeText = text.substr(0, colon);
    for (char c : uri.schemeText)
        if (!isSchemeChar(c)) return bad("URI scheme", text);
    const auto rest = text.substr(colon + 1);
    if (rest.empty()) return bad("URI", text);
    if (syntax::iequals(uri.schemeText, "sip")) {
        uri.scheme = UriScheme::sip;
        if (auto ok = parseSipUri(uri, rest); !ok) return fail(ok.error());
        return uri;
    }
    if (syntax::iequals(uri.schemeText, "sips")) {
        uri.scheme = UriScheme::sips;
        if (auto ok = parseSipUri(uri, rest); !ok) return fail(ok.error());
        return uri;
    }
    if (syntax::iequals(uri.schemeText, "tel")) {
        uri.scheme = UriScheme::tel;
        if (auto ok = parseTelUri(uri, rest); !ok) return fail(ok.error());
        return uri;
    }
    // absoluteURI (RFC 3261 §25.1, from RFC 2396): opaque here, but no whitespace or controls.
    for (char c : rest)
        if (!syntax::isUricChar(c)) return bad("URI", text);
    uri.opaque = rest;
    return uri;
}

} // namespace sb::sip
