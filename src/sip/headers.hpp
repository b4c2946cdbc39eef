#pragma once
// Typed views of the header values the SIP layers need (RFC 3261 §20, §25.1). Each parse
// function takes the header value (already unfolded and trimmed) and returns a view into it, or
// an Error whose sentence starts with the header name.

#include "core/result.hpp"
#include "sip/params.hpp"
#include "sip/syntax.hpp"
#include "sip/uri.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::sip {

// One via-parm (RFC 3261 §20.42).
struct Via {
    std::string_view text;
    std::string_view protocolName;    // "SIP"
    std::string_view protocolVersion; // "2.0"
    std::string_view transport;       // "UDP", "TCP", "TLS", "SCTP", … as written
    std::string_view host;            // IPv6 references keep their brackets
    std::optional<std::uint16_t> port;
    Params params;
    std::string_view branch;                  // "" if absent
    std::optional<std::string_view> received; // RFC 3261 §18.2.1
    std::optional<std::string_view> rport;    // RFC 3581: "" when present without a value
};

// name-addr or addr-spec with header parameters: From, To, Contact, Route, Record-Route, …
struct NameAddr {
    std::string_view text;
    std::string_view display; // without quotes; escapes as written; "" if none
    bool displayQuoted = false;
    bool angled = false; // the URI was enclosed in <>
    Uri uri;
    Params params;

    std::string_view tag() const noexcept { return params.get("tag").value_or(""); }
};

struct CSeq {
    std::uint32_t number = 0;
    std::string_view method;
};

// Digest (or other scheme) challenge or credentials: WWW-Authenticate, Authorization,
// Proxy-Authenticate, Proxy-Authorization (RFC 3261 §25.1, RFC 8760). auth-params are
// comma-separated and kept as a view.
struct AuthValue {
    std::string_view scheme;
    std::string_view paramsText;
    // The value of an auth-param with quotes removed (escapes as written); nullopt if absent.
    std::optional<std::string_view> param(std::string_view name) const noexcept;
};

// Splits a comma-separated header value into items outside quoted strings and <…>, calling
// f(item) -> Result<void> for each trimmed item. An empty item or unbalanced quotes or brackets
// is an error naming `header`.
template <class F>
Result<void> forEachListItem(std::string_view value, std::string_view header, F&& f);

Result<Via> parseVia(std::string_view item);
// requireAngles: Route and Record-Route allow only name-addr (RFC 3261 §20.30, §20.34).
Result<NameAddr> parseNameAddr(std::string_view item, std::string_view header,
                               bool requireAngles = false);
Result<CSeq> parseCSeq(std::string_view value);
Result<void> validateCallId(std::string_view value);
// delta-seconds and similar scalars: digits only, at most maxValue; the Error names `header`.
Result<std::uint32_t> parseScalar(std::string_view value, std::uint64_t maxValue,
                                  std::string_view header);
// rfc1123-date in GMT (RFC 3261 §20.17).
Result<void> validateDate(std::string_view value);
// A comma-separated list of tokens (Allow, Supported, Require, Proxy-Require, Unsupported).
Result<void> validateTokenList(std::string_view value, std::string_view header);
Result<AuthValue> parseAuth(std::string_view value, std::string_view header);

namespace detail {
// Finds the end of the next comma-separated item; npos-style: returns value.size() at the end,
// or std::string_view::npos if quotes or brackets do not balance.
std::size_t listItemEnd(std::string_view value) noexcept;
} // namespace detail

template <class F>
Result<void> forEachListItem(std::string_view value, std::string_view header, F&& f) {
    while (true) {
        const auto end = detail::listItemEnd(value);
        if (end == std::string_view::npos)
            return fail(Errc::invalid_input,
                        std::string(header) + ": unbalanced quotes or angle brackets");
        const std::string_view item = syntax::trim(value.substr(0, end));
        if (item.empty())
            return fail(Errc::invalid_input, std::string(header) + ": empty list element");
        if (auto r = f(item); !r) return r;
        if (end == value.size()) return {};
        value.remove_prefix(end + 1);
    }
}

} // namespace sb::sip
