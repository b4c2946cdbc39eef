#include "sip/b2bua.hpp"

#include "core/log.hpp"
#include "sip/destination.hpp"
#include "sip/message_writer.hpp"
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

// Headers that describe the session or the content end to end, and extension headers we do not
// know: a B2BUA passes them from one leg to the other. Everything that names a hop, a dialog, a
// transaction or an extension the two legs negotiate separately (Supported, Require, …) is
// rebuilt per leg instead.
bool passesThrough(const HeaderField& f) {
    switch (f.id) {
    case HeaderId::other:
    case HeaderId::accept:
    case HeaderId::accept_encoding:
    case HeaderId::accept_language:
    case HeaderId::alert_info:
    case HeaderId::allow:
    case HeaderId::allow_events:
    case HeaderId::call_info:
    case HeaderId::content_disposition:
    case HeaderId::content_encoding:
    case HeaderId::content_language:
    case HeaderId::error_info:
    case HeaderId::event:
    case HeaderId::expires:
    case HeaderId::in_reply_to:
    case HeaderId::mime_version:
    case HeaderId::organization:
    case HeaderId::priority:
    case HeaderId::reason:
    case HeaderId::reply_to:
    case HeaderId::retry_after:
    case HeaderId::subject:
    case HeaderId::warning:
        return true;
    default:
        return false;
    }
}

void copyEndToEnd(const Message& from, MessageWriter& to) {
    for (const auto& f : from.headers())
        if (passesThrough(f))
            to.header(f.id == HeaderId::other ? f.name : canonicalName(f.id), f.value);
}

std::string_view contentType(const Message& m) {
    return m.header(HeaderId::content_type).value_or("");
}

bool hasContact(std::string_view method) {
    return method == "INVITE" || method == "UPDATE" || method == "SUBSCRIBE" ||
           method == "NOTIFY" || method == "REFER";
}

// Whether a Supported or Require header of `m` lists `tag` (RFC 3261 §20.37, §20.32).
bool hasOptionTag(const Message& m, HeaderId header, std::string_view tag) {
    bool found = false;
    for (const auto& f : m.headers()) {
        if (f.id != header) continue;
        (void)forEachListItem(f.value, "option tags", [&](std::string_view item) -> Result<void> {
            found = found || syntax::iequals(item, tag);
            return {};
        });
    }
    return found;
}

// RFC 3261 §8.2.2.3: the option tags of Require that we do not support.
std::string unsupportedRequirements(const Message& request) {
    std::string out;
    for (const auto& f : request.headers()) {
        if (f.id != HeaderId::require) continue;
        (void)forEachListItem(f.value, "Require", [&](std::string_view tag) -> Result<void> {
            if (syntax::iequals(tag, "100rel")) return {}; // RFC 3262, relayed end to end
            if (!out.empty()) out += ", ";
            out += tag;
            return {};
        });
    }
    return out;
}

// The RSeq of a reliable provisional response (RFC 3262 §7.1), or nothing.
std::optional<std::uint32_t> reliableSequence(const Message& response) {
    if (!hasOptionTag(response, HeaderId::require, "100rel")) return std::nullopt;
    const auto rseq = response.header(HeaderId::rseq);
    if (!rseq) return std::nullopt;
    auto n = parseScalar(*rseq, 4294967295u, "RSeq");
    if (!n || *n == 0) return std::nullopt;
    return *n;
}

// The response number of a RAck header "response-num CSeq-num Method" (RFC 3262 §7.2).
std::optional<std::uint32_t> rackResponseNumber(const Message& prack) {
    const auto rack = prack.header(HeaderId::rack);
    if (!rack) return std::nullopt;
    const auto space = rack->find(' ');
    auto n = parseScalar(rack->substr(0, space), 4294967295u, "RAck");
    if (!n) return std::nullopt;
    return *n;
}

} // namespace

struct B2bua::Leg {
    Dialog dialog;
    Destination destination;
    bool answered = false;         // a 2xx has crossed this leg
    std::uint32_t ackOwed = 0;     // CSeq of our INVITE whose 2xx awaits our ACK
    std::uint32_t lastAckCseq = 0; // the ACK we sent, resent on 2xx retransmissions
    std::string lastAck;
    TransactionId ackAwaitedFrom = 0; // our 2xx on this leg, waiting for the peer's ACK
};

struct B2bua::Relay {
    TransactionId server = 0, client = 0;
    Side from = Side::a;
    bool invite = false;
};

struct B2bua::ClientRef {
    // untracked: requests whose outcome changes nothing (a BYE to an unwanted fork, our own
    // PRACK).
    enum class Kind : std::uint8_t { invite, relay, bye, untracked } kind;
    std::uint64_t call = 0;
};

struct B2bua::Call {
    enum class State : std::uint8_t { early, confirmed, cancelling, ending };
    std::uint64_t id = 0;
    State state = State::early;
    Leg a, b;
    TransactionId aInvite = 0; // A's INVITE until we answer it
    TransactionId bInvite = 0; // B's INVITE until its final response
    TransactionId aInviteKey = 0;
    std::string source; // A's address, for the per-source limit
    std::vector<Relay> relays;
    int byesPending = 0;
    // RFC 3262 end to end: A may take reliable provisionals; those B sends reliably are relayed
    // with our own RSeq numbering towards A, and A's PRACK goes on to B with B's numbers.
    bool a100rel = false;
    std::uint32_t aRseq = 0;
    std::uint32_t bInviteCseq = 0;
    struct ReliableProvisional {
        std::uint32_t aRseq, bRseq;
    };
    std::vector<ReliableProvisional> reliables;
    net::TimerWheel::TimerId noAnswer;
};

B2bua::B2bua(net::TimerWheel& wheel, MessageSender& sender, B2buaOptions options)
    : layer_(wheel, sender, *this, options.timers, options.userAgent), wheel_(wheel),
      options_(std::move(options)), random_(std::random_device{}()) {}

B2bua::~B2bua() {
    for (auto& [id, call] : calls_)
        wheel_.cancel(call->noAnswer);
}

void B2bua::receive(Message&& message, const InboundMessage& source) {
    layer_.receive(std::move(message), source);
}

B2bua::Stats B2bua::stats() const {
    Stats s = stats_;
    s.calls = calls_.size();
    s.dialogs = dialogs_.size();
    return s;
}

B2bua::Leg& B2bua::leg(Call& call, Side side) {
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

void B2bua::onInitialInvite(TransactionId server, const Message& invite,
                            const InboundMessage& source) {
    // RFC 3261 §16.3 item 3 (which a B2BUA's UAS applies to what it forwards): Max-Forwards 0
    // cannot go further.
    const std::uint32_t maxForwards = invite.maxForwards().value_or(70);
    if (maxForwards == 0) return respondSimple(server, invite, 483, "Too Many Hops");
    // §8.2.2.2 / §16.3 item 4: our own branch in a Via means the request has come back to us.
    for (const auto& v : invite.vias()) {
        if (v.branch.starts_with(kOwnBranch)) {
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
    const std::string sourceKey = source.remoteAddress.to_string();
    const auto& limits = options_.limits;
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
    const auto route = options_.routes.match(invite.requestUri());
    if (!route) {
        ++stats_.rejectedNoRoute;
        ++stats_.failuresByStatus[404];
        return respondSimple(server, invite, 404, "Not Found (no route)", newToken());
    }
    std::string proxy = route->outboundProxy;
    if (!proxy.empty() && proxy.find(";lr") == std::string::npos) proxy += ";lr";
    auto destination = resolveNumeric(proxy.empty() ? route->target : proxy, route->transport);
    if (!destination) {
        logger().warn("call to {} not placed: {}", route->target, destination.error().message);
        ++stats_.failuresByStatus[502];
        return respondSimple(server, invite, 502,
                             sanitizeReason("Bad Gateway (" + destination.error().message + ")"),
                             newToken());
    }

    auto owned = std::make_unique<Call>();
    Call& call = *owned;
    call.id = nextCall_++;
    call.aInvite = call.aInviteKey = server;
    call.source = sourceKey;
    call.a.dialog = Dialog::asUas(invite, newToken());
    call.a.destination = {source.transport, source.remoteAddress, source.remotePort, {}};

    Dialog& b = call.b.dialog;
    b.callId = newToken() + newToken();
    b.localTag = newToken();
    b.localUri = call.a.dialog.remoteUri; // the caller's identity goes on
    b.remoteUri = "<" + route->target + ">";
    b.remoteTarget = route->target;
    if (!proxy.empty()) b.routeSet.push_back("<" + proxy + ">"); // a pre-loaded route (§8.1.2)
    call.b.destination = std::move(destination).value();

    dialogs_.emplace(dialogKey(call.a.dialog.callId, call.a.dialog.localTag),
                     std::pair{call.id, Side::a});
    dialogs_.emplace(dialogKey(b.callId, b.localTag), std::pair{call.id, Side::b});
    inviteServers_.emplace(server, call.id);
    ++callsPerSource_[sourceKey];
    calls_.emplace(call.id, std::move(owned));
    ++stats_.callsTotal;

    logger().info("call {} setup: a-call-id={} b-call-id={} from={} to={} target={}", call.id,
                  call.a.dialog.callId, b.callId, call.a.dialog.remoteUri, invite.requestUri().text,
                  route->target);

    call.a100rel = hasOptionTag(invite, HeaderId::supported, "100rel") ||
                   hasOptionTag(invite, HeaderId::require, "100rel");
    ExtraHeaders extra;
    if (call.a100rel) extra.emplace_back(HeaderId::supported, "100rel");
    if (hasOptionTag(invite, HeaderId::require, "100rel"))
        extra.emplace_back(HeaderId::require, "100rel");
    call.bInvite = sendInDialog(call, Side::b, "INVITE", &invite, 0, maxForwards - 1, extra);
    call.bInviteCseq = call.b.dialog.localSeq;
    if (call.bInvite == 0) {
        answerCallerWith(call, 500, "Server Internal Error");
        call.state = Call::State::ending;
        return maybeEnd(call);
    }
    clients_.emplace(call.bInvite, ClientRef{ClientRef::Kind::invite, call.id});
    const std::uint64_t id = call.id;
    call.noAnswer = wheel_.schedule(
        std::chrono::duration_cast<std::chrono::milliseconds>(limits.noAnswerTimeout), [this, id] {
            auto found = calls_.find(id);
            if (found == calls_.end() || found->second->state != Call::State::early) return;
            Call& c = *found->second;
            answerCallerWith(c, 408, "Request Timeout (no answer)");
            c.state = Call::State::cancelling;
            layer_.cancel(c.bInvite);
        });
}

void B2bua::onInDialog(TransactionId server, const Message& request, Call& call, Side side) {
    Leg& from = leg(call, side);
    const Side otherSide = side == Side::a ? Side::b : Side::a;
    Leg& to = leg(call, otherSide);
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

    if (method == "BYE") {
        respondSimple(server, request, 200, "OK");
        if (call.state == Call::State::ending || call.state == Call::State::cancelling)
            return maybeEnd(call);
        logger().info("call {} bye from {}: a-call-id={} b-call-id={}", call.id,
                      side == Side::a ? "caller" : "callee", call.a.dialog.callId,
                      call.b.dialog.callId);
        from.answered = false; // this dialog is over; no BYE goes back to it
        call.state = Call::State::ending;
        hangUp(call, otherSide);
        return maybeEnd(call);
    }
    if (call.state == Call::State::ending || call.state == Call::State::cancelling)
        return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
    ExtraHeaders extra;
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
        const auto match = std::find_if(call.reliables.begin(), call.reliables.end(),
                                        [&](const auto& r) { return aRseq && r.aRseq == *aRseq; });
        if (side != Side::a || match == call.reliables.end())
            return respondSimple(server, request, 481, "Call/Transaction Does Not Exist");
        extra.emplace_back(HeaderId::rack,
                           fmt::format("{} {} INVITE", match->bRseq, call.bInviteCseq));
    }
    if (method == "INVITE" || method == "UPDATE") {
        for (const auto& r : call.relays) {
            if (!r.invite && method == "INVITE") continue;
            // §14.2: a re-INVITE (or UPDATE, RFC 3311 §5.2) while our own offer on this dialog
            // is pending gets 491; while the peer's previous one is unanswered, 500 with
            // Retry-After.
            if (r.from == otherSide) return respondSimple(server, request, 491, "Request Pending");
            auto w = responseTo(request, 500, "Server Internal Error (request pending)", "");
            w.header(HeaderId::retry_after, "1");
            return layer_.respond(server, 500, w.finish());
        }
        from.dialog.refreshTarget(request); // §12.2.2 target refresh
    }
    const TransactionId client = sendInDialog(call, otherSide, method, &request, 0, 70, extra);
    if (client == 0) return respondSimple(server, request, 500, "Server Internal Error");
    call.relays.push_back({server, client, side, method == "INVITE"});
    clients_.emplace(client, ClientRef{ClientRef::Kind::relay, call.id});
    (void)to;
}

void B2bua::onAck(const Message& ack, const InboundMessage&) {
    Side side;
    Call* call = findCall(ack.callId(), ack.to().tag(), &side);
    if (!call) return;
    Leg& from = leg(*call, side);
    if (from.ackAwaitedFrom == 0) return; // a retransmitted ACK
    layer_.ackReceived(from.ackAwaitedFrom);
    from.ackAwaitedFrom = 0;
    relayAck(*call, side, ack);
}

void B2bua::relayAck(Call& call, Side from, const Message& ack) {
    Leg& to = leg(call, from == Side::a ? Side::b : Side::a);
    if (to.ackOwed == 0) return;
    // §13.2.2.4: the ACK for a 2xx is the UAC core's, a request of its own within the dialog
    // with the INVITE's CSeq number; it carries the answer when the INVITE had no offer.
    auto w = to.dialog.request("ACK", via(to.destination.transport, to.destination.address.is_v6()),
                               to.ackOwed);
    w.header(HeaderId::user_agent, options_.userAgent);
    if (ack.body().empty()) {
        to.lastAck = w.finish();
    } else {
        copyEndToEnd(ack, w);
        to.lastAck = w.finish(ack.body(), contentType(ack));
    }
    to.lastAckCseq = to.ackOwed;
    to.ackOwed = 0;
    (void)layer_.sendStateless(to.destination, to.lastAck);
}

void B2bua::onCancel(TransactionId invite, const Message&) {
    auto found = inviteServers_.find(invite);
    if (found == inviteServers_.end()) return;
    auto call = calls_.find(found->second);
    if (call == calls_.end() || call->second->state != Call::State::early) return;
    Call& c = *call->second;
    logger().info("call {} cancelled: a-call-id={} b-call-id={}", c.id, c.a.dialog.callId,
                  c.b.dialog.callId);
    ++stats_.callsCancelled;
    // §9.2: the cancelled INVITE ends with 487; the B leg is cancelled in turn (§9.1: deferred
    // by the transaction layer until B has sent a provisional response).
    answerCallerWith(c, 487, "Request Terminated");
    c.state = Call::State::cancelling;
    layer_.cancel(c.bInvite);
    maybeEnd(c);
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
                onExtra2xx(*call, response);
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
        auto relay = std::find_if(call.relays.begin(), call.relays.end(),
                                  [&](const Relay& x) { return x.client == client; });
        if (relay == call.relays.end()) return;
        const Relay copy = *relay;
        if (response.status() >= 200) call.relays.erase(relay);
        return onRelayResponse(call, copy, response);
    }
    case ClientRef::Kind::bye:
        if (response.status() >= 200) {
            --call.byesPending;
            maybeEnd(call);
        }
        return;
    case ClientRef::Kind::untracked:
        return;
    }
}

void B2bua::onInviteResponse(Call& call, const Message& response) {
    const int status = response.status();
    if (status == 100) return; // hop by hop; A had its own at once
    Leg& b = call.b;
    if (b.dialog.remoteTag.empty() && !response.to().tag().empty()) {
        // §12.1.2: the first provisional response with a tag makes B's early dialog.
        b.dialog.remoteTag = response.to().tag();
        b.dialog.adopt(response);
        if (auto next = resolveNumeric(b.dialog.nextHop(), b.destination.transport))
            b.destination = std::move(next).value();
    }

    if (status < 200) {
        if (call.state != Call::State::early || call.aInvite == 0) return;
        const Message* request = layer_.request(call.aInvite);
        if (!request) return;
        auto w = responseTo(*request, status, response.reason(), call.a.dialog.localTag);
        w.header(HeaderId::contact,
                 contact(call.a.destination.transport, call.a.destination.address.is_v6()));
        w.header(HeaderId::server, options_.userAgent);
        if (const auto bRseq = reliableSequence(response); bRseq && !call.a100rel) {
            // RFC 3262 §4: A cannot acknowledge it, so we do, and A gets it unreliably.
            acknowledgeReliable(call, *bRseq, response.cseq().number);
        } else if (bRseq) {
            // A retransmission from B keeps the RSeq A saw the first time (§3).
            auto seen = std::find_if(call.reliables.begin(), call.reliables.end(),
                                     [&](const auto& r) { return r.bRseq == *bRseq; });
            if (seen == call.reliables.end())
                seen = call.reliables.insert(call.reliables.end(), {++call.aRseq, *bRseq});
            w.header(HeaderId::require, "100rel");
            w.header(HeaderId::rseq, fmt::format("{}", seen->aRseq));
        }
        copyEndToEnd(response, w);
        return layer_.respond(call.aInvite, status,
                              w.finish(response.body(), contentType(response)));
    }

    call.bInvite = 0;
    wheel_.cancel(call.noAnswer);
    if (status >= 300) {
        if (call.state == Call::State::early) {
            logger().info("call {} failed {}: a-call-id={} b-call-id={}", call.id, status,
                          call.a.dialog.callId, b.dialog.callId);
            ++stats_.callsFailed;
            answerCallerWith(call, status, response.reason(), &response);
        }
        call.state = Call::State::ending;
        return maybeEnd(call);
    }

    // The first 2xx makes B's dialog (forks that answer later are ACKed and BYEd); §13.2.2.4:
    // the route set is recomputed from it.
    b.dialog.remoteTag = response.to().tag();
    b.dialog.adopt(response);
    b.answered = true;
    b.ackOwed = response.cseq().number;
    if (auto next = resolveNumeric(b.dialog.nextHop(), b.destination.transport))
        b.destination = std::move(next).value();
    if (call.state != Call::State::early || call.aInvite == 0) {
        // The 200 crossed our CANCEL (§9.1) or the caller is gone: accept it and end it.
        call.state = Call::State::ending;
        hangUp(call, Side::b);
        return maybeEnd(call);
    }
    const Message* request = layer_.request(call.aInvite);
    if (!request) return;
    auto w = responseTo(*request, status, response.reason(), call.a.dialog.localTag);
    w.header(HeaderId::contact,
             contact(call.a.destination.transport, call.a.destination.address.is_v6()));
    w.header(HeaderId::server, options_.userAgent);
    copyEndToEnd(response, w);
    layer_.respond(call.aInvite, status, w.finish(response.body(), contentType(response)));
    call.a.ackAwaitedFrom = call.aInvite;
    call.a.answered = true;
    call.a.dialog.early = false;
    call.aInvite = 0;
    call.state = Call::State::confirmed;
    ++stats_.callsAnswered;
    logger().info("call {} answered: a-call-id={} b-call-id={}", call.id, call.a.dialog.callId,
                  b.dialog.callId);
}

void B2bua::onExtra2xx(Call& call, const Message& response) {
    Leg& b = call.b;
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
    auto destination = resolveNumeric(fork.nextHop(), b.destination.transport);
    const Destination& to = destination ? destination.value() : b.destination;
    const bool v6 = to.address.is_v6();
    auto ack = fork.request("ACK", via(to.transport, v6), response.cseq().number);
    (void)layer_.sendStateless(to, ack.finish());
    auto bye = fork.request("BYE", via(to.transport, v6));
    bye.header(HeaderId::user_agent, options_.userAgent);
    if (auto parsed = Message::parse(bye.finish())) {
        if (auto id = layer_.sendRequest(std::move(parsed).value(), to))
            clients_.emplace(id, ClientRef{ClientRef::Kind::untracked, call.id});
    }
}

void B2bua::onRelayResponse(Call& call, Relay relay, const Message& response) {
    const int status = response.status();
    if (status == 100) return;
    const Side targetSide = relay.from == Side::a ? Side::b : Side::a;
    Leg& origin = leg(call, relay.from);
    Leg& target = leg(call, targetSide);
    const std::string_view method = response.cseq().method;
    const bool offerAnswer = method == "INVITE" || method == "UPDATE";
    if (offerAnswer && status >= 200 && status < 300) target.dialog.refreshTarget(response);

    const Message* request = layer_.request(relay.server);
    if (!request) return;
    auto w = responseTo(*request, status, response.reason(), "");
    if (offerAnswer)
        w.header(HeaderId::contact,
                 contact(origin.destination.transport, origin.destination.address.is_v6()));
    w.header(HeaderId::server, options_.userAgent);
    copyEndToEnd(response, w);
    layer_.respond(relay.server, status, w.finish(response.body(), contentType(response)));

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
        wheel_.cancel(call.noAnswer);
        if (call.state == Call::State::early) {
            ++stats_.callsFailed;
            answerCallerWith(call, status, reason);
        }
        call.state = Call::State::ending;
        return maybeEnd(call);
    case ClientRef::Kind::relay: {
        auto relay = std::find_if(call.relays.begin(), call.relays.end(),
                                  [&](const Relay& x) { return x.client == client; });
        if (relay == call.relays.end()) return;
        const Relay copy = *relay;
        call.relays.erase(relay);
        if (const Message* request = layer_.request(copy.server))
            respondSimple(copy.server, *request, status, reason);
        // §12.2.1.2: the other leg is gone; so is the call.
        call.state = Call::State::ending;
        leg(call, copy.from == Side::a ? Side::b : Side::a).answered = false;
        hangUp(call, copy.from);
        return maybeEnd(call);
    }
    case ClientRef::Kind::bye:
        --call.byesPending;
        return maybeEnd(call);
    case ClientRef::Kind::untracked:
        return;
    }
}

void B2bua::onAckTimeout(TransactionId server) {
    // §13.3.1.4: our 2xx was never acknowledged; the session is not established: BYE both.
    for (auto& [id, call] : calls_) {
        for (Side side : {Side::a, Side::b}) {
            Leg& l = leg(*call, side);
            if (l.ackAwaitedFrom != server) continue;
            l.ackAwaitedFrom = 0;
            logger().info("call {} ended: no ACK for our 2xx", id);
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
    ++stats_.failuresByStatus[status];
    layer_.respond(call.aInvite, status, w.finish());
    call.aInvite = 0;
}

void B2bua::hangUp(Call& call, Side toward) {
    Leg& l = leg(call, toward);
    if (toward == Side::b && call.bInvite != 0) {
        layer_.cancel(call.bInvite); // still ringing: CANCEL, not BYE (§15)
        return;
    }
    if (!l.answered) return;
    l.answered = false;
    if (l.ackOwed != 0) {
        // The 2xx we are about to end still needs its ACK first (§15.1.1).
        auto ack = l.dialog.request(
            "ACK", via(l.destination.transport, l.destination.address.is_v6()), l.ackOwed);
        l.ackOwed = 0;
        (void)layer_.sendStateless(l.destination, ack.finish());
    }
    if (const TransactionId id = sendInDialog(call, toward, "BYE", nullptr)) {
        clients_.emplace(id, ClientRef{ClientRef::Kind::bye, call.id});
        ++call.byesPending;
    }
}

void B2bua::maybeEnd(Call& call) {
    if (call.state != Call::State::ending && call.state != Call::State::cancelling) return;
    if (call.bInvite != 0 || call.aInvite != 0 || call.byesPending > 0 || !call.relays.empty())
        return;
    endCall(call.id);
}

void B2bua::endCall(std::uint64_t id) {
    auto found = calls_.find(id);
    if (found == calls_.end()) return;
    Call& call = *found->second;
    logger().info("call {} ended: a-call-id={} b-call-id={}", id, call.a.dialog.callId,
                  call.b.dialog.callId);
    wheel_.cancel(call.noAnswer);
    dialogs_.erase(dialogKey(call.a.dialog.callId, call.a.dialog.localTag));
    dialogs_.erase(dialogKey(call.b.dialog.callId, call.b.dialog.localTag));
    inviteServers_.erase(call.aInviteKey);
    if (auto s = callsPerSource_.find(call.source); s != callsPerSource_.end() && --s->second == 0)
        callsPerSource_.erase(s);
    calls_.erase(found);
}

// ---------------------------------------------------------------------------------------------
// Building and sending

void B2bua::acknowledgeReliable(Call& call, std::uint32_t rseq, std::uint32_t inviteCseq) {
    const ExtraHeaders rack{{HeaderId::rack, fmt::format("{} {} INVITE", rseq, inviteCseq)}};
    if (const TransactionId id = sendInDialog(call, Side::b, "PRACK", nullptr, 0, 70, rack))
        clients_.emplace(id, ClientRef{ClientRef::Kind::untracked, call.id});
}

TransactionId B2bua::sendInDialog(Call& call, Side side, std::string_view method,
                                  const Message* copyFrom, std::uint32_t cseq,
                                  std::uint32_t maxForwards, const ExtraHeaders& extra) {
    Leg& l = leg(call, side);
    const bool v6 = l.destination.address.is_v6();
    auto w = l.dialog.request(method, via(l.destination.transport, v6), cseq, maxForwards);
    if (hasContact(method)) w.header(HeaderId::contact, contact(l.destination.transport, v6));
    w.header(HeaderId::user_agent, options_.userAgent);
    for (const auto& [id, value] : extra)
        w.header(id, value);
    std::string bytes;
    if (copyFrom) {
        copyEndToEnd(*copyFrom, w);
        bytes = w.finish(copyFrom->body(), contentType(*copyFrom));
    } else {
        bytes = w.finish();
    }
    auto parsed = Message::parse(std::move(bytes));
    if (!parsed) {
        logger().error("call {}: our own {} does not parse: {}", call.id, method,
                       parsed.error().message);
        return 0;
    }
    return layer_.sendRequest(std::move(parsed).value(), l.destination);
}

void B2bua::respondSimple(TransactionId server, const Message& request, int status,
                          std::string_view reason, std::string_view toTag) {
    auto w = responseTo(request, status, reason, toTag);
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

namespace {

std::string hostPort(const BoundListener* l, bool v6) {
    if (!l) return v6 ? "[::1]" : "127.0.0.1";
    // A wildcard listener does not say which address the peer can reach; loopback is right
    // for the default configuration (see the README on advertised addresses).
    std::string host = l->address.is_unspecified() ? (l->address.is_v6() ? "::1" : "127.0.0.1")
                                                   : l->address.to_string();
    if (l->address.is_v6()) host = "[" + host + "]";
    return fmt::format("{}:{}", host, l->port);
}

} // namespace

std::string B2bua::via(Transport transport, bool v6) {
    return fmt::format("SIP/2.0/{} {};branch={}{};rport", viaToken(transport),
                       hostPort(listenerFor(transport, v6), v6), kOwnBranch, newToken());
}

std::string B2bua::contact(Transport transport, bool v6) const {
    const auto hp = hostPort(listenerFor(transport, v6), v6);
    if (transport == Transport::udp) return fmt::format("<sip:sb@{}>", hp);
    return fmt::format("<sip:sb@{};transport={}>", hp, transportName(transport));
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
