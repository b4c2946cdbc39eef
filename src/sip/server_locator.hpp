#pragma once
// RFC 3263 §4: where a request for a SIP URI goes. The transport comes from the URI, a NAPTR
// lookup (§4.1) or SRV lookups for each transport we speak; the port and hosts from SRV
// (RFC 2782 order: priority, then weighted random), else the URI's host and port; the addresses
// from A and AAAA. The answer is a list in failover order (§4.3): when a destination gives a
// transport error, times out or answers 503, the next one is tried.
//
// Answers are cached for their records' TTL (capped), names that do not exist for a short
// while, and concurrent lookups of one name share one set of queries. One locator per worker.

#include "core/lifetime.hpp"
#include "net/dns.hpp"
#include "sip/transaction.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sb::sip {

struct LocatorOptions {
    // The transports we can send on, in the order we prefer them when DNS leaves the choice to
    // us (no NAPTR records, §4.1).
    std::vector<Transport> transports{Transport::udp, Transport::tcp, Transport::tls};
    bool ipv4 = true, ipv6 = true; // the families we can send from
    std::chrono::seconds maxCacheTtl{300};
    std::chrono::seconds negativeTtl{5}; // how long "no such name" is remembered
    std::size_t maxDestinations = 16;
};

class ServerLocator {
public:
    using Destinations = std::vector<Destination>;
    using Done = std::function<void(Result<Destinations>)>;
    using Clock = std::chrono::steady_clock;

    ServerLocator(net::DnsClient& dns, LocatorOptions options);
    ~ServerLocator();
    ServerLocator(const ServerLocator&) = delete;
    ServerLocator& operator=(const ServerLocator&) = delete;

    // Where to send a request for `uri`, best first. `forced` overrides the URI's transport
    // parameter (a route's transport). Answers at once when the host is an IP address or the
    // answer is cached; otherwise returns nullopt and calls `done` later on this worker. Errors:
    // those of resolveNumeric() for the URI itself, Errc::not_found when DNS knows no server
    // (the message names the last query), Errc::unsupported when no server speaks a transport
    // or family we have.
    std::optional<Result<Destinations>> locate(std::string_view uri,
                                               std::optional<Transport> forced, Done done);

    struct Stats {
        std::uint64_t lookups = 0, cacheHits = 0, failures = 0;
    };
    const Stats& stats() const noexcept { return stats_; }

private:
    struct Lookup;
    struct Cached {
        Result<Destinations> result;
        Clock::time_point expires;
    };

    void start(std::shared_ptr<Lookup> lookup);
    void onNaptr(std::shared_ptr<Lookup> lookup, Result<std::vector<net::NaptrRecord>> records);
    // Tries the SRV names in lookup->services from `next` on; the first that yields servers wins.
    void trySrv(std::shared_ptr<Lookup> lookup, std::size_t next);
    void resolveTargets(const std::shared_ptr<Lookup>& lookup, std::vector<net::SrvRecord> targets,
                        Transport transport, std::function<void()> none);
    void finish(const std::shared_ptr<Lookup>& lookup, const Result<Destinations>& result,
                std::chrono::seconds ttl);
    std::vector<net::SrvRecord> orderSrv(std::vector<net::SrvRecord> records);
    bool speaks(Transport transport) const;

    net::DnsClient& dns_;
    LocatorOptions options_;
    std::mt19937 random_;
    std::unordered_map<std::string, Cached> cache_;
    std::unordered_map<std::string, std::vector<Done>> inFlight_;
    Lifetime lifetime_; // for DNS answers that come after it has gone
    Stats stats_;
};

} // namespace sb::sip
