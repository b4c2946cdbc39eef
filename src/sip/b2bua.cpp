#include "sip/b2bua.hpp"

#include "core/log.hpp"
#include "net/local_address.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/destination.hpp"
#include "sip/header_policy.hpp"
#include "sip/message_writer.hpp"
#include "sip/reason.hpp"
#include "sip/syntax.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

// Our branches carry this after the magic cookie, so that we recognise our own Via in a
// request that comes back to us (a loop, RFC 3261 §16.3 item 4 / §8.2.2.2 → 482).
constexpr std::string_view kOwnBranch = "z9hG4bK-sb";

// A route's target the B2BUA calls itself: a sip: or sips: URI (others are another kind's).
bool isSipTarget(std::string_view target) {
    const auto uri = parseUri(target);
    return uri && uri->isSip();
}

} // namespace
B2bua::B2bua(net::TimerWheel& wheel, MessageSender& sender, B2buaOptions options)
    : layer_(wheel, sender, *this, options.timers, options.userAgent), wheel_(wheel),
      options_(std::move(options)), random_(std::random_device{}()),
      authFailures_(options_.auth.failureBurst, options_.auth.failureRefill) {
    if (options_.auth.challengeInbound)
        challenger_ = std::make_unique<DigestChallenger>(DigestChallenger::Options{
            options_.auth.realm, options_.auth.nonceLifetime, options_.auth.algorithms});
    if (options_.dns) {
        // We can send on the transports and families we listen on (our Via must be reachable).
        LocatorOptions locator;
        locator.transports.clear();
        locator.ipv4 = locator.ipv6 = false;
        for (Transport t : {Transport::udp, Transport::tcp, Transport::tls}) {
            const bool v4 = listenerFor(t, false) != nullptr, v6 = listenerFor(t, true) != nullptr;
            if (v4 || v6) locator.transports.push_back(t);
            locator.ipv4 |= v4;
            locator.ipv6 |= v6;
        }
        locator_ = std::make_unique<ServerLocator>(*options_.dns, std::move(locator));
    }
    if (options_.callRooms)
        options_.callRooms->setInfoSender([this](std::uint64_t call, BridgedCallRooms::Party to,
                                                 char digit, std::chrono::milliseconds duration) {
            sendDtmfInfo(call, to == BridgedCallRooms::Party::caller ? Side::a : Side::b, digit,
                         duration);
        });
}

B2bua::~B2bua() {
    if (options_.callRooms) options_.callRooms->setInfoSender(nullptr);
    for (auto& [id, call] : calls_) {
        wheel_.cancel(call->noAnswer);
        wheel_.cancel(call->a.session.timer);
        wheel_.cancel(call->b.session.timer);
        if (call->bridged() && options_.callRooms)
            options_.callRooms->ended(id, 0, "Switchboard stopped");
    }
}

void B2bua::receive(Message&& message, const InboundMessage& source) {
    layer_.receive(std::move(message), source);
}

B2bua::Stats B2bua::stats() const {
    Stats s = stats_;
    s.calls = calls_.size();
    s.dialogs = dialogs_.size();
    if (locator_) s.locator = locator_->stats();
    return s;
}

B2bua::Half& B2bua::half(Call& call, Side side) {
    return side == Side::a ? call.a : call.b;
}

// ---------------------------------------------------------------------------------------------
// Requests

void B2bua::onRequest(TransactionId server, const Message& request, const InboundMessage& source) {
    const std::string_view toTag = request.to().tag();
    if (toTag.empty()) {
        if (request.method() == "INVITE") return onInitialInvite(server, request, source);
        return onOutOfDialog(server, request);
    }
    Side side;
    Call* call = findCall(request.callId(), toTag, &side);
    if (!call) return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
    onInDialog(server, request, *call, side);
}

void B2bua::onOutOfDialog(TransactionId server, const Message& request) {
    const std::string_view method = request.method();
    if (method == "OPTIONS" && draining_) return refuseWhileDraining(server, request);
    if (method == "OPTIONS") {
        // RFC 3261 §11.2: what we would do with an INVITE.
        auto w = responseTo(request, 200, "OK", newToken());
        w.header(HeaderId::allow, "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO");
        w.header(HeaderId::accept, "application/sdp");
        w.header(HeaderId::supported, "");
        w.header(HeaderId::server, options_.userAgent);
        return layer_.respond(server, 200, w.finish());
    }
    // §12.2.2 and §15: requests that only make sense inside a dialog.
    if (method == "BYE" || method == "UPDATE" || method == "INFO" || method == "PRACK" ||
        method == "NOTIFY")
        return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
    auto w = responseTo(request, 501, "Not Implemented", newToken());
    w.header(HeaderId::allow, "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO");
    w.header(HeaderId::server, options_.userAgent);
    layer_.respond(server, 501, w.finish());
}

void B2bua::refuseWhileDraining(TransactionId server, const Message& request) {
    // RFC 3261 §21.5.4: 503 with Retry-After; a proxy in front tries its next destination
    // (RFC 3263 §4.3), and stops sending here once its probes get it too.
    auto w = responseTo(request, 503, "Service Unavailable (draining)", newToken());
    w.header(HeaderId::retry_after, fmt::format("{}", options_.limits.retryAfterS));
    w.header(HeaderId::server, options_.userAgent);
    if (request.method() == "INVITE") ++stats_.failuresByStatus[503];
    layer_.respond(server, 503, w.finish());
}

void B2bua::onInitialInvite(TransactionId server, const Message& invite,
                            const InboundMessage& source) {
    // RFC 3261 §16.3 item 3 (which a B2BUA's UAS applies to what it forwards): Max-Forwards 0
    // cannot go further.
    const std::uint32_t maxForwards = invite.maxForwards().value_or(70);
    if (maxForwards == 0) return respondSimple(server, invite, 483, "Too Many Hops");
    // §8.1.1.8: an INVITE carries the URI its dialog's requests go to (our BYE would have
    // nowhere to go); "*" is REGISTER's alone (§10.2.2).
    if (invite.contacts().empty() || invite.contactIsStar())
        return respondSimple(server, invite, 400,
                             invite.contactIsStar() ? "Bad Request (Contact: '*' in an INVITE)"
                                                    : "Bad Request (Contact: missing header)");
    // §8.2.2.2 / §16.3 item 4: our own branch in a Via means the request has come back to us.
    // A call we answer ourselves (a room, the echo test) goes no further and so cannot loop:
    // that is how an escalation reaches the echo test, by calling it.
    const auto route = options_.routes.match(invite.requestUri());
    // A target that is not a SIP URI (an h323: URL) is another kind's, which a room dials.
    const bool otherKind = route && route->conference.empty() && !isSipTarget(route->target);
    const bool answeredHere = route && (!route->conference.empty() || otherKind);
    for (const auto& v : invite.vias()) {
        if (!answeredHere && v.branch.starts_with(kOwnBranch)) {
            ++stats_.rejectedLoop;
            return respondSimple(server, invite, 482, "Loop Detected");
        }
    }
    if (auto unsupported = unsupportedRequirements(invite); !unsupported.empty()) {
        auto w = responseTo(invite, 420, "Bad Extension", newToken());
        w.header(HeaderId::unsupported, unsupported);
        w.header(HeaderId::server, options_.userAgent);
        return layer_.respond(server, 420, w.finish());
    }
    const auto& limits = options_.limits;
    const auto callerSe = sessionExpires(invite);
    if (limits.sessionExpiresS > 0 && callerSe && callerSe->seconds < limits.minSessionExpiresS) {
        // RFC 4028 §8.1: too short an interval is refused with our minimum.
        auto w = responseTo(invite, 422, "Session Interval Too Small", newToken());
        w.header(HeaderId::min_se, fmt::format("{}", limits.minSessionExpiresS));
        w.header(HeaderId::server, options_.userAgent);
        return layer_.respond(server, 422, w.finish());
    }
    if (draining_) return refuseWhileDraining(server, invite);
    const std::string sourceKey = source.remoteAddress.to_string();
    if (!authenticateCaller(server, invite, sourceKey)) return;
    if (calls_.size() >= limits.maxCalls ||
        callsPerSource_[sourceKey] >= limits.maxCallsPerSource) {
        // RFC 3261 §21.5.4: 503 with Retry-After when overloaded.
        ++stats_.rejectedOverload;
        auto w = responseTo(invite, 503, "Service Unavailable (call limit)", newToken());
        w.header(HeaderId::retry_after, fmt::format("{}", limits.retryAfterS));
        w.header(HeaderId::server, options_.userAgent);
        ++stats_.failuresByStatus[503];
        return layer_.respond(server, 503, w.finish());
    }
    if (!route) {
        ++stats_.rejectedNoRoute;
        ++stats_.failuresByStatus[404];
        return respondSimple(server, invite, 404, "Not Found (no route)");
    }
    if (!route->conference.empty())
        return joinConference(server, invite, source, route->conference);
    if (otherKind) return joinConference(server, invite, source, {}, route->target);
    const std::uint64_t id = nextCall_++;
    Half outbound;
    auto located =
        startLeg(id, outbound, route->target, route->outboundProxy, route->transport,
                 [this](Call& c, auto where) { onOutboundLocated(c, std::move(where)); });
    if (!located) {
        logger().warn("call to {} not placed: {}", route->target, located.error().message);
        ++stats_.failuresByStatus[502];
        return respondSimple(server, invite, 502,
                             sanitizeReason("Bad Gateway (" + located.error().message + ")"));
    }

    auto owned = std::make_unique<Call>();
    Call& call = *owned;
    call.id = id;
    call.traceId = traceIdOf(invite);
    call.aInvite = call.aInviteKey = server;
    call.source = sourceKey;
    call.a.dialog = Dialog::asUas(invite, newToken());
    reachCaller(call.a, source, invite);

    call.b = std::move(outbound);
    Dialog& b = call.b.dialog;
    b.localUri = call.a.dialog.remoteUri; // the caller's identity goes on

    dialogs_.emplace(dialogKey(call.a.dialog.callId, call.a.dialog.localTag),
                     std::pair{call.id, Side::a});
    dialogs_.emplace(dialogKey(b.callId, b.localTag), std::pair{call.id, Side::b});
    inviteServers_.emplace(server, call.id);
    ++callsPerSource_[sourceKey];
    calls_.emplace(call.id, std::move(owned));
    ++stats_.callsTotal;

    logger().info("call {} setup: a-call-id={} b-call-id={} from={} to={} target={}", call.tag(),
                  call.a.dialog.callId, b.callId, call.a.dialog.remoteUri, invite.requestUri().text,
                  route->target);

    call.bTarget = b.remoteTarget;
    call.bRouteSet = b.routeSet;
    call.bDestination = call.b.destination;
    if (options_.callRooms) options_.callRooms->began(call.id, *route, call.traceId);
    call.asBridged().a100rel = hasOptionTag(invite, HeaderId::supported, "100rel") ||
                               hasOptionTag(invite, HeaderId::require, "100rel");
    if (*located && !sendOutboundInvite(call, invite)) {
        answerCallerWith(call, 500, "Server Internal Error");
        call.state = Call::State::ending;
        return maybeEnd(call);
    }
    startNoAnswerTimer(call);
}

bool B2bua::sendOutboundInvite(Call& call, const Message& invite, std::string authorization,
                               HeaderId authorizationHeader) {
    const auto& limits = options_.limits;
    OutgoingRequest out;
    out.copyFrom = &invite;
    out.maxForwards = invite.maxForwards().value_or(70) - 1;
    if (call.asBridged().a100rel)
        out.extra.emplace_back(canonicalName(HeaderId::supported), "100rel");
    if (hasOptionTag(invite, HeaderId::require, "100rel"))
        out.extra.emplace_back(canonicalName(HeaderId::require), "100rel");
    if (limits.sessionExpiresS > 0) {
        // RFC 4028 §7.1: we ask B for the caller's interval (or ours), never below either
        // side's minimum.
        const auto callerSe = sessionExpires(invite);
        const std::uint32_t minSe =
            std::max(limits.minSessionExpiresS, minSessionExpires(invite).value_or(0));
        call.b.session.seconds =
            std::max(callerSe ? callerSe->seconds : limits.sessionExpiresS, minSe);
        out.extra.emplace_back(canonicalName(HeaderId::supported), "timer");
        out.extra.emplace_back(canonicalName(HeaderId::session_expires),
                               fmt::format("{}", call.b.session.seconds));
        out.extra.emplace_back(canonicalName(HeaderId::min_se), fmt::format("{}", minSe));
    }
    if (!authorization.empty())
        out.extra.emplace_back(canonicalName(authorizationHeader), std::move(authorization));
    auto body = bodyFor(call, Side::a, invite);
    if (!body) {
        logger().info("call {}: the caller's offer is refused: {}", call.tag(),
                      body.error().message);
        if (call.aInvite != 0) {
            auto w = mediaRefusal(invite, body.error(), call.a.dialog.localTag);
            const int status = body.error().code == Errc::too_large ? 503 : 488;
            ++stats_.failuresByStatus[status];
            layer_.respond(call.aInvite, status, w.finish());
            call.aInvite = 0;
        }
        return false;
    }
    out.ownBody = true;
    out.body = *body;
    out.contentType = contentType(invite);
    if (isSdpType(out.contentType)) call.b.lastSdp = *body;
    call.bInvite = sendOn(call.b, "INVITE", out);
    call.bInviteCseq = call.b.dialog.localSeq;
    if (call.bInvite == 0) return false;
    clients_.emplace(call.bInvite, ClientRef{ClientRef::Kind::invite, call.id});
    return true;
}

void B2bua::startNoAnswerTimer(Call& call) {
    const std::uint64_t id = call.id;
    call.noAnswer = wheel_.schedule(
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.limits.noAnswerTimeout),
        [this, id] {
            auto found = calls_.find(id);
            if (found == calls_.end() || found->second->state != Call::State::early) return;
            Call& c = *found->second;
            answerCallerWith(c, 408, "Request Timeout (no answer)");
            c.setEnd(408, "Request Timeout (no answer)");
            c.state = Call::State::cancelling;
            layer_.cancel(c.bInvite);
            maybeEnd(c); // at once if B's INVITE has not gone yet (DNS still looking)
        });
}

void B2bua::onInDialog(TransactionId server, const Message& request, Call& call, Side side) {
    Half& from = half(call, side);
    const Side otherSide = other(side);
    Half& to = half(call, otherSide);
    const std::string_view method = request.method();

    // §12.2.2: requests must come in CSeq order.
    if (!from.dialog.acceptRemoteSeq(request.cseq().number)) {
        auto w = responseTo(request, 500, "Server Internal Error (CSeq out of order)", "");
        w.header(HeaderId::server, options_.userAgent);
        return layer_.respond(server, 500, w.finish());
    }
    if (auto unsupported = unsupportedRequirements(request); !unsupported.empty()) {
        auto w = responseTo(request, 420, "Bad Extension", "");
        w.header(HeaderId::unsupported, unsupported);
        w.header(HeaderId::server, options_.userAgent);
        return layer_.respond(server, 420, w.finish());
    }
    if (call.placed()) return onOutboundRequest(server, request, call);
    if (call.inRoom()) return onConferenceRequest(server, request, call);
    Bridged& bridged = call.asBridged();

    if (method == "BYE") {
        respondSimple(server, request, 200, "OK");
        if (call.state == Call::State::ending || call.state == Call::State::cancelling)
            return maybeEnd(call);
        logger().info("call {} bye from {}: a-call-id={} b-call-id={}", call.tag(),
                      side == Side::a ? "caller" : "callee", call.a.dialog.callId,
                      call.b.dialog.callId);
        from.answered = false; // this dialog is over; no BYE goes back to it
        if (auto& transfer = bridged.transfer;
            transfer && transfer->referrer == side && call.state == Call::State::confirmed) {
            // RFC 5589 §6: a transferor may hang up once its REFER is accepted; the transfer
            // goes on without it, and the target takes its place (or the call ends if it
            // fails).
            logger().info("call {}: the transferor hung up; its transfer goes on", call.tag());
            transfer->referrerLeft = true;
            wheel_.cancel(from.session.timer);
            if (from.session.refresh != 0) clients_.erase(from.session.refresh); // its answer
            from.session.refresh = 0;                                            // ends nothing
            return;
        }
        call.setEnd(0, side == Side::a ? "the caller hung up" : "the callee hung up");
        if (call.state == Call::State::early) {
            // An early dialog ended (§15: the caller may; a callee should not, but may as well
            // have refused): the caller's INVITE still needs its final response (§15.1.2), and
            // the callee's its CANCEL.
            wheel_.cancel(call.noAnswer);
            if (side == Side::a)
                answerCallerWith(call, 487, "Request Terminated");
            else
                answerCallerWith(call, 480, "Temporarily Unavailable (the callee left)");
            call.state = Call::State::ending;
            hangUp(call, Side::b);
            return maybeEnd(call);
        }
        call.state = Call::State::ending;
        hangUp(call, otherSide);
        return maybeEnd(call);
    }
    if (call.state == Call::State::ending || call.state == Call::State::cancelling)
        return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
    if (const auto& transfer = bridged.transfer;
        transfer && transfer->referrerLeft && transfer->referrer == otherSide) {
        // The transferor has hung up and the target is not there yet: we answer for that side
        // (its dialog would answer 481, which would end the transferee's).
        if (method == "INVITE" || method == "UPDATE")
            return respondSimple(server, request, 491, "Request Pending");
        return respondSimple(server, request, 200, "OK");
    }
    OutgoingRequest out;
    if (call.state == Call::State::early) {
        // Early dialogs carry PRACK (RFC 3262), UPDATE (RFC 3311) and INFO once B's early
        // dialog exists; anything else waits for the answer.
        const bool early = method == "PRACK" || method == "UPDATE" || method == "INFO";
        if (!early || call.b.dialog.remoteTag.empty())
            return respondSimple(server, request, 491, "Request Pending");
    }
    if (method == "PRACK") {
        // RFC 3262 §7.2: the RAck names our RSeq; B must see its own.
        const auto aRseq = rackResponseNumber(request);
        const auto match = std::find_if(bridged.reliables.begin(), bridged.reliables.end(),
                                        [&](const auto& r) { return aRseq && r.aRseq == *aRseq; });
        if (side != Side::a || match == bridged.reliables.end())
            return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
        out.extra.emplace_back(canonicalName(HeaderId::rack),
                               fmt::format("{} {} INVITE", match->bRseq, call.bInviteCseq));
    }
    if (method == "REFER" && call.state == Call::State::confirmed)
        return onRefer(server, request, call, side);
    if (method == "INFO" && infoToMedia(server, request, call, side)) return;
    const bool offer = method == "INVITE" || method == "UPDATE";
    if (offer) {
        // §14.2 (and RFC 3311 §5.2 for UPDATE): a new offer while one of ours on this dialog
        // is pending (a relayed one, or our session refresh) gets 491; while the peer's
        // previous one is unanswered, 500 with Retry-After.
        const bool ownPending = from.session.refresh != 0 || to.session.refresh != 0;
        for (const auto& r : bridged.relays) {
            if (!r.offer) continue;
            if (r.from == otherSide || ownPending)
                return respondSimple(server, request, 491, "Request Pending");
            auto w = responseTo(request, 500, "Server Internal Error (request pending)", "");
            w.header(HeaderId::retry_after, "1");
            return layer_.respond(server, 500, w.finish());
        }
        if (ownPending) return respondSimple(server, request, 491, "Request Pending");
        refreshTarget(from, request); // §12.2.2 target refresh
        addSessionHeaders(to, true, out);
    }
    auto body = bodyFor(call, side, request);
    if (!body) {
        auto refusal = mediaRefusal(request, body.error(), "");
        return layer_.respond(server, body.error().code == Errc::too_large ? 503 : 488,
                              refusal.finish());
    }
    if (offer && carriesSdp(request)) to.lastSdp = *body;
    out.copyFrom = &request;
    out.ownBody = true;
    out.body = *body;
    out.contentType = contentType(request);
    const TransactionId client = sendOn(to, method, out);
    if (client == 0) return respondSimple(server, request, 500, "Server Internal Error");
    bridged.relays.push_back({server, client, side, method == "INVITE", offer});
    clients_.emplace(client, ClientRef{ClientRef::Kind::relay, call.id});
}

void B2bua::onAck(const Message& ack, const InboundMessage&) {
    Side side;
    Call* call = findCall(ack.callId(), ack.to().tag(), &side);
    if (!call) return;
    Half& from = half(*call, side);
    if (from.ackAwaitedFrom == 0) return; // a retransmitted ACK
    layer_.ackReceived(from.ackAwaitedFrom);
    from.ackAwaitedFrom = 0;
    relayAck(*call, side, ack);
}

void B2bua::relayAck(Call& call, Side from, const Message& ack) {
    Half& to = half(call, other(from));
    if (to.ackOwed == 0) return;
    auto body = bodyFor(call, from, ack); // the answer to an offer made in a 2xx (RFC 3264 §4)
    if (!body) return reapCall(call, "the answer in the ACK cannot be anchored");
    sendAck(to, &ack, *body);
}

void B2bua::sendAck(Half& l, const Message* copyFrom, std::optional<std::string_view> body) {
    // §13.2.2.4: the ACK for a 2xx is the UAC core's, a request of its own within the dialog
    // with the INVITE's CSeq number; it carries the answer when the INVITE had no offer.
    const Destination& to = reachable(l);
    auto w = l.dialog.request("ACK", via(to), l.ackOwed);
    w.header(HeaderId::user_agent, options_.userAgent);
    if (copyFrom && !copyFrom->body().empty()) {
        if (copyFrom->isRequest()) copyEndToEnd(*copyFrom, w);
        l.lastAck = w.finish(body.value_or(copyFrom->body()), contentType(*copyFrom));
    } else {
        l.lastAck = w.finish();
    }
    l.lastAckCseq = l.ackOwed;
    l.ackOwed = 0;
    (void)layer_.sendStateless(to, l.lastAck);
}

void B2bua::onCancel(TransactionId invite, const Message& cancel) {
    auto found = inviteServers_.find(invite);
    if (found == inviteServers_.end()) return cancelRelayed(invite, cancel);
    auto call = calls_.find(found->second);
    if (call == calls_.end() || call->second->state != Call::State::early) return;
    Call& c = *call->second;
    logger().info("call {} cancelled: a-call-id={} b-call-id={}", c.tag(), c.a.dialog.callId,
                  c.b.dialog.callId);
    ++stats_.callsCancelled;
    // §9.2: the cancelled INVITE ends with 487; the B leg is cancelled in turn (§9.1: deferred
    // by the transaction layer until B has sent a provisional response).
    answerCallerWith(c, 487, "Request Terminated");
    c.setEnd(487, "cancelled by the caller");
    c.endCause = q850Reason(cancel.header(HeaderId::reason).value_or(""));
    c.state = Call::State::cancelling;
    layer_.cancel(c.bInvite);
    maybeEnd(c);
}

// §9.2 for a re-INVITE (§14.1): the one we relayed is cancelled in turn, and the far end's 487
// reaches the caller through the relay. (The dialog's To tag is ours for that side.)
void B2bua::cancelRelayed(TransactionId invite, const Message& cancel) {
    Side side;
    Call* call = findCall(cancel.callId(), cancel.to().tag(), &side);
    Bridged* bridged = call ? call->bridged() : nullptr;
    if (!bridged) return;
    for (auto& relay : bridged->relays)
        if (relay.server == invite && relay.invite && !relay.cancelled) {
            logger().info("call {}: the re-INVITE relayed from side {} is cancelled", call->tag(),
                          side == Side::a ? "a" : "b");
            relay.cancelled = true;
            layer_.cancel(relay.client);
        }
}

// ---------------------------------------------------------------------------------------------
// Responses

void B2bua::onResponse(TransactionId client, const Message& response) {
    auto ref = clients_.find(client);
    if (ref == clients_.end()) {
        // A 2xx to an INVITE after the first one: a retransmission or a fork (RFC 6026 §8.4).
        if (response.status() >= 200 && response.status() < 300 &&
            response.cseq().method == "INVITE") {
            Side side;
            if (Call* call = findCall(response.callId(), response.from().tag(), &side))
                onExtra2xx(*call, side, response);
        }
        return;
    }
    const ClientRef r = ref->second;
    if (response.status() >= 200) clients_.erase(ref);
    auto found = calls_.find(r.call);
    if (found == calls_.end()) return;
    Call& call = *found->second;
    switch (r.kind) {
    case ClientRef::Kind::invite:
        return onInviteResponse(call, response);
    case ClientRef::Kind::relay: {
        auto& relays = call.asBridged().relays;
        auto relay = std::find_if(relays.begin(), relays.end(),
                                  [&](const Relay& x) { return x.client == client; });
        if (relay == relays.end()) return;
        const Relay copy = *relay;
        if (response.status() >= 200) relays.erase(relay);
        return onRelayResponse(call, copy, response);
    }
    case ClientRef::Kind::bye:
        if (response.status() >= 200) {
            --call.byesPending;
            maybeEnd(call);
        }
        return;
    case ClientRef::Kind::transferInvite:
        return onTransferInviteResponse(call, response);
    case ClientRef::Kind::transferReinvite:
        return onTransferReinviteResponse(call, response);
    case ClientRef::Kind::sessionRefresh:
        return onSessionRefreshResponse(call, r.side, response);
    case ClientRef::Kind::reoffer:
        return onReofferResponse(call, response);
    case ClientRef::Kind::untracked:
        return;
    }
}

void B2bua::onInviteResponse(Call& call, const Message& response) {
    const int status = response.status();
    if (status == 100) return; // hop by hop; A had its own at once
    Half& b = call.b;
    if (status < 200 && b.dialog.remoteTag.empty() && !response.to().tag().empty()) {
        // §12.1.2: the first provisional response with a tag makes B's early dialog.
        followResponse(b, response);
    }
    if (status == 503) {
        call.bInvite = 0;
        if (tryNextServer(call)) return;
    }
    if (call.placed()) return onOutboundInviteResponse(call, response);
    Bridged& bridged = call.asBridged();

    if (status < 200) {
        if (call.state != Call::State::early || call.aInvite == 0) return;
        const Message* request = layer_.request(call.aInvite);
        if (!request) return;
        if (options_.callRooms && !b.dialog.remoteTag.empty())
            options_.callRooms->ringing(call.id, status);
        auto w = responseToCaller(call, *request, status, response.reason());
        if (const auto bRseq = reliableSequence(response); bRseq && !bridged.a100rel) {
            // RFC 3262 §4: A cannot acknowledge it, so we do, and A gets it unreliably.
            acknowledgeReliable(call, *bRseq, response.cseq().number);
        } else if (bRseq) {
            // A retransmission from B keeps the RSeq A saw the first time (§3).
            auto seen = std::find_if(bridged.reliables.begin(), bridged.reliables.end(),
                                     [&](const auto& r) { return r.bRseq == *bRseq; });
            if (seen == bridged.reliables.end())
                seen = bridged.reliables.insert(bridged.reliables.end(), {++bridged.aRseq, *bRseq});
            w.header(HeaderId::require, "100rel");
            w.header(HeaderId::rseq, fmt::format("{}", seen->aRseq));
        }
        copyEndToEnd(response, w);
        auto body = bodyFor(call, Side::b, response);
        if (!body) {
            // An early description we cannot anchor: the caller hears the ringing without it.
            logger().info("call {}: the callee's early answer is refused: {}", call.tag(),
                          body.error().message);
            return layer_.respond(call.aInvite, status, w.finish());
        }
        return layer_.respond(call.aInvite, status, w.finish(*body, contentType(response)));
    }

    call.bInvite = 0;
    if ((status == 401 || status == 407) && call.state == Call::State::early &&
        retryWithCredentials(call, response))
        return;
    wheel_.cancel(call.noAnswer);
    if (status >= 300) {
        if (call.state == Call::State::early) {
            logger().info("call {} failed {}: a-call-id={} b-call-id={}", call.tag(), status,
                          call.a.dialog.callId, b.dialog.callId);
            ++stats_.callsFailed;
            // A challenge we could not answer means nothing to the caller (it cannot answer
            // for our leg): refuse the call instead.
            if (status == 401 || status == 407)
                answerCallerWith(call, 403, "Forbidden (the callee wants credentials)");
            else
                answerCallerWith(call, status, response.reason(), &response);
            call.setEnd(status, response.reason());
        }
        call.state = Call::State::ending;
        return maybeEnd(call);
    }

    // The first 2xx makes B's dialog (forks that answer later are ACKed and BYEd).
    acceptAnswer(b, response);
    if (call.state != Call::State::early || call.aInvite == 0) {
        // The 200 crossed our CANCEL (§9.1) or the caller is gone: accept it and end it.
        call.state = Call::State::ending;
        hangUp(call, Side::b);
        return maybeEnd(call);
    }
    const Message* request = layer_.request(call.aInvite);
    if (!request) return;
    auto w = responseToCaller(call, *request, status, response.reason());
    copyEndToEnd(response, w);
    negotiateSessionTimers(call, *request, response, w);
    auto body = bodyFor(call, Side::b, response);
    if (!body) {
        // The callee's answer cannot be anchored: the caller is refused, the callee hung up on.
        logger().info("call {}: the callee's answer is refused: {}", call.tag(),
                      body.error().message);
        ++stats_.callsFailed;
        layer_.respond(call.aInvite, 488,
                       mediaRefusal(*request, body.error(), call.a.dialog.localTag).finish());
        call.aInvite = 0;
        call.state = Call::State::ending;
        hangUp(call, Side::b);
        return maybeEnd(call);
    }
    if (carriesSdp(response)) call.a.lastSdp = *body;
    layer_.respond(call.aInvite, status, w.finish(*body, contentType(response)));
    call.a.ackAwaitedFrom = call.aInvite;
    call.a.answered = true;
    call.a.dialog.early = false;
    call.aInvite = 0;
    call.state = Call::State::confirmed;
    restartSessionTimer(call, Side::a);
    restartSessionTimer(call, Side::b);
    ++stats_.callsAnswered;
    if (options_.callRooms) options_.callRooms->answered(call.id);
    logger().info("call {} answered: a-call-id={} b-call-id={}", call.tag(), call.a.dialog.callId,
                  b.dialog.callId);
}

void B2bua::followResponse(Half& l, const Message& response) {
    l.dialog.remoteTag = response.to().tag();
    l.dialog.adopt(response); // §12.1.2, and §13.2.2.4 for a 2xx: the route set from it
    followNextHop(l);
}

void B2bua::acceptAnswer(Half& l, const Message& answer) {
    followResponse(l, answer);
    l.answered = true;
    l.ackOwed = answer.cseq().number;
}

MessageWriter B2bua::responseToCaller(Call& call, const Message& invite, int status,
                                      std::string_view reason) {
    auto w = responseTo(invite, status, reason, call.a.dialog.localTag);
    copyRecordRoute(invite, w);
    w.header(HeaderId::contact, contact(call.a.destination));
    w.header(HeaderId::server, options_.userAgent);
    return w;
}

void B2bua::onExtra2xx(Call& call, Side side, const Message& response) {
    Half& b = half(call, side);
    if (response.to().tag() == b.dialog.remoteTag) {
        // §13.2.2.4: a retransmitted 2xx gets our ACK again (if we have sent one yet).
        if (b.lastAckCseq == response.cseq().number && !b.lastAck.empty())
            (void)layer_.sendStateless(b.destination, b.lastAck);
        return;
    }
    // §13.2.2.4: a 2xx from another fork makes a dialog we do not want: ACK it, then BYE it.
    Dialog fork = b.dialog;
    fork.remoteTag = response.to().tag();
    fork.adopt(response);
    // Its next hop if known now (an address, or a cached name), else where B's INVITE went.
    auto located = locate(fork.nextHop(), b.destination.transport, [](auto) {});
    const Destination& to = located && *located ? (*located)->front() : b.destination;
    auto ack = fork.request("ACK", via(to), response.cseq().number);
    (void)layer_.sendStateless(to, ack.finish());
    auto bye = fork.request("BYE", via(to));
    bye.header(HeaderId::user_agent, options_.userAgent);
    if (auto parsed = Message::parse(bye.finish())) {
        if (auto id = layer_.sendRequest(std::move(parsed).value(), to))
            clients_.emplace(id, ClientRef{ClientRef::Kind::untracked, call.id});
    }
}

void B2bua::onRelayResponse(Call& call, Relay relay, const Message& response) {
    const int status = response.status();
    if (status == 100) return;
    const Side targetSide = other(relay.from);
    Half& origin = half(call, relay.from);
    Half& target = half(call, targetSide);
    const std::string_view method = response.cseq().method;
    const bool offerAnswer = method == "INVITE" || method == "UPDATE";
    if (offerAnswer && status >= 200 && status < 300) refreshTarget(target, response);

    const Message* request = layer_.request(relay.server);
    if (!request) return;
    auto w = responseTo(*request, status, response.reason(), "");
    if (offerAnswer) w.header(HeaderId::contact, contact(origin.destination));
    w.header(HeaderId::server, options_.userAgent);
    copyEndToEnd(response, w);
    const bool refreshed = offerAnswer && status >= 200 && status < 300;
    auto body = bodyFor(call, targetSide, response);
    if (!body) {
        // An answer we cannot anchor ends the call: the requester is refused, both hung up on.
        layer_.respond(relay.server, 488, mediaRefusal(*request, body.error(), "").finish());
        if (relay.invite && status >= 200 && status < 300) target.ackOwed = response.cseq().number;
        return reapCall(call, "an answer cannot be anchored");
    }
    if (refreshed) {
        addSessionHeaders(origin, false, w);
        if (carriesSdp(response)) origin.lastSdp = *body;
    }
    layer_.respond(relay.server, status, w.finish(*body, contentType(response)));
    if (refreshed) { // RFC 4028 §10: a successful re-INVITE or UPDATE refreshes both legs
        restartSessionTimer(call, Side::a);
        restartSessionTimer(call, Side::b);
    }

    if (relay.invite && status >= 200 && status < 300) {
        target.ackOwed = response.cseq().number;
        origin.ackAwaitedFrom = relay.server;
    }
    // §12.2.1.2: 481 or 408 to a request within a dialog ends the dialog.
    if (status == 481 || status == 408) {
        call.state = Call::State::ending;
        hangUp(call, relay.from);
        maybeEnd(call);
    }
}

void B2bua::onClientFailure(TransactionId client, ClientFailure failure) {
    auto ref = clients_.find(client);
    if (ref == clients_.end()) return;
    const ClientRef r = ref->second;
    clients_.erase(ref);
    auto found = calls_.find(r.call);
    if (found == calls_.end()) return;
    Call& call = *found->second;
    // §8.1.3.1 and §17.1.4: a timeout counts as 408, a transport error as 503.
    const int status = failure == ClientFailure::timeout ? 408 : 503;
    const std::string_view reason = failure == ClientFailure::timeout
                                        ? "Request Timeout"
                                        : "Service Unavailable (transport error)";
    switch (r.kind) {
    case ClientRef::Kind::invite:
        call.bInvite = 0;
        if (tryNextServer(call)) return;
        wheel_.cancel(call.noAnswer);
        if (call.state == Call::State::early) {
            ++stats_.callsFailed;
            answerCallerWith(call, status, reason);
            call.setEnd(status, reason);
        }
        call.state = Call::State::ending;
        return maybeEnd(call);
    case ClientRef::Kind::relay: {
        auto& relays = call.asBridged().relays;
        auto relay = std::find_if(relays.begin(), relays.end(),
                                  [&](const Relay& x) { return x.client == client; });
        if (relay == relays.end()) return;
        const Relay copy = *relay;
        relays.erase(relay);
        if (const Message* request = layer_.request(copy.server))
            respondSimple(copy.server, *request, status, reason);
        // §12.2.1.2: the other leg is gone; so is the call.
        call.state = Call::State::ending;
        half(call, other(copy.from)).answered = false;
        hangUp(call, copy.from);
        return maybeEnd(call);
    }
    case ClientRef::Kind::bye:
        --call.byesPending;
        return maybeEnd(call);
    case ClientRef::Kind::transferInvite:
    case ClientRef::Kind::transferReinvite:
        return onTransferFailure(call, r.kind == ClientRef::Kind::transferInvite, status, reason);
    case ClientRef::Kind::sessionRefresh:
        return onSessionRefreshFailed(call, r.side);
    case ClientRef::Kind::reoffer:
        // §14.1: no answer to a re-INVITE (408) ends the dialog.
        finishReoffer(call, fail(Errc::timeout, "our re-INVITE got no answer"));
        return reapCall(call, "our re-INVITE got no answer (RFC 3261 §14.1)");
    case ClientRef::Kind::untracked:
        return;
    }
}

void B2bua::onAckTimeout(TransactionId server) {
    // §13.3.1.4: our 2xx was never acknowledged; the session is not established: BYE both.
    for (auto& [id, call] : calls_) {
        for (Side side : {Side::a, Side::b}) {
            Half& l = half(*call, side);
            if (l.ackAwaitedFrom != server) continue;
            l.ackAwaitedFrom = 0;
            logger().info("call {} ended: no ACK for our 2xx", call->tag());
            if (call->state != Call::State::ending) {
                call->state = Call::State::ending;
                hangUp(*call, Side::a);
                hangUp(*call, Side::b);
            }
            return maybeEnd(*call);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Ending calls

void B2bua::answerCallerWith(Call& call, int status, std::string_view reason, const Message* from) {
    if (call.aInvite == 0) return;
    const Message* request = layer_.request(call.aInvite);
    if (!request) return;
    auto w = responseTo(*request, status, reason, call.a.dialog.localTag);
    w.header(HeaderId::server, options_.userAgent);
    if (from) copyEndToEnd(*from, w);
    // RFC 4028 §6: a 422 carries the Min-SE the caller's retry must meet.
    if (const auto minSe = from && status == 422 ? from->header(HeaderId::min_se) : std::nullopt)
        w.header(HeaderId::min_se, *minSe);
    ++stats_.failuresByStatus[status];
    layer_.respond(call.aInvite, status, w.finish());
    call.aInvite = 0;
}

void B2bua::hangUp(Call& call, Side toward, std::string_view cause) {
    abandonTransfer(call);
    // A re-INVITE still crossing would keep the call until its final response, which a far end
    // that sent only a provisional may never send: cancelled (§9.1), it ends within 64×T1.
    if (Bridged* bridged = call.bridged())
        for (auto& relay : bridged->relays)
            if (relay.invite && !relay.cancelled) {
                relay.cancelled = true;
                layer_.cancel(relay.client);
            }
    Half& l = half(call, toward);
    if (toward == Side::b && call.bInvite != 0) {
        layer_.cancel(call.bInvite); // still ringing: CANCEL, not BYE (§15)
        return;
    }
    if (const TransactionId id = byeLeg(l, cause)) {
        clients_.emplace(id, ClientRef{ClientRef::Kind::bye, call.id});
        ++call.byesPending;
    }
}

TransactionId B2bua::byeLeg(Half& l, std::string_view cause) {
    if (!l.answered) return 0;
    l.answered = false;
    // The 2xx we are about to end still needs its ACK first (§15.1.1).
    if (l.ackOwed != 0) sendAck(l);
    OutgoingRequest out;
    if (!cause.empty())
        out.extra.emplace_back(canonicalName(HeaderId::reason), std::string(cause)); // RFC 3326
    return sendOn(l, "BYE", out);
}

void B2bua::maybeEnd(Call& call) {
    if (call.state != Call::State::ending && call.state != Call::State::cancelling) return;
    if (call.bInvite != 0 || call.aInvite != 0 || call.byesPending > 0) return;
    if (const Bridged* bridged = call.bridged()) {
        if (!bridged->relays.empty()) return;
        const auto& transfer = bridged->transfer;
        if (transfer && (transfer->invite != 0 || transfer->reinvite != 0)) return;
    }
    endCall(call.id);
}

void B2bua::endCall(std::uint64_t id) {
    auto found = calls_.find(id);
    if (found == calls_.end()) return;
    Call& call = *found->second;
    logger().info("call {} ended: a-call-id={} b-call-id={}", call.tag(), call.a.dialog.callId,
                  call.b.dialog.callId);
    wheel_.cancel(call.noAnswer);
    wheel_.cancel(call.a.session.timer);
    wheel_.cancel(call.b.session.timer);
    dialogs_.erase(dialogKey(call.a.dialog.callId, call.a.dialog.localTag));
    dialogs_.erase(dialogKey(call.b.dialog.callId, call.b.dialog.localTag));
    inviteServers_.erase(call.aInviteKey);
    if (const InRoom* in = call.inRoom(); in && !in->refused)
        options_.rooms->left(id, call.endCause);
    if (call.bridged() && options_.callRooms)
        options_.callRooms->ended(id, call.endStatus, call.endReason);
    finishReoffer(call, fail(Errc::closed, "the call ended before the far end answered our offer"));
    if (Placed* placed = call.placed()) {
        placed->observer(id, {OutboundCallEvent::Kind::ended,
                              call.endStatus,
                              call.endReason,
                              {},
                              {},
                              call.endCause});
    }
    if (auto s = callsPerSource_.find(call.source); s != callsPerSource_.end() && --s->second == 0)
        callsPerSource_.erase(s);
    calls_.erase(found);
}

// ---------------------------------------------------------------------------------------------
// Building and sending

void B2bua::acknowledgeReliable(Call& call, std::uint32_t rseq, std::uint32_t inviteCseq) {
    OutgoingRequest out;
    out.extra.emplace_back(canonicalName(HeaderId::rack),
                           fmt::format("{} {} INVITE", rseq, inviteCseq));
    if (const TransactionId id = sendOn(call.b, "PRACK", out))
        clients_.emplace(id, ClientRef{ClientRef::Kind::untracked, call.id});
}

TransactionId B2bua::sendOn(Half& l, std::string_view method, const OutgoingRequest& out) {
    const Destination& to = reachable(l);
    auto w = l.dialog.request(method, via(to), out.cseq, out.maxForwards);
    if (hasContact(method)) w.header(HeaderId::contact, contact(to));
    w.header(HeaderId::user_agent, options_.userAgent);
    for (const auto& [id, value] : out.extra)
        w.header(id, value);
    std::string bytes;
    if (out.copyFrom) {
        copyEndToEnd(*out.copyFrom, w);
        bytes = out.ownBody ? w.finish(out.body, out.contentType)
                            : w.finish(out.copyFrom->body(), contentType(*out.copyFrom));
    } else {
        bytes = w.finish(out.body, out.contentType);
    }
    auto parsed = Message::parse(std::move(bytes));
    if (!parsed) {
        logger().error("our own {} to {} does not parse: {}", method, l.dialog.remoteTarget,
                       parsed.error().message);
        return 0;
    }
    return layer_.sendRequest(std::move(parsed).value(), to);
}

void B2bua::respondSimple(TransactionId server, const Message& request, int status,
                          std::string_view reason, std::string_view toTag) {
    // §8.2.6.2: a final response to a request without a To tag gets one of ours.
    const std::string made =
        toTag.empty() && status >= 200 && request.to().tag().empty() ? newToken() : std::string();
    auto w = responseTo(request, status, reason, made.empty() ? toTag : made);
    w.header(HeaderId::server, options_.userAgent);
    layer_.respond(server, status, w.finish());
}

std::string B2bua::newToken() {
    return fmt::format("{:016x}", random_());
}

const BoundListener* B2bua::listenerFor(Transport transport, bool v6) const {
    const BoundListener* fallback = nullptr;
    for (const auto& l : options_.listeners) {
        if (l.transport != transport) continue;
        if (l.address.is_v6() == v6) return &l;
        if (!fallback) fallback = &l;
    }
    return fallback;
}

std::string B2bua::hostPort(const Destination& to) {
    const bool v6 = to.address.is_v6();
    const BoundListener* l = listenerFor(to.transport, v6);
    if (!l) return v6 ? "[::1]" : "127.0.0.1";
    if (!l->advertise.empty()) return fmt::format("{}:{}", l->advertise, l->port);
    asio::ip::address host = l->address;
    if (host.is_unspecified() && host.is_v6() == v6) {
        // §18.1.1: the peer must reach the address we advertise; a wildcard listener sends from
        // whichever address the route to the peer leaves by.
        auto found = sourceTowards_.find(to.address);
        if (found == sourceTowards_.end()) {
            if (sourceTowards_.size() >= 4096) sourceTowards_.clear();
            found = sourceTowards_.emplace(to.address, net::localAddressTowards(to.address)).first;
        }
        host = found->second;
    }
    if (host.is_unspecified())
        host = host.is_v6() ? asio::ip::address(asio::ip::address_v6::loopback())
                            : asio::ip::address(asio::ip::address_v4::loopback());
    return host.is_v6() ? fmt::format("[{}]:{}", host.to_string(), l->port)
                        : fmt::format("{}:{}", host.to_string(), l->port);
}

std::string B2bua::via(const Destination& to) {
    return fmt::format("SIP/2.0/{} {};branch={}{};rport", viaToken(to.transport), hostPort(to),
                       kOwnBranch, newToken());
}

std::string B2bua::contact(const Destination& to) {
    const auto hp = hostPort(to);
    if (to.transport == Transport::udp) return fmt::format("<sip:sb@{}>", hp);
    return fmt::format("<sip:sb@{};transport={}>", hp, transportName(to.transport));
}

B2bua::Call* B2bua::findCall(std::string_view callId, std::string_view localTag, Side* side) {
    auto found = dialogs_.find(dialogKey(callId, localTag));
    if (found == dialogs_.end()) return nullptr;
    auto call = calls_.find(found->second.first);
    if (call == calls_.end()) return nullptr;
    *side = found->second.second;
    return call->second.get();
}

} // namespace sb::sip
