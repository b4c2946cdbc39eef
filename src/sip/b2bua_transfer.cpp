// REFER across the B2BUA (RFC 3515), handled here rather than relayed: the B2BUA places the new
// leg itself (the "3pcc" of RFC 3725 flow I), so that the transferee, who stays, never needs to
// know. A blind transfer of the call X–Y by X to a target C runs:
//   1. REFER from X → 202 Accepted, NOTIFY "100 Trying" to X (RFC 3515 §2.4.4, §2.4.5);
//   2. an INVITE without an offer to C, which answers 200 with its offer;
//   3. a re-INVITE to Y with C's offer, Y answers 200 with its answer, and we ACK Y;
//   4. the ACK to C carries Y's answer; NOTIFY "200 OK" (final) and BYE to X; C takes X's place.
// A failure at any step NOTIFYs X with the status and leaves X–Y as it was.

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

void B2bua::onRefer(TransactionId server, const Message& refer, Call& call, Side referrer) {
    if (call.asBridged().transfer) return respondSimple(server, refer, 491, "Request Pending");
    const auto referTo = refer.header(HeaderId::refer_to);
    if (!referTo) return respondSimple(server, refer, 400, "Bad Request (Refer-To: missing)");
    auto target = parseNameAddr(*referTo, "Refer-To");
    if (!target || !target->uri.isSip())
        return respondSimple(server, refer, 400, "Bad Request (Refer-To: not a SIP URI)");
    if (!target->uri.headers.empty()) {
        // Attended transfer (Replaces, RFC 3891) would name a dialog on another call.
        return respondSimple(server, refer, 501, "Not Implemented (Refer-To with URI headers)");
    }
    // A transfer target is routed like a call: the routes say where we place calls, so that a
    // REFER cannot make us call anywhere else (toll fraud).
    const auto route = options_.routes.match(target->uri);
    if (!route) return respondSimple(server, refer, 403, "Forbidden (no route for Refer-To)");
    Half c;
    auto located =
        startLeg(call.id, c, route->target, route->outboundProxy, route->transport,
                 [this](Call& later, auto where) { onTransferLocated(later, std::move(where)); });
    if (!located)
        return respondSimple(server, refer, 502,
                             sanitizeReason("Bad Gateway (" + located.error().message + ")"));
    c.dialog.localUri = half(call, other(referrer)).dialog.remoteUri; // the transferee calls

    respondSimple(server, refer, 202, "Accepted");
    auto& transfer = call.asBridged().transfer.emplace();
    transfer.referrer = referrer;
    transfer.target = std::move(c);
    transfer.locating = !*located;
    if (auto referredBy = refer.header(HeaderId::referred_by)) // RFC 3892
        transfer.referredBy = *referredBy;
    logger().info("call {} transfer by {} to {}: a-call-id={} b-call-id={} c-call-id={}",
                  call.tag(), referrer == Side::a ? "caller" : "callee", route->target,
                  call.a.dialog.callId, call.b.dialog.callId, transfer.target.dialog.callId);

    notifyReferrer(call, 100, "Trying", false);
    if (*located) sendTransferInvite(call);
}

void B2bua::onTransferLocated(Call& call, Result<ServerLocator::Destinations> where) {
    // The transfer may have failed or been abandoned while DNS looked (one at a time: a REFER
    // meanwhile got 491, so a transfer still locating is this one).
    auto& transfer = call.asBridged().transfer;
    if (!transfer || !transfer->locating) return;
    transfer->locating = false;
    if (!where) {
        const bool timeout = where.error().code == Errc::timeout;
        return onTransferFailure(call, true, timeout ? 504 : 502,
                                 timeout ? "Server Time-out" : "Bad Gateway");
    }
    useDestinations(transfer->target, std::move(where).value());
    sendTransferInvite(call);
}

void B2bua::sendTransferInvite(Call& call) {
    auto& transfer = *call.asBridged().transfer;
    OutgoingRequest out;
    if (!transfer.referredBy.empty())
        out.extra.emplace_back(canonicalName(HeaderId::referred_by), transfer.referredBy);
    transfer.invite =
        sendOn(transfer.target, "INVITE", out); // no offer: C makes one (RFC 3725 flow I)
    if (transfer.invite == 0) return onTransferFailure(call, true, 500, "Server Internal Error");
    clients_.emplace(transfer.invite, ClientRef{ClientRef::Kind::transferInvite, call.id});
}

void B2bua::onTransferInviteResponse(Call& call, const Message& response) {
    auto& pending = call.asBridged().transfer;
    if (!pending) return;
    auto& transfer = *pending;
    Half& c = transfer.target;
    const int status = response.status();
    if (status < 200) {
        if (c.dialog.remoteTag.empty() && !response.to().tag().empty()) followResponse(c, response);
        return;
    }
    transfer.invite = 0;
    if (status >= 300) return onTransferFailure(call, true, status, response.reason());

    acceptAnswer(c, response);
    if (call.state != Call::State::confirmed) { // the call ended while C rang
        byeLeg(c);
        pending.reset();
        return maybeEnd(call);
    }
    // Step 3: C's offer goes to the transferee in a re-INVITE (C speaks for the referrer's
    // side from now on).
    auto body = bodyFor(call, transfer.referrer, response);
    if (!body) return onTransferFailure(call, false, 488, "Not Acceptable Here");
    OutgoingRequest out;
    out.body = *body;
    out.contentType = contentType(response);
    transfer.reinvite = sendOn(half(call, other(transfer.referrer)), "INVITE", out);
    if (transfer.reinvite == 0) return onTransferFailure(call, false, 500, "Server Internal Error");
    clients_.emplace(transfer.reinvite, ClientRef{ClientRef::Kind::transferReinvite, call.id});
}

void B2bua::onTransferReinviteResponse(Call& call, const Message& response) {
    const int status = response.status();
    auto& pending = call.asBridged().transfer;
    if (!pending || status < 200) return;
    auto& transfer = *pending;
    transfer.reinvite = 0;
    if (status >= 300) return onTransferFailure(call, false, status, response.reason());
    if (call.state != Call::State::confirmed) {
        byeLeg(transfer.target);
        pending.reset();
        return maybeEnd(call);
    }

    // Step 4: the transferee's answer reaches C in our ACK; C takes the referrer's place.
    Half& y = half(call, other(transfer.referrer));
    refreshTarget(y, response);
    y.ackOwed = response.cseq().number;
    sendAck(y);
    auto body = bodyFor(call, other(transfer.referrer), response);
    if (!body) {
        sendAck(transfer.target);
        return onTransferFailure(call, false, 488, "Not Acceptable Here");
    }
    sendAck(transfer.target, &response, *body);

    notifyReferrer(call, 200, "OK", true);
    Half& x = half(call, transfer.referrer);
    if (const TransactionId bye = byeLeg(x))
        clients_.emplace(bye, ClientRef{ClientRef::Kind::untracked, call.id});
    dialogs_.erase(dialogKey(x.dialog.callId, x.dialog.localTag));
    wheel_.cancel(x.session.timer);
    x = std::move(transfer.target);
    dialogs_.emplace(dialogKey(x.dialog.callId, x.dialog.localTag),
                     std::pair{call.id, transfer.referrer});
    logger().info("call {} transferred: a-call-id={} b-call-id={}", call.tag(),
                  call.a.dialog.callId, call.b.dialog.callId);
    pending.reset();
}

void B2bua::onTransferFailure(Call& call, bool targetInvite, int status, std::string_view reason) {
    auto& transfer = call.asBridged().transfer;
    if (!transfer) return;
    (targetInvite ? transfer->invite : transfer->reinvite) = 0;
    logger().info("call {} transfer failed: {} {}", call.tag(), status, reason);
    // C may have answered (a failed re-INVITE to the transferee): it must not stay up.
    if (const TransactionId bye = byeLeg(transfer->target))
        clients_.emplace(bye, ClientRef{ClientRef::Kind::untracked, call.id});
    const Side referrer = transfer->referrer;
    const bool referrerLeft = transfer->referrerLeft;
    if (call.state == Call::State::confirmed) notifyReferrer(call, status, reason, true);
    transfer.reset();
    if (referrerLeft && call.state == Call::State::confirmed) {
        // Nobody is left for the transferee to speak to.
        call.setEnd(status, "the transfer failed after the transferor hung up");
        call.state = Call::State::ending;
        hangUp(call, other(referrer));
    }
    maybeEnd(call);
}

void B2bua::notifyReferrer(Call& call, int status, std::string_view reason, bool final) {
    // RFC 3515 §2.4.5: the NOTIFY body is a message/sipfrag of the status line; the implicit
    // subscription ends with the final one (RFC 6665 §4.1.3 "noresource").
    const auto& transfer = *call.asBridged().transfer;
    if (transfer.referrerLeft) return; // its dialog, and with it the subscription, is over
    OutgoingRequest out;
    out.extra.emplace_back(canonicalName(HeaderId::event), "refer");
    out.extra.emplace_back("Subscription-State",
                           final ? "terminated;reason=noresource" : "active;expires=60");
    const std::string body = fmt::format("SIP/2.0 {} {}\r\n", status, sanitizeReason(reason));
    out.body = body;
    out.contentType = "message/sipfrag;version=2.0";
    if (const TransactionId id = sendOn(half(call, transfer.referrer), "NOTIFY", out))
        clients_.emplace(id, ClientRef{ClientRef::Kind::untracked, call.id});
}

void B2bua::abandonTransfer(Call& call) {
    Bridged* bridged = call.bridged(); // any call may be hung up; only a bridged one transfers
    if (!bridged || !bridged->transfer) return;
    auto& transfer = *bridged->transfer;
    if (transfer.invite != 0) {
        layer_.cancel(transfer.invite); // its final response ends the transfer
        return;
    }
    if (transfer.reinvite != 0) return; // its final response ends the transfer
    if (const TransactionId bye = byeLeg(transfer.target))
        clients_.emplace(bye, ClientRef{ClientRef::Kind::untracked, call.id});
    bridged->transfer.reset();
}

} // namespace sb::sip
