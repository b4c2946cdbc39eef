#include "sip/routing.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

namespace sb::sip {
namespace {

// `caseless` for a host's pattern: a host's case does not matter (RFC 3261 §19.1.4).
std::shared_ptr<const re2::RE2> compile(const std::string& pattern, bool caseless = false) {
    // Latin-1: a user part is bytes (RFC 3261 §25.1 escapes aside), not necessarily UTF-8.
    re2::RE2::Options options;
    options.set_encoding(re2::RE2::Options::EncodingLatin1);
    options.set_log_errors(false);
    options.set_case_sensitive(!caseless);
    return std::make_shared<const re2::RE2>(pattern, options);
}

Result<std::shared_ptr<const re2::RE2>> compile(const std::string& pattern, std::size_t index,
                                                std::string_view field) {
    if (pattern.empty()) return std::shared_ptr<const re2::RE2>();
    auto compiled = compile(pattern, field == "domain");
    if (!compiled->ok())
        return fail(Errc::config, fmt::format("routes[{}].{}: bad pattern '{}': {}", index, field,
                                              pattern, compiled->error()));
    return compiled;
}

bool matches(const std::shared_ptr<const re2::RE2>& pattern, std::string_view text) {
    return !pattern || re2::RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *pattern);
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// A user part as it is compared (RFC 3261 §19.1.4): its escapes ("%65cho") stand for their
// characters.
std::string unescaped(std::string_view user) {
    std::string out;
    out.reserve(user.size());
    for (std::size_t i = 0; i < user.size(); ++i) {
        const int high = user[i] == '%' && i + 2 < user.size() ? hexValue(user[i + 1]) : -1;
        const int low = high >= 0 ? hexValue(user[i + 2]) : -1;
        if (low < 0) {
            out += user[i];
            continue;
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

} // namespace

std::optional<std::string> routePatternError(const std::string& pattern) {
    auto compiled = compile(pattern);
    if (compiled->ok()) return std::nullopt;
    return compiled->error();
}

Result<RouteTable> RouteTable::make(std::vector<RouteRule> rules) {
    RouteTable table;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        auto user = compile(rules[i].user, i, "user");
        if (!user) return fail(user.error());
        auto domain = compile(rules[i].domain, i, "domain");
        if (!domain) return fail(domain.error());
        table.rules_.push_back(
            {std::move(rules[i]), std::move(user).value(), std::move(domain).value()});
    }
    return table;
}

std::optional<RouteMatch> RouteTable::match(const Uri& requestUri) const {
    const std::string user = unescaped(requestUri.user);
    for (const auto& r : rules_) {
        if (!matches(r.user, user) || !matches(r.domain, requestUri.host)) continue;
        RouteMatch m{r.rule.target, r.rule.outboundProxy, r.rule.transport, r.rule.conference,
                     r.rule.srtp};
        static constexpr std::string_view kUser = "${user}";
        for (std::size_t at = 0; (at = m.target.find(kUser, at)) != std::string::npos;
             at += requestUri.user.size())
            m.target.replace(at, kUser.size(), requestUri.user);
        return m;
    }
    return std::nullopt;
}

} // namespace sb::sip
