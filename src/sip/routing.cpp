#include "sip/routing.hpp"

#include <fmt/format.h>

namespace sb::sip {
namespace {

Result<std::optional<std::regex>> compile(const std::string& pattern, std::size_t index,
                                          std::string_view field) {
    if (pattern.empty()) return std::optional<std::regex>();
    try {
        return std::optional<std::regex>(std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::regex_error& e) {
        return fail(Errc::config, fmt::format("routes[{}].{}: bad pattern '{}': {}", index, field,
                                              pattern, e.what()));
    }
}

bool matches(const std::optional<std::regex>& pattern, std::string_view text) {
    return !pattern || std::regex_match(text.begin(), text.end(), *pattern);
}

} // namespace

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
    for (const auto& r : rules_) {
        if (!matches(r.user, requestUri.user) || !matches(r.domain, requestUri.host)) continue;
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
