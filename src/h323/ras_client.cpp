#include "h323/ras_client.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::h323 {

using namespace ras;

namespace {

template <class Confirm, class Reject>
bool confirmOrReject(const RasMessage& answer) {
    return std::holds_alternative<Confirm>(answer) || std::holds_alternative<Reject>(answer);
}

// Whether `answer` is one H.225.0 gives `request` (§7.7–7.11: its confirm or its reject).
bool answers(const RasMessage& request, const RasMessage& answer) {
    return std::visit(
        [&](const auto& r) {
            using R = std::decay_t<decltype(r)>;
            if constexpr (std::is_same_v<R, GatekeeperRequest>)
                return confirmOrReject<GatekeeperConfirm, GatekeeperReject>(answer);
            else if constexpr (std::is_same_v<R, RegistrationRequest>)
                return confirmOrReject<RegistrationConfirm, RegistrationReject>(answer);
            else if constexpr (std::is_same_v<R, UnregistrationRequest>)
                return confirmOrReject<UnregistrationConfirm, UnregistrationReject>(answer);
            else if constexpr (std::is_same_v<R, AdmissionRequest>)
                return confirmOrReject<AdmissionConfirm, AdmissionReject>(answer);
            else if constexpr (std::is_same_v<R, BandwidthRequest>)
                return confirmOrReject<BandwidthConfirm, BandwidthReject>(answer);
            else if constexpr (std::is_same_v<R, DisengageRequest>)
                return confirmOrReject<DisengageConfirm, DisengageReject>(answer);
            else
                return false;
        },
        request);
}

} // namespace

RasClient::RasClient(Config config, Events events)
    : config_(std::move(config)), events_(std::move(events)) {
    gatekeeper_ = config_.gatekeeperIdentifier;
}

std::uint16_t RasClient::nextSeq() {
    seq_ = static_cast<std::uint16_t>(seq_ % 65535 + 1); // RequestSeqNum ::= INTEGER (1..65535)
    return seq_;
}

void RasClient::request(RasMessage message, Clock::time_point now) {
    const auto seq = std::visit([](const auto& m) { return m.requestSeqNum; }, message);
    events_.send(encode(message));
    pending_[seq] = {std::move(message), now + config_.retryAfter, config_.attempts - 1};
}

void RasClient::start(Clock::time_point now) {
    if (!config_.discover) return sendRegistration(false, now);
    GatekeeperRequest grq;
    grq.requestSeqNum = nextSeq();
    grq.rasAddress = config_.rasAddress;
    grq.endpointType.terminal = false;
    grq.endpointType.gateway = true;
    grq.gatekeeperIdentifier = config_.gatekeeperIdentifier;
    grq.endpointAlias = config_.aliases;
    request(grq, now);
}

void RasClient::sendRegistration(bool keepAlive, Clock::time_point now) {
    RegistrationRequest rrq;
    rrq.requestSeqNum = nextSeq();
    rrq.discoveryComplete = config_.discover;
    rrq.callSignalAddress = {config_.callSignalAddress};
    rrq.rasAddress = {config_.rasAddress};
    rrq.terminalType.terminal = false;
    rrq.terminalType.gateway = true;
    rrq.gatekeeperIdentifier = gatekeeper_;
    rrq.endpointVendor = config_.vendor;
    rrq.timeToLive = config_.timeToLive;
    if (keepAlive) { // §7.9.1: the lightweight form, naming the registration it renews
        rrq.keepAlive = true;
        rrq.endpointIdentifier = endpoint_;
    } else {
        rrq.terminalAlias = config_.aliases;
    }
    request(rrq, now);
}

void RasClient::admit(const Guid& call, std::uint16_t callReference, const Guid& conference,
                      Aliases destination, std::optional<TransportAddress> address, bool answerCall,
                      std::uint32_t bandWidth, std::function<void(const Admission&)> done,
                      Clock::time_point now) {
    if (!endpoint_) {
        Admission refused;
        refused.reason = AdmissionRejectReason::callerNotRegistered;
        return done(refused);
    }
    AdmissionRequest arq;
    arq.requestSeqNum = nextSeq();
    arq.callModel = CallModel::direct;
    arq.endpointIdentifier = *endpoint_;
    arq.destinationInfo = std::move(destination);
    arq.destCallSignalAddress = address;
    arq.srcInfo = config_.aliases;
    arq.srcCallSignalAddress = config_.callSignalAddress;
    arq.bandWidth = bandWidth;
    arq.callReferenceValue = callReference;
    arq.conferenceID = conference;
    arq.answerCall = answerCall;
    arq.callIdentifier = call;
    arq.gatekeeperIdentifier = gatekeeper_;
    admissions_[arq.requestSeqNum] = std::move(done);
    request(arq, now);
}

void RasClient::changeBandwidth(const Guid& call, std::uint16_t callReference,
                                const Guid& conference, bool answeredCall, std::uint32_t bandWidth,
                                Clock::time_point now) {
    if (!endpoint_) return;
    BandwidthRequest brq;
    brq.requestSeqNum = nextSeq();
    brq.endpointIdentifier = *endpoint_;
    brq.conferenceID = conference;
    brq.callReferenceValue = callReference;
    brq.bandWidth = bandWidth;
    brq.callIdentifier = call;
    brq.gatekeeperIdentifier = gatekeeper_;
    brq.answeredCall = answeredCall;
    request(brq, now);
}

void RasClient::disengage(const Guid& call, std::uint16_t callReference, const Guid& conference,
                          bool answeredCall, Clock::time_point now) {
    if (!endpoint_) return;
    DisengageRequest drq;
    drq.requestSeqNum = nextSeq();
    drq.endpointIdentifier = *endpoint_;
    drq.conferenceID = conference;
    drq.callReferenceValue = callReference;
    drq.callIdentifier = call;
    drq.gatekeeperIdentifier = gatekeeper_;
    drq.answeredCall = answeredCall;
    request(drq, now);
}

void RasClient::unregister(Clock::time_point now) {
    if (!endpoint_) return;
    UnregistrationRequest urq;
    urq.requestSeqNum = nextSeq();
    urq.callSignalAddress = {config_.callSignalAddress};
    urq.endpointAlias = config_.aliases;
    urq.endpointIdentifier = endpoint_;
    urq.gatekeeperIdentifier = gatekeeper_;
    keepAliveAt_.reset();
    request(urq, now);
}

void RasClient::lose(std::string why) {
    endpoint_.reset();
    keepAliveAt_.reset();
    if (events_.unregistered) events_.unregistered(std::move(why));
}

void RasClient::receive(std::span<const std::uint8_t> datagram, Clock::time_point now) {
    auto message = decode(datagram);
    if (!message) { // §7.12.1: answered, so the gatekeeper knows
        if (auto umr = notUnderstood(datagram)) events_.send(encode(*umr));
        return;
    }
    const bool fromGatekeeper = std::holds_alternative<InfoRequest>(*message) ||
                                std::holds_alternative<UnregistrationRequest>(*message) ||
                                std::holds_alternative<DisengageRequest>(*message);
    if (fromGatekeeper) return onGatekeeperRequest(*message);
    onAnswer(*message, now);
}

void RasClient::onAnswer(const RasMessage& answer, Clock::time_point now) {
    const auto seq = std::visit([](const auto& m) { return m.requestSeqNum; }, answer);
    if (std::holds_alternative<RequestInProgress>(answer)) { // the gatekeeper needs longer
        if (auto it = pending_.find(seq); it != pending_.end())
            it->second.deadline =
                now + std::chrono::milliseconds(std::get<RequestInProgress>(answer).delay);
        return;
    }
    const auto it = pending_.find(seq);
    if (it != pending_.end() && std::holds_alternative<UnknownMessageResponse>(answer))
        return giveUp(seq, "the gatekeeper did not understand the request");
    if (it != pending_.end() && !answers(it->second.request, answer))
        return; // an answer of the wrong kind (a spoof, or a confused gatekeeper): still waits
    if (it == pending_.end()) { // late, or not ours
        if (auto late = givenUp_.extract(seq);
            !late.empty() && std::holds_alternative<AdmissionConfirm>(answer)) {
            const auto& arq = late.mapped();
            disengage(arq.callIdentifier, arq.callReferenceValue, arq.conferenceID, arq.answerCall,
                      now);
        }
        return;
    }
    pending_.erase(it);
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, GatekeeperConfirm>) {
                if (m.gatekeeperIdentifier) gatekeeper_ = m.gatekeeperIdentifier;
                if (events_.discovered) events_.discovered(m.rasAddress);
                sendRegistration(false, now);
            } else if constexpr (std::is_same_v<M, GatekeeperReject>) {
                lose("the gatekeeper refused discovery");
            } else if constexpr (std::is_same_v<M, RegistrationConfirm>) {
                const bool first = !endpoint_;
                endpoint_ = m.endpointIdentifier;
                if (m.gatekeeperIdentifier) gatekeeper_ = m.gatekeeperIdentifier;
                timeToLive_ = m.timeToLive.value_or(0);
                // Renewed at 80% of the time to live; none granted: none needed (§7.9.1).
                if (timeToLive_ > 0)
                    keepAliveAt_ = now + std::chrono::milliseconds(timeToLive_ * 800);
                if (first && events_.registered) events_.registered(*endpoint_);
            } else if constexpr (std::is_same_v<M, RegistrationReject>) {
                if (m.rejectReason == RegistrationRejectReason::fullRegistrationRequired) {
                    endpoint_.reset();
                    return sendRegistration(false, now);
                }
                lose(m.rejectReason == RegistrationRejectReason::duplicateAlias
                         ? "the gatekeeper refused the registration: an alias of ours is taken"
                         : fmt::format("the gatekeeper refused the registration (reason {})",
                                       static_cast<int>(m.rejectReason)));
            } else if constexpr (std::is_same_v<M, UnregistrationConfirm> ||
                                 std::is_same_v<M, UnregistrationReject>) {
                lose("unregistered");
            } else if constexpr (std::is_same_v<M, AdmissionConfirm> ||
                                 std::is_same_v<M, AdmissionReject>) {
                auto done = admissions_.extract(seq);
                if (done.empty()) return;
                Admission admission;
                if constexpr (std::is_same_v<M, AdmissionConfirm>) {
                    admission.admitted = true;
                    admission.destination = m.destCallSignalAddress;
                    admission.bandWidth = m.bandWidth;
                } else {
                    admission.reason = m.rejectReason;
                    // §7.11.1's callerNotRegistered: the gatekeeper lost us (a restart, or an
                    // unregistration we did not ask for): registered again at once, not at
                    // the next keep-alive.
                    // Once, for the first of the calls so refused.
                    if (endpoint_ &&
                        (m.rejectReason == AdmissionRejectReason::callerNotRegistered ||
                         m.rejectReason == AdmissionRejectReason::invalidEndpointIdentifier)) {
                        endpoint_.reset();
                        keepAliveAt_.reset();
                        sendRegistration(false, now);
                    }
                }
                done.mapped()(admission);
            }
            // DCF/DRJ, BCF/BRJ and UMR need nothing more.
        },
        answer);
}

void RasClient::onGatekeeperRequest(const RasMessage& message) {
    if (const auto* irq = std::get_if<InfoRequest>(&message)) {
        InfoRequestResponse irr;
        irr.requestSeqNum = irq->requestSeqNum;
        irr.endpointType.terminal = false;
        irr.endpointType.gateway = true;
        irr.endpointIdentifier = endpoint_.value_or(u"unregistered");
        irr.rasAddress = config_.rasAddress;
        irr.callSignalAddress = {config_.callSignalAddress};
        irr.endpointAlias = config_.aliases;
        return events_.send(encode(irr));
    }
    if (const auto* urq = std::get_if<UnregistrationRequest>(&message)) {
        // One that names another endpoint (or comes unregistered) is not ours to take
        // (H.225.0 §7.10.2).
        if (!endpoint_ || (urq->endpointIdentifier && *urq->endpointIdentifier != *endpoint_))
            return events_.send(encode(UnregistrationReject{
                urq->requestSeqNum, UnregistrationRejectReason::notCurrentlyRegistered}));
        events_.send(encode(UnregistrationConfirm{urq->requestSeqNum}));
        return lose("the gatekeeper withdrew the registration");
    }
    const auto& drq = std::get<DisengageRequest>(message);
    events_.send(encode(DisengageConfirm{drq.requestSeqNum}));
    if (events_.dropped) events_.dropped(drq.callIdentifier);
}

void RasClient::giveUp(std::uint16_t seq, std::string why) {
    const auto request = std::move(pending_.at(seq).request);
    pending_.erase(seq);
    if (auto done = admissions_.extract(seq); !done.empty()) {
        constexpr std::size_t kGivenUpKept = 64; // the oldest are forgotten
        if (givenUp_.size() >= kGivenUpKept) givenUp_.erase(givenUp_.begin());
        givenUp_[seq] = std::get<AdmissionRequest>(request);
        Admission none;
        none.unanswered = true;
        done.mapped()(none);
    } else if (std::holds_alternative<GatekeeperRequest>(request) ||
               std::holds_alternative<RegistrationRequest>(request)) {
        lose(std::move(why));
    }
}

void RasClient::tick(Clock::time_point now) {
    std::vector<std::uint16_t> expired;
    for (auto& [seq, pending] : pending_) {
        if (pending.deadline > now) continue;
        if (pending.attemptsLeft-- > 0) {
            events_.send(encode(pending.request)); // the same request again, same number
            pending.deadline = now + config_.retryAfter;
        } else {
            expired.push_back(seq);
        }
    }
    for (auto seq : expired)
        giveUp(seq, "the gatekeeper does not answer");
    if (keepAliveAt_ && *keepAliveAt_ <= now) {
        keepAliveAt_.reset();
        sendRegistration(true, now);
    }
}

std::optional<RasClient::Clock::time_point> RasClient::nextDeadline() const {
    std::optional<Clock::time_point> next = keepAliveAt_;
    for (const auto& [seq, pending] : pending_)
        if (!next || pending.deadline < *next) next = pending.deadline;
    return next;
}

} // namespace sb::h323
