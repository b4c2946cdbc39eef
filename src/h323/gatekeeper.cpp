#include "h323/gatekeeper.hpp"

#include "core/hex.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fmt/format.h>
#include <sys/random.h>

namespace sb::h323 {

using namespace ras;

namespace {

// An alias as a key: its kind, then its octets (two a BMP code unit).
// 16 hex digits from the kernel's generator (getrandom(2)): not the thread's mt19937, whose
// state its outputs (call identifiers, SSRCs) give away.
std::string unguessableHex() {
    std::array<std::uint8_t, 8> bytes{};
    for (std::size_t got = 0; got < bytes.size();) {
        const auto n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0 && errno != EINTR) break; // none to be had: what was got, and uniqueness
        if (n > 0) got += static_cast<std::size_t>(n);
    }
    return toHex(bytes);
}

std::string addressKey(const ras::Addresses& addresses) {
    std::string key;
    for (const auto& a : addresses) {
        key.append(a.ip.begin(), a.ip.end());
        key += static_cast<char>(a.port >> 8);
        key += static_cast<char>(a.port & 0xFF);
    }
    return key;
}

std::string aliasKey(const h225::AliasAddress& alias) {
    return std::visit(
        [](const auto& a) {
            using A = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<A, h225::DialedDigits>) {
                return "d" + a.digits;
            } else if constexpr (std::is_same_v<A, h225::H323Id>) {
                std::string key = "h";
                for (char16_t c : a.name) {
                    key += static_cast<char>(c >> 8);
                    key += static_cast<char>(c & 0xFF);
                }
                return key;
            } else {
                return fmt::format("o{}:", a.extension) +
                       std::string(a.value.begin(), a.value.end());
            }
        },
        alias);
}

} // namespace

Gatekeeper::Registrations::iterator Gatekeeper::registered(const Identifier& endpoint) {
    const auto it = registrations_.find(endpoint);
    if (it == registrations_.end() || !from_ || !it->second.from || *from_ == *it->second.from)
        return it;
    return registrations_.end();
}

std::optional<RasMessage> Gatekeeper::handle(const RasMessage& message, Clock::time_point now,
                                             std::optional<Source> from) {
    from_ = from;
    return std::visit(
        [&](const auto& m) -> std::optional<RasMessage> {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, GatekeeperRequest>) {
                // §7.2.1: a request for another gatekeeper by name is not ours to confirm.
                if (m.gatekeeperIdentifier && *m.gatekeeperIdentifier != config_.identifier)
                    return GatekeeperReject{m.requestSeqNum, h225::kProtocolIdentifier,
                                            config_.identifier,
                                            GatekeeperRejectReason::terminalExcluded};
                return GatekeeperConfirm{m.requestSeqNum, h225::kProtocolIdentifier,
                                         config_.identifier, config_.rasAddress};
            } else if constexpr (std::is_same_v<M, RegistrationRequest>) {
                return onRegistration(m, now);
            } else if constexpr (std::is_same_v<M, UnregistrationRequest>) {
                if (!m.endpointIdentifier || !registrations_.contains(*m.endpointIdentifier))
                    return UnregistrationReject{m.requestSeqNum,
                                                UnregistrationRejectReason::notCurrentlyRegistered};
                const auto it = registered(*m.endpointIdentifier);
                if (it == registrations_.end()) // from elsewhere than the endpoint
                    return UnregistrationReject{m.requestSeqNum,
                                                UnregistrationRejectReason::permissionDenied};
                drop(it);
                return UnregistrationConfirm{m.requestSeqNum};
            } else if constexpr (std::is_same_v<M, AdmissionRequest>) {
                return onAdmission(m);
            } else if constexpr (std::is_same_v<M, BandwidthRequest>) {
                return onBandwidth(m);
            } else if constexpr (std::is_same_v<M, DisengageRequest>) {
                return onDisengage(m);
            } else if constexpr (std::is_same_v<M, LocationRequest>) {
                return onLocation(m);
            } else {
                // Confirms, rejects, RIP and UMR need no answer; nor does an IRR here (its
                // needResponse asks for infoRequestAck, which we do not send).
                return std::nullopt;
            }
        },
        message);
}

RasMessage Gatekeeper::onRegistration(const RegistrationRequest& m, Clock::time_point now) {
    const auto ttl =
        std::min<std::uint32_t>(m.timeToLive.value_or(config_.timeToLive), config_.timeToLive);
    if (m.keepAlive) { // §7.9.1: a lightweight RRQ renews what it names
        const auto it =
            m.endpointIdentifier ? registered(*m.endpointIdentifier) : registrations_.end();
        if (it == registrations_.end())
            return RegistrationReject{m.requestSeqNum,
                                      h225::kProtocolIdentifier,
                                      RegistrationRejectReason::fullRegistrationRequired,
                                      {},
                                      config_.identifier};
        it->second.expires = now + std::chrono::seconds(ttl);
        RegistrationConfirm confirm;
        confirm.requestSeqNum = m.requestSeqNum;
        confirm.callSignalAddress = it->second.callSignalAddress;
        confirm.gatekeeperIdentifier = config_.identifier;
        confirm.endpointIdentifier = it->first;
        confirm.timeToLive = ttl;
        return confirm;
    }
    if (m.gatekeeperIdentifier && *m.gatekeeperIdentifier != config_.identifier)
        return RegistrationReject{m.requestSeqNum,
                                  h225::kProtocolIdentifier,
                                  RegistrationRejectReason::undefinedReason,
                                  {},
                                  config_.identifier};
    if (m.callSignalAddress.empty())
        return RegistrationReject{m.requestSeqNum,
                                  h225::kProtocolIdentifier,
                                  RegistrationRejectReason::invalidCallSignalAddress,
                                  {},
                                  config_.identifier};
    if (m.terminalAlias.size() > config_.mostAliases)
        return RegistrationReject{m.requestSeqNum,
                                  h225::kProtocolIdentifier,
                                  RegistrationRejectReason::invalidAlias,
                                  {},
                                  config_.identifier};
    // A registration of the same call signalling address replaces that one's only when it
    // comes from where that one did (else anyone could take an endpoint's place).
    const std::string address = addressKey(m.callSignalAddress);
    const auto same = byAddress_.find(address);
    if (same != byAddress_.end()) {
        const auto& r = registrations_.at(same->second);
        if (from_ && r.from && *from_ != *r.from)
            return RegistrationReject{m.requestSeqNum,
                                      h225::kProtocolIdentifier,
                                      RegistrationRejectReason::invalidCallSignalAddress,
                                      {},
                                      config_.identifier};
    }
    // An alias another endpoint holds is refused (§7.9.2); a re-registration of the same
    // endpoint (same call signalling address) replaces its old one.
    Aliases taken;
    for (const auto& alias : m.terminalAlias)
        if (const auto held = aliases_.find(aliasKey(alias)); held != aliases_.end())
            if (registrations_.at(held->second).callSignalAddress != m.callSignalAddress)
                taken.push_back(alias);
    if (!taken.empty())
        return RegistrationReject{m.requestSeqNum, h225::kProtocolIdentifier,
                                  RegistrationRejectReason::duplicateAlias, taken,
                                  config_.identifier};
    if (same != byAddress_.end()) drop(registrations_.find(same->second));
    if (registrations_.size() >= config_.mostRegistrations)
        return RegistrationReject{m.requestSeqNum,
                                  h225::kProtocolIdentifier,
                                  RegistrationRejectReason::resourceUnavailable,
                                  {},
                                  config_.identifier};
    // Not a count: a URQ, ARQ or DRQ names the endpoint by this alone (RAS is UDP, unsigned),
    // and "EP-1" would be anyone's to unregister.
    std::string name;
    do {
        name = "EP-" + unguessableHex();
    } while (registrations_.contains(Identifier(name.begin(), name.end())));
    const Identifier id(name.begin(), name.end());
    registrations_[id] = {id,
                          m.terminalAlias,
                          m.callSignalAddress,
                          m.rasAddress,
                          now + std::chrono::seconds(ttl),
                          0,
                          from_};
    for (const auto& alias : m.terminalAlias)
        aliases_[aliasKey(alias)] = id;
    byAddress_[address] = id;
    RegistrationConfirm confirm;
    confirm.requestSeqNum = m.requestSeqNum;
    confirm.terminalAlias = m.terminalAlias;
    confirm.gatekeeperIdentifier = config_.identifier;
    confirm.endpointIdentifier = id;
    confirm.timeToLive = ttl;
    return confirm;
}

const Gatekeeper::Registration* Gatekeeper::findAlias(const Aliases& aliases) const {
    for (const auto& alias : aliases)
        if (const auto held = aliases_.find(aliasKey(alias)); held != aliases_.end())
            return &registrations_.at(held->second);
    return nullptr;
}

RasMessage Gatekeeper::onAdmission(const AdmissionRequest& m) {
    if (!registrations_.contains(m.endpointIdentifier))
        return AdmissionReject{m.requestSeqNum, AdmissionRejectReason::callerNotRegistered};
    const auto caller = registered(m.endpointIdentifier);
    if (caller == registrations_.end())
        return AdmissionReject{m.requestSeqNum, AdmissionRejectReason::invalidPermission};
    if (m.destinationInfo.size() > config_.mostAliases)
        return AdmissionReject{m.requestSeqNum, AdmissionRejectReason::requestDenied};
    std::optional<TransportAddress> destination;
    if (m.answerCall) { // the called side asks to answer: it is where the call is
        destination = caller->second.callSignalAddress.front();
    } else if (const auto* callee = findAlias(m.destinationInfo)) {
        destination = callee->callSignalAddress.front();
    } else if (m.destCallSignalAddress) {
        destination = m.destCallSignalAddress; // a direct call to an address it knows
    }
    if (!destination)
        return AdmissionReject{m.requestSeqNum, AdmissionRejectReason::calledPartyNotRegistered};
    const auto key = std::make_pair(m.callIdentifier, m.endpointIdentifier);
    const auto granted = std::min(m.bandWidth, config_.callBandwidth);
    if (!calls_.contains(key)) {
        if (bandwidthInUse_ + granted > config_.totalBandwidth ||
            calls_.size() >= config_.mostCalls)
            return AdmissionReject{m.requestSeqNum, AdmissionRejectReason::resourceUnavailable};
        if (caller->second.calls >= config_.mostCallsOfOne)
            return AdmissionReject{m.requestSeqNum, AdmissionRejectReason::exceedsCallCapacity};
        calls_[key] = {m.endpointIdentifier, granted};
        bandwidthInUse_ += granted;
        ++caller->second.calls;
    }
    AdmissionConfirm confirm;
    confirm.requestSeqNum = m.requestSeqNum;
    confirm.bandWidth = granted;
    confirm.callModel = CallModel::direct;
    confirm.destCallSignalAddress = *destination;
    return confirm;
}

RasMessage Gatekeeper::onBandwidth(const BandwidthRequest& m) {
    if (registrations_.contains(m.endpointIdentifier) &&
        registered(m.endpointIdentifier) == registrations_.end())
        return BandwidthReject{m.requestSeqNum, BandwidthRejectReason::invalidPermission, 0};
    const auto it = calls_.find({m.callIdentifier, m.endpointIdentifier});
    if (it == calls_.end())
        return BandwidthReject{m.requestSeqNum, BandwidthRejectReason::invalidConferenceID, 0};
    const auto others = bandwidthInUse_ - it->second.bandwidth;
    const auto most = std::min(config_.callBandwidth, config_.totalBandwidth - others);
    if (m.bandWidth > most)
        return BandwidthReject{m.requestSeqNum, BandwidthRejectReason::insufficientResources, most};
    bandwidthInUse_ = others + m.bandWidth;
    it->second.bandwidth = m.bandWidth;
    return BandwidthConfirm{m.requestSeqNum, m.bandWidth};
}

RasMessage Gatekeeper::onDisengage(const DisengageRequest& m) {
    if (!registrations_.contains(m.endpointIdentifier))
        return DisengageReject{m.requestSeqNum, DisengageRejectReason::notRegistered};
    const auto endpoint = registered(m.endpointIdentifier);
    if (endpoint == registrations_.end()) // another's call, as far as we can tell
        return DisengageReject{m.requestSeqNum, DisengageRejectReason::requestToDropOther};
    if (const auto it = calls_.find({m.callIdentifier, m.endpointIdentifier}); it != calls_.end()) {
        bandwidthInUse_ -= it->second.bandwidth;
        --endpoint->second.calls;
        calls_.erase(it);
    }
    return DisengageConfirm{m.requestSeqNum};
}

RasMessage Gatekeeper::onLocation(const LocationRequest& m) {
    if (m.destinationInfo.size() > config_.mostAliases)
        return LocationReject{m.requestSeqNum, LocationRejectReason::requestDenied};
    const auto* found = findAlias(m.destinationInfo);
    if (found == nullptr)
        return LocationReject{m.requestSeqNum, LocationRejectReason::notRegistered};
    LocationConfirm confirm;
    confirm.requestSeqNum = m.requestSeqNum;
    confirm.callSignalAddress = found->callSignalAddress.front();
    confirm.rasAddress =
        found->rasAddress.empty() ? found->callSignalAddress.front() : found->rasAddress.front();
    confirm.destinationInfo = m.destinationInfo;
    return confirm;
}

Gatekeeper::Registrations::iterator Gatekeeper::drop(Registrations::iterator it) {
    if (it->second.calls > 0)
        for (auto call = calls_.begin(); call != calls_.end();) {
            if (call->second.endpoint == it->first) {
                bandwidthInUse_ -= call->second.bandwidth;
                call = calls_.erase(call);
            } else {
                ++call;
            }
        }
    for (const auto& alias : it->second.aliases)
        if (const auto held = aliases_.find(aliasKey(alias));
            held != aliases_.end() && held->second == it->first)
            aliases_.erase(held);
    if (const auto held = byAddress_.find(addressKey(it->second.callSignalAddress));
        held != byAddress_.end() && held->second == it->first)
        byAddress_.erase(held);
    return registrations_.erase(it);
}

void Gatekeeper::expire(Clock::time_point now) {
    for (auto it = registrations_.begin(); it != registrations_.end();) {
        it = it->second.expires <= now ? drop(it) : std::next(it);
    }
}

} // namespace sb::h323
