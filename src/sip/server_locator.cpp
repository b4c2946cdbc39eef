#include "sip/server_locator.hpp"

#include "sip/destination.hpp"
#include "sip/uri.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::sip {

struct ServerLocator::Lookup {
    std::string key;
    std::string host; // a name
    bool sips = false;
    std::optional<std::uint16_t> port;
    std::optional<Transport> transport;
    // SRV names still to try, in order, with the transport each one stands for.
    std::vector<std::pair<std::string, Transport>> services;
    Error lastError{Errc::not_found, ""};
};

namespace {

std::uint16_t defaultPort(Transport t) {
    return t == Transport::tls ? 5061 : 5060;
}

// §4.1: "_sips._tcp" for TLS, "_sip._tcp" and "_sip._udp" otherwise.
std::string srvName(Transport t, const std::string& host) {
    switch (t) {
    case Transport::udp:
        return "_sip._udp." + host;
    case Transport::tcp:
        return "_sip._tcp." + host;
    case Transport::tls:
        return "_sips._tcp." + host;
    }
    return host;
}

// RFC 3263 §4.1 and RFC 3403: the NAPTR services SIP defines for the transports we have.
std::optional<Transport> naptrTransport(std::string_view service) {
    auto equals = [&](std::string_view s) {
        return std::equal(service.begin(), service.end(), s.begin(), s.end(),
                          [](char a, char b) { return std::toupper(a) == b; });
    };
    if (equals("SIP+D2U")) return Transport::udp;
    if (equals("SIP+D2T")) return Transport::tcp;
    if (equals("SIPS+D2T")) return Transport::tls;
    return std::nullopt;
}

constexpr std::size_t kMaxCached = 4096;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace

ServerLocator::ServerLocator(net::DnsClient& dns, LocatorOptions options)
    : dns_(dns), options_(std::move(options)), random_(std::random_device{}()) {}

ServerLocator::~ServerLocator() = default;

bool ServerLocator::speaks(Transport t) const {
    return std::find(options_.transports.begin(), options_.transports.end(), t) !=
           options_.transports.end();
}

std::optional<Result<ServerLocator::Destinations>>
ServerLocator::locate(std::string_view text, std::optional<Transport> forced, Done done) {
    auto numeric = resolveNumeric(text, forced);
    if (numeric) return Destinations{std::move(numeric).value()};
    if (numeric.error().code != Errc::not_found) return fail(numeric.error());

    auto uri = parseUri(text); // it parsed in resolveNumeric()
    auto lookup = std::make_shared<Lookup>();
    lookup->host = lower(uri->host);
    if (!lookup->host.empty() && lookup->host.back() == '.') lookup->host.pop_back();
    lookup->sips = uri->scheme == UriScheme::sips;
    lookup->port = uri->port;
    if (forced) {
        lookup->transport = forced;
    } else if (auto param = uri->params.get("transport")) {
        lookup->transport = parseTransport(*param); // resolveNumeric() checked it
    }
    if (lookup->transport && !speaks(*lookup->transport))
        return fail(Errc::unsupported, fmt::format("'{}': transport {} is not enabled here", text,
                                                   transportName(*lookup->transport)));
    lookup->key = fmt::format("{}|{}|{}|{}", lookup->sips ? "sips" : "sip", lookup->host,
                              lookup->port.value_or(0),
                              lookup->transport ? transportName(*lookup->transport) : "");

    ++stats_.lookups;
    if (auto cached = cache_.find(lookup->key); cached != cache_.end()) {
        if (cached->second.expires > Clock::now()) {
            ++stats_.cacheHits;
            return cached->second.result;
        }
        cache_.erase(cached);
    }
    auto [waiting, first] = inFlight_.try_emplace(lookup->key);
    waiting->second.push_back(std::move(done));
    if (first) start(std::move(lookup));
    return std::nullopt;
}

void ServerLocator::start(std::shared_ptr<Lookup> lookup) {
    if (lookup->port) {
        // §4.2: an explicit port means no SRV; UDP for sip and TLS for sips unless specified.
        const Transport t =
            lookup->transport.value_or(lookup->sips ? Transport::tls : Transport::udp);
        net::SrvRecord only{0, 0, *lookup->port, lookup->host};
        return resolveTargets(lookup, {only}, t, [this, lookup] {
            finish(lookup, fail(lookup->lastError), options_.negativeTtl);
        });
    }
    if (lookup->transport) {
        // §4.2: a transport but no port: SRV for that transport, else the host's default port.
        lookup->services.emplace_back(srvName(*lookup->transport, lookup->host),
                                      *lookup->transport);
        return trySrv(std::move(lookup), 0);
    }
    dns_.naptr(lookup->host, [this, alive = lifetime_.watch(),
                              lookup](Result<std::vector<net::NaptrRecord>> records) mutable {
        if (alive) onNaptr(std::move(lookup), std::move(records));
    });
}

void ServerLocator::onNaptr(std::shared_ptr<Lookup> lookup,
                            Result<std::vector<net::NaptrRecord>> records) {
    if (records) {
        auto& list = records.value();
        std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) {
            return std::tie(x.order, x.preference) < std::tie(y.order, y.preference);
        });
        for (const auto& r : list) {
            // §4.1: SIP's NAPTR records are terminal "S" records pointing at SRV names; a sips
            // URI may only use SIPS+D2T.
            const auto t = naptrTransport(r.service);
            if (!t || lower(r.flags) != "s" || r.replacement.empty() || !speaks(*t)) continue;
            if (lookup->sips && *t != Transport::tls) continue;
            lookup->services.emplace_back(r.replacement, *t);
        }
    }
    if (lookup->services.empty()) {
        // §4.1: no usable NAPTR records: an SRV query for each transport we speak.
        for (Transport t : options_.transports)
            if (!lookup->sips || t == Transport::tls)
                lookup->services.emplace_back(srvName(t, lookup->host), t);
    }
    trySrv(std::move(lookup), 0);
}

void ServerLocator::trySrv(std::shared_ptr<Lookup> lookup, std::size_t next) {
    if (next == lookup->services.size()) {
        // §4.2: no SRV records: the host itself, at the transport's default port.
        Transport t = lookup->transport.value_or(lookup->sips ? Transport::tls : Transport::udp);
        if (!lookup->transport && !speaks(t) && !lookup->sips) t = options_.transports.front();
        net::SrvRecord host{0, 0, defaultPort(t), lookup->host};
        return resolveTargets(lookup, {host}, t, [this, lookup] {
            finish(lookup, fail(lookup->lastError), options_.negativeTtl);
        });
    }
    const std::string name = lookup->services[next].first;
    const Transport transport = lookup->services[next].second;
    dns_.srv(name, [this, alive = lifetime_.watch(), lookup, next,
                    transport](Result<std::vector<net::SrvRecord>> records) mutable {
        if (!alive) return;
        // RFC 2782: a single record with target "." says the service is not offered there.
        if (!records || records->empty() ||
            (records->size() == 1 &&
             (records->front().target == "." || records->front().target.empty()))) {
            if (!records) lookup->lastError = records.error();
            return trySrv(std::move(lookup), next + 1);
        }
        auto ordered = orderSrv(std::move(records).value());
        resolveTargets(lookup, std::move(ordered), transport,
                       [this, lookup, next] { trySrv(lookup, next + 1); });
    });
}

std::vector<net::SrvRecord> ServerLocator::orderSrv(std::vector<net::SrvRecord> records) {
    // RFC 2782 "Usage rules": lowest priority first; within a priority, pick at random with
    // probability proportional to weight (zero-weight records first in the running sum, so
    // they get a small chance), then repeat without the picked one.
    std::stable_sort(records.begin(), records.end(), [](const auto& x, const auto& y) {
        return x.priority < y.priority || (x.priority == y.priority && x.weight < y.weight);
    });
    std::vector<net::SrvRecord> ordered;
    ordered.reserve(records.size());
    auto group = records.begin();
    while (group != records.end()) {
        auto end = std::find_if(group, records.end(),
                                [&](const auto& r) { return r.priority != group->priority; });
        std::vector<net::SrvRecord> left(group, end);
        while (!left.empty()) {
            std::uint32_t total = 0;
            for (const auto& r : left)
                total += r.weight;
            const std::uint32_t pick =
                std::uniform_int_distribution<std::uint32_t>(0, total)(random_);
            std::uint32_t running = 0;
            auto chosen = left.begin();
            for (; chosen != left.end(); ++chosen) {
                running += chosen->weight;
                if (running >= pick) break;
            }
            if (chosen == left.end()) chosen = std::prev(left.end());
            ordered.push_back(std::move(*chosen));
            left.erase(chosen);
        }
        group = end;
    }
    return ordered;
}

void ServerLocator::resolveTargets(const std::shared_ptr<Lookup>& lookup,
                                   std::vector<net::SrvRecord> targets, Transport transport,
                                   std::function<void()> none) {
    // Every target's addresses at once; the answer keeps the targets' order.
    struct Join {
        std::vector<net::SrvRecord> targets;
        std::vector<std::optional<net::AddressRecords>> found;
        std::size_t remaining;
    };
    auto join = std::make_shared<Join>();
    join->found.resize(targets.size());
    join->remaining = targets.size();
    join->targets = std::move(targets);
    auto assemble = [this, lookup, join, transport, none = std::move(none)] {
        Destinations out;
        std::chrono::seconds ttl = options_.maxCacheTtl;
        bool familyMissing = false;
        for (std::size_t i = 0; i < join->targets.size(); ++i) {
            if (!join->found[i]) continue;
            ttl = std::min(ttl, join->found[i]->ttl);
            for (const auto& address : join->found[i]->addresses) {
                if (address.is_v6() ? !options_.ipv6 : !options_.ipv4) {
                    familyMissing = true;
                    continue;
                }
                if (out.size() == options_.maxDestinations) break;
                // RFC 5922 §4: a TLS server proves the SIP domain, not the SRV target.
                out.push_back({transport, address, join->targets[i].port,
                               transport == Transport::tls ? lookup->host : std::string()});
            }
        }
        if (out.empty()) {
            if (familyMissing)
                lookup->lastError = {
                    Errc::unsupported,
                    fmt::format("{}: no address of a family we can send from", lookup->host)};
            return none();
        }
        finish(lookup, std::move(out), ttl);
    };
    for (std::size_t i = 0; i < join->targets.size(); ++i) {
        dns_.addresses(join->targets[i].target, [alive = lifetime_.watch(), lookup, join, i,
                                                 assemble](Result<net::AddressRecords> records) {
            if (!alive) return;
            if (records)
                join->found[i] = std::move(records).value();
            else
                lookup->lastError = records.error();
            if (--join->remaining == 0) assemble();
        });
    }
}

void ServerLocator::finish(const std::shared_ptr<Lookup>& lookup,
                           const Result<Destinations>& result, std::chrono::seconds ttl) {
    if (!result) ++stats_.failures;
    const bool cacheable = result ? ttl.count() > 0 : result.error().code == Errc::not_found;
    if (cacheable) {
        // Peers name hosts too (Contact, Record-Route): bound what they can make us remember.
        if (cache_.size() >= kMaxCached) {
            const auto now = Clock::now();
            std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires <= now; });
            if (cache_.size() >= kMaxCached) cache_.clear();
        }
        cache_.insert_or_assign(lookup->key, Cached{result, Clock::now() + ttl});
    }
    auto waiting = inFlight_.extract(lookup->key);
    if (waiting.empty()) return;
    for (auto& done : waiting.mapped())
        done(result);
}

} // namespace sb::sip
