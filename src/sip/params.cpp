#include "sip/params.hpp"

#include "sip/host.hpp"
#include "sip/syntax.hpp"

#include <fmt/format.h>

namespace sb::sip {

namespace detail {

bool nextParam(std::string_view& rest, std::string_view& item) noexcept {
    rest = syntax::trimLeft(rest);
    if (rest.empty()) return false;
    // Skip the leading ';' (the raw list starts with one).
    if (rest.front() == ';') rest.remove_prefix(1);
    bool quoted = false;
    std::size_t i = 0;
    for (; i < rest.size(); ++i) {
        const char c = rest[i];
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ';') {
            break;
        }
    }
    item = syntax::trim(rest.substr(0, i));
    rest = i < rest.size() ? rest.substr(i) : std::string_view{};
    return true;
}

void splitParam(std::string_view item, std::string_view& name, std::string_view& value,
                bool& hasValue) noexcept {
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
        name = item;
        value = {};
        hasValue = false;
        return;
    }
    name = syntax::trim(item.substr(0, eq));
    value = syntax::trim(item.substr(eq + 1));
    hasValue = true;
}

} // namespace detail

std::optional<std::string_view> Params::get(std::string_view wanted) const noexcept {
    std::optional<std::string_view> found;
    forEach([&](std::string_view name, std::string_view value, bool) {
        if (!syntax::iequals(name, wanted)) return true;
        found = value;
        return false;
    });
    return found;
}

namespace {

// quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 §25.1)
bool isQuotedString(std::string_view s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] == '\\') {
            if (i + 2 >= s.size()) return false; // the escape would swallow the closing quote
            ++i;
        } else if (s[i] == '"') {
            return false;
        }
    }
    return true;
}

} // namespace

bool isGenericParamValue(std::string_view value) noexcept {
    return syntax::isToken(value) || isQuotedString(value) ||
           (value.size() > 2 && value.front() == '[' && isValidHost(value)) || isIpAddress(value);
}

namespace detail {

Unexpected badParam(std::string_view what, std::string_view item) {
    return fail(Errc::invalid_input,
                fmt::format("{}: malformed parameter '{}' (empty or not a token)", what, item));
}

Unexpected badParamValue(std::string_view what, std::string_view name) {
    return fail(Errc::invalid_input,
                fmt::format("{}: parameter '{}' has a malformed value", what, name));
}

} // namespace detail

Result<void> validateUriParams(std::string_view raw, std::string_view what) {
    std::string_view rest = raw;
    while (!rest.empty()) {
        if (rest.front() != ';')
            return fail(Errc::invalid_input, fmt::format("{}: malformed URI parameters", what));
        rest.remove_prefix(1);
        const auto end = rest.find(';');
        const std::string_view item = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        const auto eq = item.find('=');
        const std::string_view name = item.substr(0, eq);
        const bool nameOk = !name.empty() && syntax::isEscapedRun(name, syntax::isParamChar);
        bool valueOk = true;
        if (eq != std::string_view::npos) {
            const std::string_view value = item.substr(eq + 1);
            valueOk = !value.empty() && syntax::isEscapedRun(value, syntax::isParamChar);
        }
        if (!nameOk || !valueOk)
            return fail(Errc::invalid_input,
                        fmt::format("{}: malformed URI parameter '{}'", what, item));
    }
    return {};
}

} // namespace sb::sip
