// Session descriptions through the media policy (B2buaOptions::media): every SDP body that
// crosses a bridged call is rewritten so that the media flows through Switchboard.

#include "core/log.hpp"
#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/dtmf_info.hpp"
#include "sip/header_policy.hpp"
#include "sip/syntax.hpp"

#include <fmt/format.h>

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

} // namespace

Result<std::string_view> B2bua::bodyFor(Call& call, Side from, const Message& m) {
    Bridged* bridged = call.bridged();
    if (!options_.callRooms || !bridged || !carriesSdp(m)) return m.body();
    auto rewritten = options_.callRooms->relay(call.id,
                                               from == Side::a ? BridgedCallRooms::Party::caller
                                                               : BridgedCallRooms::Party::callee,
                                               m.body());
    if (!rewritten) return fail(rewritten.error());
    bridged->mediaBody = std::move(rewritten).value();
    return std::string_view(bridged->mediaBody);
}

MessageWriter B2bua::mediaRefusal(const Message& request, const Error& error,
                                  std::string_view toTag) {
    if (error.code == Errc::too_large) {
        auto w = responseTo(request, 503, "Service Unavailable (no media ports)", toTag);
        w.header(HeaderId::retry_after, fmt::format("{}", options_.limits.retryAfterS));
        w.header(HeaderId::server, options_.userAgent);
        return w;
    }
    // RFC 3261 §21.4.26 and §20.43: 488 with a Warning saying why; 305 "Incompatible media
    // format" when no codec fits, 399 (miscellaneous) for a malformed description.
    auto w = responseTo(request, 488, "Not Acceptable Here", toTag);
    std::string text = sanitizeReason(error.message);
    std::erase(text, '"');
    std::erase(text, '\\');
    w.header(HeaderId::warning, fmt::format("{} switchboard \"{}\"",
                                            error.code == Errc::unsupported ? 305 : 399, text));
    w.header(HeaderId::server, options_.userAgent);
    return w;
}

void B2bua::answerOffer(TransactionId server, const Message& request, Call& call, Side side,
                        const AskMedia& ask) {
    Half& leg = half(call, side);
    if (call.reoffer && call.reoffer->side == side && call.reoffer->client != 0)
        return respondSimple(server, request, 491, "Request Pending"); // §14.2: ours is pending
    if (leg.offerAwaitingAnswer != 0) {
        // RFC 3311 §5.2 (and RFC 3261 §14.2 for a re-INVITE): an offer while we are still
        // answering the last one gets 500 with a Retry-After of 0–10 s.
        auto w = responseTo(request, 500, "Server Internal Error (an offer is being answered)", "");
        w.header(HeaderId::retry_after, fmt::format("{}", random_() % 11));
        w.header(HeaderId::server, options_.userAgent);
        return layer_.respond(server, 500, w.finish());
    }
    leg.offerAwaitingAnswer = server;
    ask(request.body(), [this, id = call.id, side, server](Result<std::string> answer) {
        onOfferAnswered(id, side, server, std::move(answer));
    });
}

void B2bua::onOfferAnswered(std::uint64_t id, Side side, TransactionId server,
                            Result<std::string> answer) {
    const Message* request = layer_.request(server);
    auto found = calls_.find(id);
    if (found == calls_.end() || half(*found->second, side).offerAwaitingAnswer != server) {
        // The call ended while its media was answering (RFC 3261 §15.1.2: 487 for what is
        // still pending).
        if (request) respondSimple(server, *request, 487, "Request Terminated");
        return;
    }
    Call& call = *found->second;
    Half& leg = half(call, side);
    leg.offerAwaitingAnswer = 0;
    if (!request) return;
    if (!answer) {
        logger().info("call {}: a new offer refused: {}", call.tag(), answer.error().message);
        const int status = answer.error().code == Errc::too_large ? 503 : 488;
        return layer_.respond(server, status, mediaRefusal(*request, answer.error(), "").finish());
    }
    leg.lastSdp = std::move(answer).value();
    acceptSessionRequest(server, *request, leg);
}

void B2bua::acceptSessionRequest(TransactionId server, const Message& request, Half& leg) {
    const bool invite = request.method() == "INVITE";
    refreshTarget(leg, request);
    auto w = responseTo(request, 200, "OK", "");
    w.header(HeaderId::contact, contact(leg.destination));
    w.header(HeaderId::server, options_.userAgent);
    // RFC 3264 §8 and RFC 3311 §5.2: a re-INVITE's 200 carries our description (an offer when
    // it had none); an UPDATE's only when it answers one.
    const bool withSdp = (invite || !request.body().empty()) && !leg.lastSdp.empty();
    layer_.respond(server, 200, withSdp ? w.finish(leg.lastSdp, "application/sdp") : w.finish());
    if (invite) leg.ackAwaitedFrom = server;
}

bool B2bua::infoToMedia(TransactionId server, const Message& info, Call& call, Side side) {
    if (!options_.callRooms || call.state != Call::State::confirmed) return false;
    const auto dtmf = parseDtmfInfo(contentType(info), info.body());
    if (!dtmf) return false;
    const auto from =
        side == Side::a ? BridgedCallRooms::Party::caller : BridgedCallRooms::Party::callee;
    if (!options_.callRooms->dtmfFromInfo(call.id, from, dtmf->digit, dtmf->duration)) return false;
    respondSimple(server, info, 200, "OK");
    return true;
}

Result<void> B2bua::sendDigit(std::uint64_t id, char digit, std::chrono::milliseconds duration) {
    auto found = calls_.find(id);
    if (found == calls_.end() || found->second->bridged())
        return fail(Errc::not_found, "no such placed or answered call");
    Call& call = *found->second;
    const Side to = call.inRoom() ? Side::a : Side::b;
    if (call.state != Call::State::confirmed || !half(call, to).answered)
        return fail(Errc::incomplete, "the call is not answered");
    sendDtmfInfo(id, to, digit, duration);
    return {};
}

void B2bua::sendDtmfInfo(std::uint64_t callId, Side to, char digit,
                         std::chrono::milliseconds duration) {
    auto found = calls_.find(callId);
    if (found == calls_.end() || found->second->state != Call::State::confirmed) return;
    Half& l = half(*found->second, to);
    if (!l.answered) return;
    // RFC 6086: INFO in the dialog; the de facto application/dtmf-relay body.
    const std::string body = dtmfRelayBody({digit, duration});
    OutgoingRequest out;
    out.body = body;
    out.contentType = kDtmfRelayType;
    if (const TransactionId id = sendOn(l, "INFO", out))
        clients_.emplace(id, ClientRef{ClientRef::Kind::untracked, callId});
}

} // namespace sb::sip
