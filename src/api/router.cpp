#include "api/router.hpp"

#include "api/target.hpp"

#include <algorithm>
#include <set>

namespace sb::api {

namespace {

bool matches(const std::vector<std::string>& segments, const auto& pattern) {
    if (segments.size() != pattern.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (pattern[i].parameter) {
            if (segments[i].empty()) return false;
        } else if (pattern[i].text != segments[i]) {
            return false;
        }
    }
    return true;
}

// True if `a` is more specific than `b`: a literal where `b` has a parameter, first difference
// counting (both match the same path, so they have as many segments).
bool moreSpecific(const auto& a, const auto& b) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        if (a[i].parameter != b[i].parameter) return !a[i].parameter;
    return false;
}

bool tokenChar(char c) {
    // RFC 9110 §5.6.2 tchar, for methods.
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

} // namespace

Result<void> Router::add(std::string_view method, std::string_view pattern, Handler handler,
                         Access access) {
    if (!handler)
        return fail(Errc::invalid_input, "route " + std::string(pattern) + ": no handler");
    return insert(method, pattern, std::move(handler), access, false);
}

Result<void> Router::addEvents(std::string_view pattern, Access access) {
    return insert("GET", pattern, nullptr, access, true);
}

Result<void> Router::addSignalling(std::string_view pattern, SignalOpen open, Access access) {
    if (!open) return fail(Errc::invalid_input, "route " + std::string(pattern) + ": no handler");
    if (auto added = insert("GET", pattern, nullptr, access, true); !added) return added;
    patterns_[order_.back().first].routes[order_.back().second].signalling = std::move(open);
    return {};
}

Result<void> Router::insert(std::string_view method, std::string_view pattern, Handler handler,
                            Access access, bool websocket) {
    const std::string where = std::string(method) + " " + std::string(pattern);
    if (method.empty()) return fail(Errc::invalid_input, "route " + where + ": empty method");
    for (char c : method)
        if (!tokenChar(c)) return fail(Errc::invalid_input, "route " + where + ": bad method");
    if (pattern.empty() || pattern.front() != '/')
        return fail(Errc::invalid_input, "route " + where + ": the template must start with '/'");

    std::vector<Segment> segments;
    std::set<std::string, std::less<>> names;
    std::string_view rest = pattern.substr(1);
    for (;;) {
        const auto slash = rest.find('/');
        const std::string_view text = rest.substr(0, slash);
        Segment s;
        if (!text.empty() && text.front() == '{') {
            if (text.size() < 3 || text.back() != '}' ||
                text.substr(1, text.size() - 2).find_first_of("{}") != std::string_view::npos)
                return fail(Errc::invalid_input,
                            "route " + where + ": bad parameter segment " + std::string(text));
            s.parameter = true;
            s.text = std::string(text.substr(1, text.size() - 2));
            if (!names.insert(s.text).second)
                return fail(Errc::invalid_input,
                            "route " + where + ": parameter {" + s.text + "} repeated");
        } else {
            if (text.find_first_of("{}") != std::string_view::npos)
                return fail(Errc::invalid_input,
                            "route " + where + ": '{' or '}' inside a literal segment");
            s.text = std::string(text);
        }
        segments.push_back(std::move(s));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }

    // Templates equal up to parameter names are one pattern.
    auto same = [&](const Pattern& p) {
        if (p.segments.size() != segments.size()) return false;
        for (std::size_t i = 0; i < segments.size(); ++i)
            if (p.segments[i].parameter != segments[i].parameter ||
                (!segments[i].parameter && p.segments[i].text != segments[i].text))
                return false;
        return true;
    };
    std::size_t index = 0;
    while (index < patterns_.size() && !same(patterns_[index]))
        ++index;
    if (index == patterns_.size()) {
        patterns_.push_back(Pattern{std::string(pattern), std::move(segments), {}});
    } else {
        if (patterns_[index].text != pattern)
            return fail(Errc::invalid_input, "route " + where + ": clashes with " +
                                                 patterns_[index].text +
                                                 " (parameter names differ)");
        for (const Route& r : patterns_[index].routes)
            if (r.info.method == method)
                return fail(Errc::invalid_input, "route " + where + ": added twice");
    }
    Pattern& p = patterns_[index];
    p.routes.push_back(
        Route{RouteInfo{std::string(method), std::string(pattern), access, websocket},
              std::move(handler),
              0,
              {},
              nullptr});
    order_.emplace_back(index, p.routes.size() - 1);
    return {};
}

Router::Match Router::match(std::string_view method,
                            const std::vector<std::string>& segments) const {
    const Pattern* best = nullptr;
    for (const Pattern& p : patterns_)
        if (matches(segments, p.segments) && (!best || moreSpecific(p.segments, best->segments)))
            best = &p;
    Match m;
    if (!best) return m;
    for (const Route& r : best->routes) {
        if (r.info.method != method) continue;
        m.kind = Match::Kind::found;
        m.route = &r;
        for (std::size_t i = 0; i < segments.size(); ++i)
            if (best->segments[i].parameter) m.params.emplace(best->segments[i].text, segments[i]);
        return m;
    }
    m.kind = Match::Kind::wrongMethod;
    for (const Route& r : best->routes)
        m.allow += (m.allow.empty() ? "" : ", ") + r.info.method;
    return m;
}

Result<void> Router::setBodyLimit(std::string_view method, std::string_view pattern,
                                  std::size_t bytes, std::filesystem::path spool) {
    for (Pattern& p : patterns_)
        if (p.text == pattern)
            for (Route& r : p.routes)
                if (r.info.method == method) {
                    r.bodyLimit = bytes;
                    r.spool = std::move(spool);
                    return {};
                }
    return fail(Errc::not_found, "no route " + std::string(method) + " " + std::string(pattern));
}

std::size_t Router::largestBodyLimit(std::size_t fallback) const {
    for (const Pattern& p : patterns_)
        for (const Route& r : p.routes)
            fallback = std::max(fallback, r.bodyLimit);
    return fallback;
}

Router::BodyRule Router::bodyRule(std::string_view method, std::string_view target,
                                  std::size_t fallback) const {
    auto parsed = parseTarget(target);
    if (!parsed) return {fallback, {}};
    auto m = match(method, parsed->segments);
    if (m.kind != Match::Kind::found) return {fallback, {}};
    return {m.route->bodyLimit ? m.route->bodyLimit : fallback, m.route->spool};
}

std::vector<RouteInfo> Router::routes() const {
    std::vector<RouteInfo> out;
    out.reserve(order_.size());
    for (auto [p, r] : order_)
        out.push_back(patterns_[p].routes[r].info);
    return out;
}

} // namespace sb::api
