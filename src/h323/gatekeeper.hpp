#pragma once
// Switchboard as a small gatekeeper (H.323 §7.2, H.225.0 §7.7–7.13) for deployments that have
// none: it answers discovery, keeps the registrations of the endpoints that register (with a
// time to live their keep-alives renew), admits calls between them by alias or number, keeps
// each admitted call's bandwidth until it disengages, and locates registered aliases for
// whoever asks. Direct call model: it never routes signalling itself. Pure logic: the owner
// feeds it each request with the time and sends back what it answers.

#include "h323/ras/ras_message.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::h323 {

class Gatekeeper {
public:
    using Clock = std::chrono::steady_clock;

    struct Config {
        std::u16string identifier = u"switchboard";
        ras::TransportAddress rasAddress;   // where endpoints reach us
        std::uint32_t timeToLive = 300;     // seconds, granted to every registration
        std::uint32_t callBandwidth = 1280; // units of 100 bit/s granted per call at most
        std::uint32_t totalBandwidth = 100000;
        // Registrations kept at once: RAS is UDP, and RRQs from spoofed addresses would
        // otherwise grow the table (and each RRQ's alias check) for a time to live each.
        std::size_t mostRegistrations = 10000;
        // Aliases in one request (an RRQ's, an ARQ's or LRQ's destination), and calls kept at
        // once, in all and of one endpoint: bounds on what unauthenticated UDP can make us
        // hold or search (an ARQ that asks for no bandwidth is otherwise never refused).
        std::size_t mostAliases = 64;
        std::size_t mostCalls = 20000;
        std::size_t mostCallsOfOne = 1000;
    };

    explicit Gatekeeper(Config config) : config_(std::move(config)) {}

    // The answer to one RAS message (nullopt for one that needs none: an unsolicited IRR, a
    // confirm, a reject); it goes back where the request came from (an LRQ's: to its
    // replyAddress). `from`, the datagram's IPv4 source: a request naming a registration
    // (URQ, ARQ, BRQ, DRQ, a keep-alive) is taken only from the address its RRQ came from,
    // since RAS is unsigned UDP and the identifier alone would let anyone unregister it.
    using Source = std::array<std::uint8_t, 4>;
    std::optional<ras::RasMessage> handle(const ras::RasMessage& message, Clock::time_point now,
                                          std::optional<Source> from = std::nullopt);

    // Drops registrations whose time to live has run out (and their calls).
    void expire(Clock::time_point now);

    struct Registration {
        ras::Identifier endpointIdentifier;
        ras::Aliases aliases;
        ras::Addresses callSignalAddress, rasAddress;
        Clock::time_point expires;
        std::size_t calls = 0;      // admitted and not yet disengaged
        std::optional<Source> from; // where its RRQ came from
    };
    const std::map<ras::Identifier, Registration>& registrations() const noexcept {
        return registrations_;
    }
    std::size_t calls() const noexcept { return calls_.size(); }
    std::uint32_t bandwidthInUse() const noexcept { return bandwidthInUse_; }

private:
    using Registrations = std::map<ras::Identifier, Registration>;
    ras::RasMessage onRegistration(const ras::RegistrationRequest& m, Clock::time_point now);
    ras::RasMessage onAdmission(const ras::AdmissionRequest& m);
    ras::RasMessage onBandwidth(const ras::BandwidthRequest& m);
    ras::RasMessage onDisengage(const ras::DisengageRequest& m);
    // The registration `endpoint` names, if the request comes from where it registered.
    Registrations::iterator registered(const ras::Identifier& endpoint);
    ras::RasMessage onLocation(const ras::LocationRequest& m);
    // The registration holding the first of `aliases` that one holds (an index lookup each).
    const Registration* findAlias(const ras::Aliases& aliases) const;
    // Forgets a registration: its calls, its aliases, itself.
    Registrations::iterator drop(Registrations::iterator it);

    Config config_;
    Registrations registrations_;
    std::optional<Source> from_; // the source of the request being handled
    // Every registered alias (aliasKey()) and its endpoint: an alias is one endpoint's at most
    // (§7.9.2), and a request's aliases are looked up, not compared with every registration's.
    std::unordered_map<std::string, ras::Identifier> aliases_;
    // Every registration by its call signalling addresses (addressKey()): one a set of them,
    // which an RRQ looks up rather than comparing with every registration's.
    std::unordered_map<std::string, ras::Identifier> byAddress_;
    struct Call {
        ras::Identifier endpoint;
        std::uint32_t bandwidth;
    };
    // By callIdentifier and the endpoint that asked (each side of a call asks on its own).
    std::map<std::pair<ras::Guid, ras::Identifier>, Call> calls_;
    std::uint32_t bandwidthInUse_ = 0;
};

} // namespace sb::h323
