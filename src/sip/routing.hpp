#pragma once
// Static call routing: the first rule whose patterns match the Request-URI of an inbound INVITE
// names the outbound target (ECMAScript regular expressions on the user part and the host).

#include "sip/transport_kind.hpp"
#include "sip/uri.hpp"

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

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
        std::optional<std::regex> user, domain;
    };
    std::vector<Compiled> rules_;
};

} // namespace sb::sip
