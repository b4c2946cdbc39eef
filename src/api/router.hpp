#pragma once
// Routes: a method and a path template ("/v1/escalations/{id}") to a handler. A `{name}`
// segment matches one non-empty decoded segment and is handed to the handler by name. Where
// two templates match one path, the one with a literal segment first wins
// ("/v1/escalations/stats" over "/v1/escalations/{id}"). Routes are added before the server
// starts; matching is then read-only and needs no lock.

#include "api/http_types.hpp"
#include "api/signal_channel.hpp"
#include "core/result.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sb::api {

enum class Access {
    open,  // anyone
    agent, // a valid bearer token (tokens.hpp); Request::agent names its agent
    // An agent's token, or a grant for the escalation the path's {id} names (grants.hpp: the
    // expert's browser); Request::grant then names that escalation.
    escalation,
};

// Runs on the API thread. `request` is valid only during the call: a handler that answers
// later copies what it needs and keeps `respond`.
using Handler = std::function<void(const Request& request, const PathParams& params, Respond)>;

struct RouteInfo {
    std::string method;  // "GET"
    std::string pattern; // "/v1/escalations/{id}"
    Access access = Access::agent;
    bool websocket = false; // upgraded to a WebSocket event subscription (event_hub.hpp)

    bool operator==(const RouteInfo&) const = default;
};

class Router {
public:
    // Errc::invalid_input if the template does not start with '/', has an empty or malformed
    // `{}` segment, repeats a parameter name, or the method and template are already taken
    // (templates equal up to parameter names count as the same).
    Result<void> add(std::string_view method, std::string_view pattern, Handler handler,
                     Access access = Access::agent);

    // A GET route whose requests are upgraded to WebSocket subscriptions of the server's
    // event hub; a plain GET there is answered 426. Same errors as add().
    Result<void> addEvents(std::string_view pattern, Access access = Access::agent);
    // A GET route whose requests are upgraded to signalling WebSockets (signal_channel.hpp),
    // each opened by `open`; a plain GET there is answered 426. Same errors as add().
    Result<void> addSignalling(std::string_view pattern, SignalOpen open, Access access);

    // The largest body the route takes, if not the server's limit (an evidence upload), and
    // whether it is streamed: with a `spool` directory, hashed and written there as it arrives
    // (hashing_body.hpp), for the handler to find in Request::streamed rather than in
    // Request::body. Errc::not_found for a route not added.
    Result<void> setBodyLimit(std::string_view method, std::string_view pattern, std::size_t bytes,
                              std::filesystem::path spool = {});
    // The largest limit any route has, or `fallback` if larger: what a request's header is
    // read with, before its route is known.
    std::size_t largestBodyLimit(std::size_t fallback) const;
    // How a request to `target` (its path) takes its body: its limit (or `fallback`), and
    // where it is spooled if it is streamed (empty: it is not).
    struct BodyRule {
        std::size_t limit = 0;
        std::filesystem::path spool;
    };
    BodyRule bodyRule(std::string_view method, std::string_view target, std::size_t fallback) const;

    struct Route {
        RouteInfo info;
        Handler handler;
        std::size_t bodyLimit = 0;   // 0: the server's
        std::filesystem::path spool; // a streamed body's directory; empty: not streamed
        SignalOpen signalling;       // a signalling WebSocket's, or none (events)
    };
    struct Match {
        enum class Kind { found, notFound, wrongMethod };
        Kind kind = Kind::notFound;
        const Route* route = nullptr; // when found
        PathParams params;            // when found
        std::string allow;            // when wrongMethod: "GET, POST" (RFC 9110 §10.2.1)
    };
    Match match(std::string_view method, const std::vector<std::string>& segments) const;

    // Every route in the order added, e.g. to compare with an OpenAPI document.
    std::vector<RouteInfo> routes() const;

private:
    struct Segment {
        std::string text; // the literal, or the parameter's name
        bool parameter = false;
    };
    struct Pattern {
        std::string text;
        std::vector<Segment> segments;
        std::vector<Route> routes; // one per method
    };
    Result<void> insert(std::string_view method, std::string_view pattern, Handler handler,
                        Access access, bool websocket);

    std::vector<Pattern> patterns_;
    std::vector<std::pair<std::size_t, std::size_t>> order_; // (pattern, route) as added
};

} // namespace sb::api
