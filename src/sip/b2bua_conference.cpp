// Calls to a conference room (a route with `conference`): the B2BUA answers them itself, as the
// caller's UAS, and hands their media to the rooms (B2buaOptions::rooms). No outbound leg.

#include "core/log.hpp"
#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/dtmf_info.hpp"
#include "sip/header_policy.hpp"
#include "sip/media_control.hpp"
#include "sip/reason.hpp"

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

bool hasOffer(const Message& m) {
    return carriesSdp(m) && !m.body().empty();
}

} // namespace

void B2bua::joinConference(TransactionId server, const Message& invite,
                           const InboundMessage& source, const std::string& room,
                           const std::string& target) {
    if (!options_.rooms) {
        ++stats_.rejectedNoRoute;
        ++stats_.failuresByStatus[404];
        return respondSimple(server, invite, 404, "Not Found (no conference service)");
    }
    const std::string toTag = newToken();
    auto refuse = [&](const Error& error) {
        const int status = error.code == Errc::too_large ? 503 : 488;
        ++stats_.failuresByStatus[status];
        layer_.respond(server, status, mediaRefusal(invite, error, toTag).finish());
    };
    // A room has no one to ask for an offer, so the caller makes it (RFC 3264 §4: an INVITE
    // without one would have us offer in the 200 and take the answer from the ACK).
    if (!hasOffer(invite))
        return refuse({Errc::invalid_input, "a conference room needs an SDP offer in the INVITE"});
    // The call is kept from now on, so that a CANCEL finds it while the room prepares its
    // answer (on a media worker).
    auto owned = std::make_unique<Call>();
    Call& call = *owned;
    call.id = nextCall_++;
    call.traceId = traceIdOf(invite);
    call.shape = InRoom{room, target};
    call.source = source.remoteAddress.to_string();
    call.a.dialog = Dialog::asUas(invite, toTag);
    reachCaller(call.a, source, invite);
    call.aInvite = call.aInviteKey = server;
    inviteServers_.emplace(server, call.id);
    dialogs_.emplace(dialogKey(call.a.dialog.callId, toTag), std::pair{call.id, Side::a});
    ++callsPerSource_[call.source];
    ++stats_.callsTotal;
    const std::uint64_t id = call.id;
    calls_.emplace(id, std::move(owned));
    if (!target.empty()) {
        logger().info("call {} to {} goes on through a room: a-call-id={}", call.tag(), target,
                      call.a.dialog.callId);
        return options_.rooms->bridgeTo(id, target, invite.body(), traceIdOf(invite));
    }
    options_.rooms->join(id, room, invite.body(), traceIdOf(invite),
                         [this, id, server](Result<std::string> answer) {
                             onConferenceAnswer(id, server, std::move(answer));
                         });
}

void B2bua::onConferenceAnswer(std::uint64_t id, TransactionId server, Result<std::string> answer) {
    auto found = calls_.find(id);
    if (found == calls_.end() || found->second->aInvite != server) return; // cancelled meanwhile
    Call& call = *found->second;
    if (!answer) {
        logger().info("call {} to {} refused: {}", call.tag(), call.inRoom()->where(),
                      answer.error().message);
        if (const Message* invite = layer_.request(server)) {
            const int status = answer.error().code == Errc::too_large ? 503 : 488;
            ++stats_.failuresByStatus[status];
            layer_.respond(server, status,
                           mediaRefusal(*invite, answer.error(), call.a.dialog.localTag).finish());
        }
        call.aInvite = 0;
        call.inRoom()->refused = true; // it never joined: nothing for the rooms to let go
        call.state = Call::State::ending;
        return maybeEnd(call);
    }
    const Message* invite = layer_.request(server);
    if (!invite) return; // the transaction is gone; CANCEL or the caller's hang-up ends the call
    call.a.lastSdp = std::move(answer).value();
    ++stats_.callsAnswered;
    auto w = responseToCaller(call, *invite, 200, "OK");
    call.aInvite = 0;
    layer_.respond(server, 200, w.finish(call.a.lastSdp, "application/sdp"));
    call.a.ackAwaitedFrom = server;
    call.a.answered = true;
    call.a.dialog.early = false;
    call.state = Call::State::confirmed;
    logger().info("call {} joined {}: a-call-id={} from={}", call.tag(), call.inRoom()->where(),
                  call.a.dialog.callId, call.a.dialog.remoteUri);
}

B2bua::Call* B2bua::waitingBridge(std::uint64_t id) {
    auto found = calls_.find(id);
    if (found == calls_.end()) return nullptr;
    Call& call = *found->second;
    const InRoom* in = call.inRoom();
    if (!in || in->target.empty() || call.aInvite == 0 || call.state == Call::State::ending)
        return nullptr;
    return &call;
}

room::Caller B2bua::callerOf(std::uint64_t id) {
    Call* call = waitingBridge(id);
    const Message* invite = call ? layer_.request(call->aInvite) : nullptr;
    if (!invite) return {};
    return {std::string(invite->from().uri.user), std::string(invite->from().display)};
}

Result<void> B2bua::ringing(std::uint64_t id, std::string_view earlyAnswer) {
    Call* call = waitingBridge(id);
    const Message* invite = call ? layer_.request(call->aInvite) : nullptr;
    if (!invite) return fail(Errc::not_found, "no such call waits");
    if (earlyAnswer.empty()) {
        layer_.respond(call->aInvite, 180,
                       responseToCaller(*call, *invite, 180, "Ringing").finish());
        return {};
    }
    auto w = responseToCaller(*call, *invite, 183, "Session Progress");
    layer_.respond(call->aInvite, 183, w.finish(earlyAnswer, "application/sdp"));
    return {};
}

Result<void> B2bua::answer(std::uint64_t id, std::string answer) {
    Call* call = waitingBridge(id);
    if (!call) return fail(Errc::not_found, "no such call waits");
    onConferenceAnswer(id, call->aInvite, std::move(answer));
    return {};
}

Result<void> B2bua::refuse(std::uint64_t id, int status, std::string_view reason,
                           std::string_view cause) {
    Call* call = waitingBridge(id);
    const Message* invite = call ? layer_.request(call->aInvite) : nullptr;
    if (!invite) return fail(Errc::not_found, "no such call waits");
    auto w = responseTo(*invite, status, sanitizeReason(reason), call->a.dialog.localTag);
    w.header(HeaderId::server, options_.userAgent);
    if (!cause.empty()) w.header(HeaderId::reason, cause); // RFC 3326 §2
    ++stats_.failuresByStatus[status];
    layer_.respond(call->aInvite, status, w.finish());
    logger().info("call {} to {} refused: {} {}", call->tag(), call->inRoom()->target, status,
                  reason);
    call->aInvite = 0;
    call->state = Call::State::ending;
    maybeEnd(*call);
    return {};
}

void B2bua::onConferenceRequest(TransactionId server, const Message& request, Call& call) {
    const std::string_view method = request.method();
    if (method == "BYE") {
        respondSimple(server, request, 200, "OK");
        call.endCause = q850Reason(request.header(HeaderId::reason).value_or(""));
        logger().info("call {} left {}: a-call-id={}", call.tag(), call.inRoom()->where(),
                      call.a.dialog.callId);
        call.a.answered = false;
        // The caller ended its early dialog (§15): its INVITE still needs a final response.
        answerCallerWith(call, 487, "Request Terminated");
        call.state = Call::State::ending;
        return maybeEnd(call);
    }
    if (call.state == Call::State::ending)
        return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
    if (method == "INVITE" || method == "UPDATE") {
        // A new offer changes the call's media (hold, a new address, another codec); without
        // one, our description stands (RFC 3264 §8: offered again, unchanged).
        if (!hasOffer(request)) return acceptSessionRequest(server, request, call.a);
        return answerOffer(server, request, call, Side::a,
                           [this, id = call.id, room = call.inRoom()->room,
                            trace = call.traceId](std::string_view offer, OfferAnswered reply) {
                               options_.rooms->join(id, room, offer, trace, std::move(reply));
                           });
    }
    if (method == "INFO") {
        if (const auto dtmf = parseDtmfInfo(contentType(request), request.body()))
            options_.rooms->digit(call.id, dtmf->digit, dtmf->duration);
        else if (isPictureFastUpdate(contentType(request), request.body()))
            options_.rooms->pictureUpdate(call.id);
    }
    if (method == "INFO" || method == "OPTIONS") return respondSimple(server, request, 200, "OK");
    auto w = responseTo(request, 405, "Method Not Allowed", "");
    w.header(HeaderId::allow, "INVITE, ACK, BYE, OPTIONS, UPDATE, INFO");
    w.header(HeaderId::server, options_.userAgent);
    layer_.respond(server, 405, w.finish());
}

} // namespace sb::sip
