#pragma once
// Static call routing: the first rule whose patterns match the Request-URI of an inbound INVITE
// names the outbound target (regular expressions on the user part and the host, in RE2's
// syntax: the Request-URI is untrusted, and RE2 matches in time linear in its length, where a
// backtracking engine such as std::regex can take exponential time or overflow its stack).

#include "core/result.hpp"
#include "sip/transport_kind.hpp"
#include "sip/uri.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace sb::sip {

struct RouteRule {
    std::string user;          // pattern on the Request-URI user; empty matches any
    std::string domain;        // pattern on the Request-URI host; empty matches any
    std::string target;        // Request-URI of the outbound INVITE; "${user}" = the inbound user
    std::string outboundProxy; // a SIP URI, or empty
    std::optional<Transport> transport; // overrides the target's own choice
    std::string conference;             // not empty: the call joins this room, no target
    std::string srtp; // the media's SRTP towards the target ("off", "optional", "required");
                      // empty: the [media] default
};

struct RouteMatch {
    std::string target;
    std::string outboundProxy;
    std::optional<Transport> transport;
    std::string conference, srtp;
};

// Why PATTERN is not a route pattern (RE2's own message), or nullopt when it is one.
std::optional<std::string> routePatternError(const std::string& pattern);

class RouteTable {
public:
    // Compiles the patterns. Errc::config names the rule (by index) and the bad pattern.
    static Result<RouteTable> make(std::vector<RouteRule> rules);
    RouteTable() = default;

    std::optional<RouteMatch> match(const Uri& requestUri) const;
    bool empty() const noexcept { return rules_.empty(); }

private:
    struct Compiled {
        RouteRule rule;
        // Compiled once and never changed: shared by copies of the table. Null matches any.
        std::shared_ptr<const re2::RE2> user, domain;
    };
    std::vector<Compiled> rules_;
};

} // namespace sb::sip
