// Session timers (RFC 4028) across the B2BUA, negotiated on each leg on its own: the B2BUA is a
// UAS towards the caller and a UAC towards the callee, and either party may not support timers.
// On each leg one side refreshes (a re-INVITE, or an UPDATE where the peer allows it) every
// half interval; where the peer refreshes and its refresh does not come, the call is reaped
// (§10) so that a vanished phone does not hold a call open for ever.

#include "core/log.hpp"
#include "sip/b2bua.hpp"
#include "sip/b2bua_call.hpp"
#include "sip/header_policy.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

bool listsTimer(const Message& m) {
    return hasOptionTag(m, HeaderId::supported, "timer") ||
           hasOptionTag(m, HeaderId::require, "timer");
}

// The interval a peer names, at least the Min-SE we send (RFC 4028 §7.4, 90 s unless
// configured lower): a 2xx saying "Session-Expires: 1" would have us refresh every tick.
std::uint32_t atLeastMinSe(std::uint32_t named, const CallLimits& limits) {
    return std::max(named, limits.minSessionExpiresS);
}

} // namespace

void B2bua::negotiateSessionTimers(Call& call, const Message& inviteA, const Message& answerB,
                                   MessageWriter& answerToA) {
    if (options_.limits.sessionExpiresS == 0) return;
    // The B leg, where we are the UAC (§7.4): the 2xx names the interval and the refresher; a
    // callee that does not do timers leaves both to us, and we refresh anyway.
    Half& b = call.b;
    b.session.peerSupportsTimer = listsTimer(answerB);
    b.session.peerAllowsUpdate = allowsMethod(answerB, "UPDATE");
    if (const auto se = sessionExpires(answerB)) {
        b.session.seconds = atLeastMinSe(se->seconds, options_.limits);
        b.session.weRefresh = se->refresherIsUac.value_or(true);
    } else {
        b.session.weRefresh = true; // seconds: what we asked for in the INVITE
    }

    // The A leg, where we are the UAS (§9): the caller's interval may only shrink; the caller
    // refreshes if it chose to or supports timers, otherwise we do.
    Half& a = call.a;
    a.session.peerSupportsTimer = listsTimer(inviteA);
    a.session.peerAllowsUpdate = allowsMethod(inviteA, "UPDATE");
    const auto se = sessionExpires(inviteA);
    a.session.seconds = se ? std::min(se->seconds, b.session.seconds) : b.session.seconds;
    const bool callerRefreshes =
        se && se->refresherIsUac ? *se->refresherIsUac : a.session.peerSupportsTimer;
    a.session.weRefresh = !callerRefreshes;
    addSessionHeaders(a, false, answerToA);
}

void B2bua::addSessionHeaders(const Half& l, bool asUac, MessageWriter& w) const {
    if (l.session.seconds == 0) return;
    // §4: "refresher" names the UAC or UAS of the transaction that carries it.
    const bool uacRefreshes = asUac == l.session.weRefresh;
    w.header(HeaderId::session_expires,
             fmt::format("{};refresher={}", l.session.seconds, uacRefreshes ? "uac" : "uas"));
    if (asUac)
        w.header(HeaderId::supported, "timer");
    else if (l.session.peerSupportsTimer)
        w.header(HeaderId::require, "timer"); // §9: only towards a peer that supports it
}

void B2bua::addSessionHeaders(const Half& l, bool asUac, OutgoingRequest& out) const {
    if (l.session.seconds == 0) return;
    const bool uacRefreshes = asUac == l.session.weRefresh;
    out.extra.emplace_back(
        canonicalName(HeaderId::session_expires),
        fmt::format("{};refresher={}", l.session.seconds, uacRefreshes ? "uac" : "uas"));
    out.extra.emplace_back(canonicalName(HeaderId::supported), "timer");
}

void B2bua::restartSessionTimer(Call& call, Side side) {
    Half& l = half(call, side);
    wheel_.cancel(l.session.timer);
    if (l.session.seconds == 0) return;
    // §10: the refresher refreshes at half the interval; the other side gives up at the
    // interval less min(32 s, a third of it).
    const std::uint32_t s = l.session.seconds;
    const std::uint32_t delay = l.session.weRefresh ? s / 2 : s - std::min(32u, s / 3);
    const std::uint64_t id = call.id;
    l.session.timer = wheel_.schedule(std::chrono::seconds(delay),
                                      [this, id, side] { onSessionTimer(id, side); });
}

void B2bua::onSessionTimer(std::uint64_t callId, Side side) {
    auto found = calls_.find(callId);
    if (found == calls_.end() || found->second->state != Call::State::confirmed) return;
    Call& call = *found->second;
    if (half(call, side).session.weRefresh)
        sendSessionRefresh(call, side);
    else
        reapCall(call, "the session expired without a refresh (RFC 4028 §10)");
}

void B2bua::sendSessionRefresh(Call& call, Side side) {
    Half& l = half(call, side);
    if (l.session.refresh != 0) return;
    const Bridged* bridged = call.bridged();
    const bool offerPending =
        bridged && (bridged->transfer || std::any_of(bridged->relays.begin(), bridged->relays.end(),
                                                     [](const Relay& r) { return r.invite; }));
    if (offerPending) {
        // A re-INVITE is already crossing this call; it refreshes the session when it ends.
        const std::uint64_t id = call.id;
        l.session.timer = wheel_.schedule(std::chrono::seconds(2),
                                          [this, id, side] { onSessionTimer(id, side); });
        return;
    }
    OutgoingRequest out;
    addSessionHeaders(l, true, out);
    // §7.1: UPDATE needs no offer; a re-INVITE repeats the session we last described.
    const bool update = l.session.peerAllowsUpdate;
    if (!update && !l.lastSdp.empty()) {
        out.body = l.lastSdp;
        out.contentType = "application/sdp";
    }
    l.session.refresh = sendOn(l, update ? "UPDATE" : "INVITE", out);
    if (l.session.refresh == 0) return reapCall(call, "our session refresh could not be built");
    clients_.emplace(l.session.refresh, ClientRef{ClientRef::Kind::sessionRefresh, call.id, side});
}

void B2bua::onSessionRefreshResponse(Call& call, Side side, const Message& response) {
    const int status = response.status();
    if (status < 200) return;
    Half& l = half(call, side);
    l.session.refresh = 0;
    const bool wasInvite = response.cseq().method == "INVITE";
    if (status < 300) {
        if (wasInvite) {
            l.ackOwed = response.cseq().number;
            sendAck(l);
        }
        refreshTarget(l, response);
        if (const auto se = sessionExpires(response))
            l.session.seconds = atLeastMinSe(se->seconds, options_.limits);
        return restartSessionTimer(call, side);
    }
    const std::uint64_t id = call.id;
    auto retryIn = [&](std::chrono::milliseconds delay) {
        wheel_.cancel(l.session.timer);
        l.session.timer = wheel_.schedule(delay, [this, id, side] { onSessionTimer(id, side); });
    };
    if (status == 491) {
        // RFC 3261 §14.1: back off 2.1–4 s where we chose the Call-ID (leg B), 0–2 s where the
        // peer did (leg A), in 10 ms steps.
        const auto base = side == Side::b ? 2100 : 0;
        const auto span = side == Side::b ? 1900 : 2000;
        return retryIn(std::chrono::milliseconds(base + 10 * (random_() % (span / 10 + 1))));
    }
    if ((status == 405 || status == 501) && !wasInvite) {
        l.session.peerAllowsUpdate = false; // it does not take UPDATE after all: re-INVITE
        return retryIn(std::chrono::milliseconds(0));
    }
    if (status == 481 || status == 408)
        return reapCall(call, "the session refresh found no dialog (RFC 3261 §12.2.1.2)");
    restartSessionTimer(call, side); // anything else: the session goes on; try again later
}

void B2bua::onSessionRefreshFailed(Call& call, Side side) {
    half(call, side).session.refresh = 0;
    reapCall(call, "the session refresh got no response (RFC 4028 §10)");
}

void B2bua::reapCall(Call& call, std::string_view why) {
    if (call.state == Call::State::ending) return;
    logger().info("call {} ended: {}: a-call-id={} b-call-id={}", call.tag(), why,
                  call.a.dialog.callId, call.b.dialog.callId);
    ++stats_.callsReaped;
    call.state = Call::State::ending;
    hangUp(call, Side::a);
    hangUp(call, Side::b);
    maybeEnd(call);
}

} // namespace sb::sip
