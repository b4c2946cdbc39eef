#include "api/request_dispatch.hpp"

#include "api/problem.hpp"
#include "api/target.hpp"

#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace sb::api {

namespace http = boost::beast::http;

void configureParser(http::request_parser<http::string_body>& parser, const Limits& limits) {
    parser.body_limit(limits.maxBodyBytes);
    parser.header_limit(static_cast<std::uint32_t>(limits.maxHeaderBytes));
}

Response parseErrorProblem(const boost::beast::error_code& error) {
    if (error == http::error::body_limit)
        return problem(413, "Content Too Large", "the request body is over the server's limit",
                       {{"type", "urn:switchboard:problem:body-too-large"}});
    if (error == http::error::header_limit)
        return problem(431, "Request Header Fields Too Large",
                       "the request's header section is over the server's limit",
                       {{"type", "urn:switchboard:problem:header-too-large"}});
    return problem(400, "Bad Request", "malformed HTTP request: " + error.message(),
                   {{"type", "urn:switchboard:problem:malformed-http"}});
}

Routed routeRequest(const Router& router, const TokenTable& tokens,
                    std::string_view filterParameter, BeastRequest& message, std::string remote) {
    Routed out;
    Request& r = out.request;
    r.method = std::string(message.method_string());
    r.target = std::string(message.target());
    r.remote = std::move(remote);
    for (const auto& field : message)
        r.headers.add(std::string(field.name_string()), std::string(field.value()));
    const bool upgrade = boost::beast::websocket::is_upgrade(message);
    r.body = std::move(message.body());

    std::string bad;
    auto target = parseTarget(r.target, &bad);
    if (!target) {
        out.answer =
            problem(400, "Bad Request", target.error().message,
                    {{"type", "urn:switchboard:problem:bad-parameter"}, {"parameter", bad}});
        return out;
    }
    r.path = std::move(target->path);
    r.segments = std::move(target->segments);
    r.query = std::move(target->query);

    auto match = router.match(r.method, r.segments);
    if (match.kind == Router::Match::Kind::notFound) {
        out.answer = problem(404, "Not Found", "no resource at " + r.path);
        return out;
    }
    if (match.kind == Router::Match::Kind::wrongMethod) {
        out.answer = problem(405, "Method Not Allowed", r.method + " is not allowed on " + r.path);
        out.answer.headers.emplace_back("Allow", match.allow);
        return out;
    }
    const RouteInfo& info = match.route->info;

    if (info.websocket) {
        if (!upgrade) {
            out.answer = problem(426, "Upgrade Required", r.path + " is a WebSocket endpoint");
            out.answer.headers.emplace_back("Upgrade", "websocket");
            out.answer.headers.emplace_back("Connection", "Upgrade");
            return out;
        }
        if (info.access != Access::open) {
            auto header = r.header("Authorization");
            auto param = r.param("access_token");
            // RFC 6750 §2: a client must not use more than one method in one request.
            if (header && param) {
                out.answer = problem(400, "Bad Request",
                                     "a bearer token both in Authorization and access_token");
                return out;
            }
            auto agent = param ? tokens.authenticateToken(*param) : tokens.authenticate(header);
            const std::string bearer =
                param ? "Bearer " + std::string(*param) : std::string(header.value_or(""));
            auto escalation = match.params.find("id");
            if (!agent && info.access == Access::escalation && escalation != match.params.end() &&
                tokens.grants(bearer, escalation->second)) {
                r.grant = escalation->second;
            } else if (!agent) {
                out.answer = authenticationProblem(agent.error());
                return out;
            } else {
                r.agent = std::move(*agent);
            }
        }
        r.query.erase("access_token");
        if (auto filter = r.param(filterParameter)) out.filter = std::string(*filter);
        out.kind = Routed::Kind::upgrade;
        out.route = match.route;
        out.params = std::move(match.params);
        return out;
    }

    if (info.access != Access::open) {
        auto agent = tokens.authenticate(r.header("Authorization"));
        auto escalation = match.params.find("id");
        if (!agent && info.access == Access::escalation && escalation != match.params.end() &&
            tokens.grants(r.header("Authorization"), escalation->second)) {
            r.grant = escalation->second;
        } else if (!agent) {
            out.answer = authenticationProblem(agent.error());
            return out;
        } else {
            r.agent = std::move(*agent);
        }
    }
    out.kind = Routed::Kind::call;
    out.route = match.route;
    out.params = std::move(match.params);
    return out;
}

namespace {

bool tokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool safeName(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name)
        if (!tokenChar(c)) return false;
    for (std::string_view reserved :
         {"Content-Length", "Content-Type", "Server", "Transfer-Encoding"})
        if (iequals(name, reserved)) return false;
    return true;
}

bool safeValue(std::string_view value) {
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

} // namespace

BeastResponse toBeast(Response response, unsigned version, bool keepAlive,
                      std::string_view serverName) {
    if (response.status < 200 || response.status > 599)
        response = problem(500, "Internal Server Error", "the handler answered a bad status");
    BeastResponse out;
    out.version(version);
    out.result(static_cast<unsigned>(response.status));
    out.set(http::field::server, serverName);
    for (auto& [name, value] : response.headers)
        if (safeName(name) && safeValue(value)) out.insert(name, value);
    if (response.status == 204 || response.status == 304) {
        out.body().clear();
    } else {
        const bool usable = !response.contentType.empty() && safeValue(response.contentType);
        out.set(http::field::content_type, usable ? std::string_view(response.contentType)
                                                  : std::string_view("application/octet-stream"));
        out.body() = std::move(response.body);
    }
    out.keep_alive(keepAlive);
    out.prepare_payload();
    return out;
}

} // namespace sb::api
