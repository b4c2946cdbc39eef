#pragma once
// Parameter lists (";name=value;flag") kept as views into the message. Nothing is copied or
// allocated: lookups scan the raw text, which is short in practice.

#include "core/result.hpp"
#include "sip/syntax.hpp"

#include <optional>
#include <string_view>

namespace sb::sip {

class Params {
public:
    Params() = default;
    // raw starts at the first ';' (or is empty); the caller has validated it.
    explicit Params(std::string_view raw) noexcept : raw_(raw) {}

    // The value of the first parameter with this name (case-insensitive): "" for a flag
    // parameter, nullopt when absent. Quoted values keep their quotes.
    std::optional<std::string_view> get(std::string_view name) const noexcept;
    bool has(std::string_view name) const noexcept { return get(name).has_value(); }
    std::string_view raw() const noexcept { return raw_; }
    bool empty() const noexcept { return raw_.empty(); }

    // Calls f(name, value, hasValue) for each parameter in order; stops early if f returns false.
    template <class F>
    void forEach(F&& f) const;

private:
    std::string_view raw_;
};

// gen-value = token / host / quoted-string (RFC 3261 §25.1), plus a bare IPv6 address, which
// Via's received carries (§20.42, RFC 5118 §4.5).
bool isGenericParamValue(std::string_view value) noexcept;

// Validates header parameters (generic-param = token [ EQUAL gen-value ], with SWS allowed
// around ';' and '=') and calls onParam(name, value, hasValue) for each, in one pass. `what`
// names the element for the error sentence.
template <class F>
Result<void> scanHeaderParams(std::string_view raw, std::string_view what, F&& onParam);

inline Result<void> validateHeaderParams(std::string_view raw, std::string_view what) {
    return scanHeaderParams(raw, what, [](std::string_view, std::string_view, bool) {});
}

// URI parameters (RFC 3261 §19.1.1 uri-parameter: pname [ "=" pvalue ] of paramchar, no
// whitespace).
Result<void> validateUriParams(std::string_view raw, std::string_view what);

namespace detail {
// Splits off the next ';'-separated item outside quoted strings. Returns false when the input is
// exhausted. `item` is trimmed.
bool nextParam(std::string_view& rest, std::string_view& item) noexcept;
// Splits "name = value" at the first '=' outside quotes, trimming both sides.
void splitParam(std::string_view item, std::string_view& name, std::string_view& value,
                bool& hasValue) noexcept;
Unexpected badParam(std::string_view what, std::string_view item);
Unexpected badParamValue(std::string_view what, std::string_view name);
} // namespace detail

template <class F>
Result<void> scanHeaderParams(std::string_view raw, std::string_view what, F&& onParam) {
    std::string_view rest = raw, item, name, value;
    bool hasValue = false;
    while (detail::nextParam(rest, item)) {
        detail::splitParam(item, name, value, hasValue);
        if (!syntax::isToken(name)) return detail::badParam(what, item);
        if (hasValue && !isGenericParamValue(value)) return detail::badParamValue(what, name);
        onParam(name, value, hasValue);
    }
    return {};
}

template <class F>
void Params::forEach(F&& f) const {
    std::string_view rest = raw_, item, name, value;
    bool hasValue = false;
    while (detail::nextParam(rest, item)) {
        detail::splitParam(item, name, value, hasValue);
        if (!f(name, value, hasValue)) return;
    }
}

} // namespace sb::sip
