#include "sip/reason.hpp"

#include "sip/syntax.hpp"

#include <charconv>
#include <fmt/format.h>

namespace sb::sip {

namespace {

// The part of `text` up to the first `separator` outside a quoted-string (RFC 3261 §25.1: a
// reason-text may hold commas and semicolons), and the rest after it.
std::pair<std::string_view, std::string_view> cut(std::string_view text, char separator) {
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (quoted && text[i] == '\\') {
            ++i; // quoted-pair
        } else if (text[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && text[i] == separator) {
            return {text.substr(0, i), text.substr(i + 1)};
        }
    }
    return {text, {}};
}

} // namespace

std::optional<int> reasonCause(std::string_view value, std::string_view protocol) {
    while (!value.empty()) {
        auto [one, rest] = cut(value, ',');
        value = rest;
        auto [name, params] = cut(one, ';');
        if (!syntax::iequals(syntax::trim(name), protocol)) continue;
        while (!params.empty()) {
            auto [param, more] = cut(params, ';');
            params = more;
            const auto equals = param.find('=');
            if (equals == std::string_view::npos ||
                !syntax::iequals(syntax::trim(param.substr(0, equals)), "cause"))
                continue;
            const auto digits = syntax::trim(param.substr(equals + 1));
            int cause = 0;
            const auto [end, error] =
                std::from_chars(digits.data(), digits.data() + digits.size(), cause);
            if (error != std::errc() || end != digits.data() + digits.size() || cause < 0 ||
                cause > 65535)
                return std::nullopt;
            return cause;
        }
    }
    return std::nullopt;
}

std::string reasonValue(std::string_view protocol, int cause) {
    return fmt::format("{};cause={}", protocol, cause);
}

std::string q850Reason(std::string_view value) {
    const auto cause = reasonCause(value, "Q.850");
    return cause ? reasonValue("Q.850", *cause) : std::string();
}

} // namespace sb::sip
