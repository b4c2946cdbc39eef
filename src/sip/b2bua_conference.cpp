// Calls to a conference room (a route with `conference`): the B2BUA answers them itself, as the
// caller's UAS, and hands their media to the rooms (B2buaOptions::rooms). No outbound leg.

#include "core/log.hpp"
#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/header_policy.hpp"

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

bool hasOffer(const Message& m) {
    return contentType(m) == "application/sdp" && !m.body().empty();
}

} // namespace

void B2bua::joinConference(TransactionId server, const Message& invite,
                           const InboundMessage& source, const std::string& room) {
    if (!options_.rooms) {
        ++stats_.rejectedNoRoute;
        ++stats_.failuresByStatus[404];
        return respondSimple(server, invite, 404, "Not Found (no conference service)", newToken());
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
    const std::uint64_t id = nextCall_++;
    const auto trace = traceIdOf(invite);
    auto answer = options_.rooms->join(id, room, invite.body(), trace);
    if (!answer) {
        logger().info("call {} to room {} refused: {}", callTag(id, trace), room,
                      answer.error().message);
        return refuse(answer.error());
    }

    auto owned = std::make_unique<Call>();
    Call& call = *owned;
    call.id = id;
    call.traceId = trace;
    call.room = room;
    call.source = source.remoteAddress.to_string();
    call.a.dialog = Dialog::asUas(invite, toTag);
    call.a.destination = {source.transport, source.remoteAddress, source.remotePort, {}};
    call.a.lastSdp = std::move(answer).value();
    dialogs_.emplace(dialogKey(call.a.dialog.callId, toTag), std::pair{id, Side::a});
    ++callsPerSource_[call.source];
    ++stats_.callsTotal;
    ++stats_.callsAnswered;

    auto w = responseToCaller(call, invite, 200, "OK");
    layer_.respond(server, 200, w.finish(call.a.lastSdp, "application/sdp"));
    call.a.ackAwaitedFrom = server;
    call.a.answered = true;
    call.a.dialog.early = false;
    call.state = Call::State::confirmed;
    logger().info("call {} joined room {}: a-call-id={} from={}", call.tag(), room,
                  call.a.dialog.callId, call.a.dialog.remoteUri);
    calls_.emplace(id, std::move(owned));
}

void B2bua::onConferenceRequest(TransactionId server, const Message& request, Call& call) {
    const std::string_view method = request.method();
    if (method == "BYE") {
        respondSimple(server, request, 200, "OK");
        logger().info("call {} left room {}: a-call-id={}", call.tag(), call.room,
                      call.a.dialog.callId);
        call.a.answered = false;
        call.state = Call::State::ending;
        return maybeEnd(call);
    }
    if (call.state == Call::State::ending)
        return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
    if (method == "INVITE" || method == "UPDATE") {
        // A new offer changes the call's media (hold, a new address, another codec); without
        // one, our description stands (RFC 3264 §8: offered again, unchanged).
        if (hasOffer(request)) {
            auto answer = options_.rooms->join(call.id, call.room, request.body(), call.traceId);
            if (!answer) {
                const int status = answer.error().code == Errc::too_large ? 503 : 488;
                return layer_.respond(server, status,
                                      mediaRefusal(request, answer.error(), "").finish());
            }
            call.a.lastSdp = std::move(answer).value();
        }
        call.a.dialog.refreshTarget(request);
        auto w = responseTo(request, 200, "OK", "");
        w.header(HeaderId::contact, contact(call.a.destination));
        w.header(HeaderId::server, options_.userAgent);
        layer_.respond(server, 200, w.finish(call.a.lastSdp, "application/sdp"));
        if (method == "INVITE") call.a.ackAwaitedFrom = server;
        return;
    }
    if (method == "INFO" || method == "OPTIONS") return respondSimple(server, request, 200, "OK");
    auto w = responseTo(request, 405, "Method Not Allowed", "");
    w.header(HeaderId::allow, "INVITE, ACK, BYE, OPTIONS, UPDATE, INFO");
    w.header(HeaderId::server, options_.userAgent);
    layer_.respond(server, 405, w.finish());
}

} // namespace sb::sip
