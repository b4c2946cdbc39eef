// Where the B2BUA's outbound requests go: RFC 3263 server location for new legs (a route's
// target or outbound proxy, a transfer target, a placed call), failover to the next server
// (§4.3), and the next hop of an established dialog when its route set or target is a name.

#include "core/log.hpp"
#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/destination.hpp"
#include "sip/header_policy.hpp"

#include <fmt/format.h>

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

} // namespace

void B2bua::useDestinations(Half& leg, ServerLocator::Destinations where) {
    leg.destination = std::move(where.front());
    leg.alternates.assign(std::make_move_iterator(where.begin() + 1),
                          std::make_move_iterator(where.end()));
}

std::optional<Result<ServerLocator::Destinations>>
B2bua::locate(std::string_view uri, std::optional<Transport> transport, ServerLocator::Done done) {
    if (locator_) return locator_->locate(uri, transport, std::move(done));
    auto numeric = resolveNumeric(uri, transport);
    if (!numeric) return fail(numeric.error());
    return ServerLocator::Destinations{std::move(numeric).value()};
}

Result<bool> B2bua::startLeg(std::uint64_t callId, Half& l, std::string_view target,
                             std::string_view outboundProxy, std::optional<Transport> transport,
                             Located later) {
    // §8.1.2: an outbound proxy is a pre-loaded loose route; the request goes there first.
    std::string proxy(outboundProxy);
    if (!proxy.empty() && proxy.find(";lr") == std::string::npos) proxy += ";lr";
    auto now = locate(proxy.empty() ? target : std::string_view(proxy), transport,
                      [this, callId, later = std::move(later)](auto where) {
                          if (auto found = calls_.find(callId); found != calls_.end())
                              later(*found->second, std::move(where));
                      });
    if (now && !*now) return fail(now->error());
    if (now) useDestinations(l, std::move(*now).value());
    l.dialog.callId = newToken() + newToken();
    l.dialog.localTag = newToken();
    l.dialog.remoteUri = fmt::format("<{}>", target);
    l.dialog.remoteTarget = target;
    if (!proxy.empty()) l.dialog.routeSet.push_back("<" + proxy + ">");
    return now.has_value();
}

void B2bua::onOutboundLocated(Call& call, Result<ServerLocator::Destinations> where) {
    if (call.state != Call::State::early) return maybeEnd(call); // cancelled while we looked
    if (where) {
        useDestinations(call.b, std::move(where).value());
        call.bDestination = call.b.destination;
        if (sendInitialInvite(call)) return;
        where = fail(Errc::invalid_input, "the INVITE could not be built");
    }
    // RFC 3261 §21.5.3 and §21.5.5: no server to send to is a gateway's failure; a DNS server
    // that never answered is a time-out.
    const bool timeout = where.error().code == Errc::timeout;
    const int status = timeout ? 504 : 502;
    const std::string reason = sanitizeReason(
        fmt::format("{} ({})", timeout ? "Server Time-out" : "Bad Gateway", where.error().message));
    logger().warn("call {} to {} not placed: {}", call.tag(), call.bTarget, where.error().message);
    wheel_.cancel(call.noAnswer);
    ++stats_.callsFailed;
    call.setEnd(status, reason);
    if (call.placed())
        ++stats_.failuresByStatus[status];
    else
        answerCallerWith(call, status, reason);
    call.state = Call::State::ending;
    maybeEnd(call);
}

bool B2bua::sendInitialInvite(Call& call) {
    if (call.placed()) return sendPlacedInvite(call);
    const Message* invite = call.aInvite ? layer_.request(call.aInvite) : nullptr;
    return invite && sendOutboundInvite(call, *invite);
}

void B2bua::rewindOutboundLeg(Call& call) {
    Half& b = call.b;
    b.dialog.remoteTag.clear();
    b.dialog.remoteTarget = call.bTarget;
    b.dialog.routeSet = call.bRouteSet;
    b.dialog.early = true;
    b.destination = call.bDestination;
}

bool B2bua::tryNextServer(Call& call) {
    Half& b = call.b;
    if (call.state != Call::State::early || b.alternates.empty()) return false;
    // §4.3: the same request, as a new transaction (a new branch, the next CSeq), to the next
    // server in the list, from the start of B's path.
    call.bDestination = b.alternates.front();
    b.alternates.erase(b.alternates.begin());
    rewindOutboundLeg(call);
    ++stats_.failovers;
    logger().info("call {}: trying the next server for {}: {} {}:{}", call.tag(), call.bTarget,
                  transportName(b.destination.transport), b.destination.address.to_string(),
                  b.destination.port);
    return sendInitialInvite(call);
}

void B2bua::followNextHop(Half& l) {
    // The route set or target a response gave us may name a host: requests follow it once DNS
    // has answered (at once when the name is cached), the previous hop until then.
    const auto settle = [](Half& leg, Destination where) {
        if (leg.reach == Half::Reach::connection)
            leg.nextHop = std::move(where);
        else
            leg.destination = std::move(where);
    };
    const std::string key = dialogKey(l.dialog.callId, l.dialog.localTag);
    auto now = locate(l.dialog.nextHop(), l.destination.transport, [this, key, settle](auto where) {
        auto dialog = dialogs_.find(key);
        if (!where || dialog == dialogs_.end()) return;
        auto call = calls_.find(dialog->second.first);
        if (call != calls_.end())
            settle(half(*call->second, dialog->second.second), std::move(where->front()));
    });
    if (now && *now) settle(l, std::move((*now)->front()));
}

namespace {

// A UA that sent its INVITE straight to us (one Via) from an address its Contact does not name
// is behind a NAT (its Contact holds its private address): only the address its INVITE came
// from reaches it. Kamailio's nathelper tests the same (nat_uac_test, flag 1).
bool behindNat(const Message& invite, const InboundMessage& source) {
    if (invite.vias().size() != 1 || invite.contacts().empty()) return false;
    const auto contact = addressOfHost(invite.contacts().front().uri.host);
    return contact && *contact != source.remoteAddress;
}

} // namespace

void B2bua::reachCaller(Half& a, const InboundMessage& source, const Message& invite) {
    a.destination = {source.transport, source.remoteAddress, source.remotePort, {}};
    if (isStream(source.transport)) {
        a.reach = Half::Reach::connection;
    } else if (behindNat(invite, source)) {
        a.reach = Half::Reach::source;
        return;
    } else {
        // §12.2.1.1: the route set's first hop, else the Contact (through a proxy that does
        // not record-route, the INVITE's source is the proxy, which would not take them).
        a.reach = Half::Reach::nextHop;
    }
    followNextHop(a);
}

void B2bua::refreshTarget(Half& l, const Message& message) {
    l.dialog.refreshTarget(message);
    // §12.2.1.2: a new target is the next hop when no route set comes before it.
    if (l.reach != Half::Reach::source && l.dialog.routeSet.empty()) followNextHop(l);
}

const Destination& B2bua::reachable(Half& l) {
    if (l.reach == Half::Reach::connection && !layer_.connected(l.destination) && l.nextHop) {
        logger().info("dialog {}: the caller's {} connection from {}:{} has closed; requests go "
                      "to its next hop {} {}:{}",
                      l.dialog.callId, transportName(l.destination.transport),
                      l.destination.address.to_string(), l.destination.port,
                      transportName(l.nextHop->transport), l.nextHop->address.to_string(),
                      l.nextHop->port);
        l.destination = *std::exchange(l.nextHop, std::nullopt);
        l.reach = Half::Reach::nextHop;
    }
    return l.destination;
}

} // namespace sb::sip
