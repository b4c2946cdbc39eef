// Calls the B2BUA places itself (placeCall): one leg, where we are the UAC, whose events go to
// an observer instead of to an inbound leg.

#include "core/log.hpp"
#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/destination.hpp"
#include "sip/dtmf_info.hpp"
#include "sip/header_policy.hpp"
#include "sip/media_control.hpp"
#include "sip/reason.hpp"
#include "sip/syntax.hpp"

#include <fmt/format.h>

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

} // namespace

Result<std::uint64_t> B2bua::placeCall(OutboundCallSpec spec, OutboundCallObserver observer) {
    if (calls_.size() >= options_.limits.maxCalls)
        return fail(Errc::too_large, fmt::format("placing a call to {}: the call limit ({}) is "
                                                 "reached",
                                                 spec.target, options_.limits.maxCalls));
    auto owned = std::make_unique<Call>();
    Call& call = *owned;
    const std::uint64_t id = nextCall_++;
    auto located =
        startLeg(id, call.b, spec.target, spec.outboundProxy, spec.transport,
                 [this](Call& c, auto where) { onOutboundLocated(c, std::move(where)); });
    if (!located) return fail(located.error());
    call.id = id;
    for (const auto& [name, value] : spec.headers)
        if (syntax::iequals(name, kTraceHeader) && isTraceId(value)) call.traceId = value;
    Dialog& b = call.b.dialog;
    b.localUri = spec.from.find('<') == std::string::npos ? "<" + spec.from + ">" : spec.from;
    call.b.lastSdp = spec.contentType == "application/sdp" ? spec.body : std::string();
    call.bTarget = b.remoteTarget;
    call.bRouteSet = b.routeSet;
    call.bDestination = call.b.destination;
    call.shape = Placed{std::move(spec), std::move(observer)};
    if (*located && !sendPlacedInvite(call))
        return fail(Errc::invalid_input,
                    fmt::format("placing a call to {}: the INVITE could not be built (check the "
                                "headers and From)",
                                call.asPlaced().spec.target));
    dialogs_.emplace(dialogKey(b.callId, b.localTag), std::pair{call.id, Side::b});
    startNoAnswerTimer(call);
    ++stats_.callsTotal;
    logger().info("call {} placed: b-call-id={} target={}", call.tag(), b.callId,
                  call.asPlaced().spec.target);
    calls_.emplace(id, std::move(owned));
    return id;
}

bool B2bua::sendPlacedInvite(Call& call, std::string authorization, HeaderId authorizationHeader) {
    const OutboundCallSpec& spec = call.asPlaced().spec;
    OutgoingRequest out;
    out.body = spec.body;
    out.contentType = spec.contentType;
    for (const auto& [name, value] : spec.headers)
        out.extra.emplace_back(name, value);
    if (!authorization.empty())
        out.extra.emplace_back(canonicalName(authorizationHeader), std::move(authorization));
    call.bInvite = sendOn(call.b, "INVITE", out);
    if (call.bInvite == 0) return false;
    call.bInviteCseq = call.b.dialog.localSeq;
    clients_.emplace(call.bInvite, ClientRef{ClientRef::Kind::invite, call.id});
    return true;
}

void B2bua::hangUp(std::uint64_t id, std::string_view cause) {
    auto found = calls_.find(id);
    if (found == calls_.end()) return;
    Call& call = *found->second;
    if (call.state == Call::State::ending || call.state == Call::State::cancelling) return;
    if (const InRoom* in = call.inRoom()) { // a call we answered into a room: BYE to its caller
        logger().info("call {} hung up by its room ({}): a-call-id={}", call.tag(), in->where(),
                      call.a.dialog.callId);
        call.state = Call::State::ending;
        if (call.aInvite != 0) // not answered yet (its media is still being prepared)
            answerCallerWith(call, 480, "Temporarily Unavailable");
        else
            hangUp(call, Side::a, cause);
        return maybeEnd(call);
    }
    if (call.bridged()) { // its room ends it: both halves
        logger().info("call {} hung up by its room: a-call-id={} b-call-id={}", call.tag(),
                      call.a.dialog.callId, call.b.dialog.callId);
        call.setEnd(0, "hung up by its room");
        if (call.state == Call::State::early) {
            answerCallerWith(call, 480, "Temporarily Unavailable");
            call.state = Call::State::cancelling;
            layer_.cancel(call.bInvite);
        } else {
            call.state = Call::State::ending;
            hangUp(call, Side::a);
            hangUp(call, Side::b);
        }
        return maybeEnd(call);
    }
    call.setEnd(0, "hung up locally");
    call.state = call.state == Call::State::early ? Call::State::cancelling : Call::State::ending;
    hangUp(call, Side::b, cause); // CANCEL while ringing, BYE once answered
    maybeEnd(call);
}

void B2bua::onOutboundInviteResponse(Call& call, const Message& response) {
    const int status = response.status();
    const std::uint64_t id = call.id;
    if (status < 200) {
        if (call.state == Call::State::early)
            call.asPlaced().observer(
                id, {OutboundCallEvent::Kind::ringing, status, std::string(response.reason()),
                     std::string(response.body()), std::string(contentType(response))});
        return;
    }
    call.bInvite = 0;
    // §22.2: a far end's challenge is answered once, with the credentials for its realm.
    if ((status == 401 || status == 407) && call.state == Call::State::early &&
        retryWithCredentials(call, response))
        return;
    wheel_.cancel(call.noAnswer);
    Half& b = call.b;
    if (status >= 300) {
        ++stats_.callsFailed;
        ++stats_.failuresByStatus[status];
        call.setEnd(status, response.reason());
        call.state = Call::State::ending;
        return maybeEnd(call);
    }
    acceptAnswer(b, response);
    if (call.state != Call::State::early) { // hung up while the 200 was on its way (§9.1)
        call.state = Call::State::ending;
        hangUp(call, Side::b);
        return maybeEnd(call);
    }
    sendAck(b); // the offer was in the INVITE; the ACK carries nothing
    call.state = Call::State::confirmed;
    ++stats_.callsAnswered;
    logger().info("call {} answered: b-call-id={}", call.tag(), b.dialog.callId);
    call.asPlaced().observer(id, {OutboundCallEvent::Kind::answered, status,
                                  std::string(response.reason()), std::string(response.body()),
                                  std::string(contentType(response))});
}

void B2bua::onOutboundRequest(TransactionId server, const Message& request, Call& call) {
    const std::string_view method = request.method();
    if (method == "BYE") {
        respondSimple(server, request, 200, "OK");
        call.setEnd(200, "the far end hung up");
        call.endCause = q850Reason(request.header(HeaderId::reason).value_or(""));
        call.b.answered = false;
        call.state = Call::State::ending;
        return maybeEnd(call);
    }
    if (call.state != Call::State::confirmed)
        return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
    if (method == "INVITE" || method == "UPDATE") {
        // RFC 3264 §8: a new offer (hold, resume, another codec) is answered by the media layer
        // (RFC 3311 §5.2: an UPDATE's answer in its 200 too); a refresh without one is answered
        // with the session as it stands (the same description, for a re-INVITE).
        if (request.body().empty()) return acceptSessionRequest(server, request, call.b);
        if (!call.asPlaced().spec.answerOffer)
            return respondSimple(server, request, 488, "Not Acceptable Here");
        return answerOffer(server, request, call, Side::b, call.asPlaced().spec.answerOffer);
    }
    if (method == "INFO" && call.asPlaced().spec.digit)
        if (const auto dtmf = parseDtmfInfo(contentType(request), request.body()))
            call.asPlaced().spec.digit(dtmf->digit, dtmf->duration);
    if (method == "INFO" && call.asPlaced().spec.pictureUpdate &&
        isPictureFastUpdate(contentType(request), request.body()))
        call.asPlaced().spec.pictureUpdate();
    respondSimple(server, request, 200, "OK"); // INFO and the like: nothing more to do
}

} // namespace sb::sip

namespace sb::sip {

Result<void> B2bua::reoffer(std::uint64_t id, std::string offer, ReofferDone done) {
    auto found = calls_.find(id);
    if (found == calls_.end() || found->second->bridged())
        return fail(Errc::not_found, fmt::format("no placed call or call in a room {}", id));
    Call& call = *found->second;
    // A placed call's far end is its B half; a call in a room is its caller's, half A.
    const Side side = call.placed() ? Side::b : Side::a;
    if (call.state != Call::State::confirmed || !half(call, side).answered)
        return fail(Errc::incomplete, "the call is not answered (or is ending)");
    if (call.reoffer || half(call, side).session.refresh != 0 ||
        half(call, side).offerAwaitingAnswer != 0)
        return fail(Errc::incomplete, "an offer is already crossing the call");
    call.reoffer = Call::Reoffer{side, std::move(offer), std::move(done), 0, {}};
    sendReoffer(call);
    return {};
}

Result<void> B2bua::sendText(std::uint64_t id, std::string_view text) {
    auto found = calls_.find(id);
    if (found == calls_.end() || !found->second->placed())
        return fail(Errc::not_found, fmt::format("no placed call {}", id));
    Call& call = *found->second;
    if (call.state != Call::State::confirmed || !call.b.answered)
        return fail(Errc::incomplete, "the call is not answered (or is ending)");
    // RFC 3428 §5: a MESSAGE over 1,300 bytes may not go where congestion is not controlled.
    if (text.size() > 1300)
        return fail(Errc::too_large,
                    fmt::format("a MESSAGE of {} bytes is over RFC 3428's 1,300", text.size()));
    OutgoingRequest out;
    out.body = text;
    out.contentType = "text/plain;charset=UTF-8";
    const TransactionId client = sendOn(call.b, "MESSAGE", out);
    if (client == 0) return fail(Errc::invalid_input, "the MESSAGE could not be built");
    clients_.emplace(client, ClientRef{ClientRef::Kind::untracked, call.id});
    logger().info("call {} MESSAGE of {} bytes", call.tag(), text.size());
    return {};
}

void B2bua::sendReoffer(Call& call) {
    Half& to = half(call, call.reoffer->side);
    OutgoingRequest out;
    addSessionHeaders(to, true, out);
    out.body = call.reoffer->offer;
    out.contentType = "application/sdp";
    const TransactionId client = sendOn(to, "INVITE", out);
    if (client == 0) {
        finishReoffer(call, fail(Errc::invalid_input, "our re-INVITE could not be built"));
        return;
    }
    call.reoffer->client = client;
    clients_.emplace(client, ClientRef{ClientRef::Kind::reoffer, call.id, call.reoffer->side});
    logger().info("call {} re-INVITE with our new offer", call.tag());
}

void B2bua::onReofferResponse(Call& call, const Message& response) {
    const int status = response.status();
    if (status < 200 || !call.reoffer) return;
    call.reoffer->client = 0;
    const Side side = call.reoffer->side;
    Half& to = half(call, side);
    if (status < 300) {
        to.ackOwed = response.cseq().number;
        sendAck(to);
        refreshTarget(to, response);
        to.lastSdp = call.reoffer->offer; // what a session refresh repeats from now on
        if (const auto se = sessionExpires(response)) to.session.seconds = se->seconds;
        restartSessionTimer(call, side);
        if (!carriesSdp(response))
            return finishReoffer(call, fail(Errc::invalid_input, "the 2xx has no SDP answer"));
        return finishReoffer(call, std::string(response.body()));
    }
    if (status == 491) {
        // §14.1: the far end's offer crossed ours. Whoever chose the Call-ID waits 2.1–4 s,
        // the other 0–2 s: we chose a placed call's, its caller a call in a room's.
        const auto delay = std::chrono::milliseconds(side == Side::b ? 2100 + 10 * (random_() % 191)
                                                                     : 10 * (random_() % 201));
        const std::uint64_t id = call.id;
        call.reoffer->retry = wheel_.schedule(delay, [this, id] {
            auto found = calls_.find(id);
            if (found != calls_.end() && found->second->reoffer) sendReoffer(*found->second);
        });
        return;
    }
    const std::string why = fmt::format("{} {}", status, response.reason());
    finishReoffer(call, fail(Errc::unsupported, "the far end refused our offer: " + why));
    // §14.1: 481 and 408 end the dialog; any other refusal leaves the session as it was.
    if (status == 481 || status == 408) reapCall(call, "our re-INVITE found no dialog: " + why);
}

void B2bua::finishReoffer(Call& call, Result<std::string> outcome) {
    if (!call.reoffer) return;
    wheel_.cancel(call.reoffer->retry);
    auto done = std::move(call.reoffer->done);
    call.reoffer.reset();
    if (done) done(std::move(outcome));
}

} // namespace sb::sip
