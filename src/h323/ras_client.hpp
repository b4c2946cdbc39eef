#pragma once
// Switchboard as an endpoint registered with a gatekeeper (H.323 §7.2, H.225.0 §7.7–7.11):
// discovery (GRQ), registration (RRQ) and keep-alives before its time to live runs out,
// admission (ARQ), bandwidth (BRQ) and disengage (DRQ) per call, unregistration (URQ); and the
// gatekeeper's own requests: IRQ answered with IRR, URQ (registration withdrawn: register
// again), DRQ (a call dropped). Requests are sent again after 3 s, twice (H.225.0 §7.7 leaves
// the timing to the endpoint; H.323's Appendix IV suggests these), then fail. Pure logic: the
// owner carries datagrams both ways and calls tick() when nextDeadline() comes.

#include "h323/ras/ras_message.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sb::h323 {

class RasClient {
public:
    using Clock = std::chrono::steady_clock;

    struct Config {
        ras::Aliases aliases;
        ras::TransportAddress callSignalAddress, rasAddress;
        std::optional<ras::Identifier> gatekeeperIdentifier; // the one to discover, if named
        bool discover = true;                                // GRQ first, or register at once
        std::uint32_t timeToLive = 300; // asked for; the gatekeeper's answer counts
        h225::Vendor vendor{0, 0, 0, "Switchboard", "0.1"};
        Clock::duration retryAfter = std::chrono::seconds(3);
        int attempts = 3;
    };
    struct Events {
        std::function<void(std::vector<std::uint8_t>)> send; // a datagram to the gatekeeper
        // A gatekeeper confirmed discovery: what follows goes to its RAS address (needed when
        // the GRQ went to the discovery group, H.323 §7.2.1).
        std::function<void(const ras::TransportAddress& gatekeeper)> discovered;
        std::function<void(const ras::Identifier& endpoint)> registered;
        std::function<void(std::string why)> unregistered;  // refused, withdrawn, or no answer
        std::function<void(const ras::Guid& call)> dropped; // the gatekeeper's DRQ
    };
    // One call's admission, answered once.
    struct Admission {
        bool admitted = false;
        ras::TransportAddress destination; // where to send the Setup
        std::uint32_t bandWidth = 0;
        std::optional<ras::AdmissionRejectReason> reason;
        bool unanswered = false; // the gatekeeper did not answer (no reason, then)
    };

    RasClient(Config config, Events events);

    void start(Clock::time_point now);
    // A datagram from the gatekeeper.
    void receive(std::span<const std::uint8_t> datagram, Clock::time_point now);
    // Retries, keep-alives and failures that are due.
    void tick(Clock::time_point now);
    std::optional<Clock::time_point> nextDeadline() const;

    // ARQ for a call we place (`destination`: its aliases, and its address if we know it) or
    // answer (answerCall).
    void admit(const ras::Guid& call, std::uint16_t callReference, const ras::Guid& conference,
               ras::Aliases destination, std::optional<ras::TransportAddress> address,
               bool answerCall, std::uint32_t bandWidth, std::function<void(const Admission&)> done,
               Clock::time_point now);
    // BRQ: the call's audio now takes `bandWidth` (100 bit/s units, both directions).
    void changeBandwidth(const ras::Guid& call, std::uint16_t callReference,
                         const ras::Guid& conference, bool answeredCall, std::uint32_t bandWidth,
                         Clock::time_point now);
    void disengage(const ras::Guid& call, std::uint16_t callReference, const ras::Guid& conference,
                   bool answeredCall, Clock::time_point now);
    // URQ; unregistered() follows.
    void unregister(Clock::time_point now);

    bool isRegistered() const noexcept { return endpoint_.has_value(); }
    const std::optional<ras::Identifier>& endpointIdentifier() const noexcept { return endpoint_; }
    std::uint32_t grantedTimeToLive() const noexcept { return timeToLive_; }

private:
    struct Pending {
        ras::RasMessage request;
        Clock::time_point deadline;
        int attemptsLeft;
    };
    void request(ras::RasMessage message, Clock::time_point now);
    void sendRegistration(bool keepAlive, Clock::time_point now);
    void onAnswer(const ras::RasMessage& answer, Clock::time_point now);
    void onGatekeeperRequest(const ras::RasMessage& message);
    // The request `seq` gets no answer that it can use (none came, or the gatekeeper did not
    // understand it): its admission is answered unanswered, a discovery or registration lost.
    void giveUp(std::uint16_t seq, std::string why);
    void lose(std::string why);
    std::uint16_t nextSeq();

    Config config_;
    Events events_;
    std::uint16_t seq_ = 0;
    std::map<std::uint16_t, Pending> pending_;
    std::map<std::uint16_t, std::function<void(const Admission&)>> admissions_;
    // Admissions given up for want of an answer, by number: one that the gatekeeper confirms
    // late is disengaged at once, so that it keeps no call we do not have.
    std::map<std::uint16_t, ras::AdmissionRequest> givenUp_;
    std::optional<ras::Identifier> gatekeeper_;
    std::optional<ras::Identifier> endpoint_;
    std::uint32_t timeToLive_ = 0;
    std::optional<Clock::time_point> keepAliveAt_;
};

} // namespace sb::h323
