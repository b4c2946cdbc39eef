#include "sip/transaction.hpp"

#include "core/log.hpp"
#include "core/random.hpp"
#include "sip/destination.hpp"
#include "sip/message_writer.hpp"
#include "sip/syntax.hpp"
#include "sip/transaction_key.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <optional>

namespace sb::sip {
namespace {

spdlog::logger& logger() {
    return log::get("sip");
}

bool isReliable(Transport t) noexcept {
    return t != Transport::udp;
}

using Ms = std::chrono::milliseconds;

// "Greater than 3 minutes" (§16.6 step 11).
constexpr Ms kReinviteTimerC = std::chrono::minutes(3) + std::chrono::seconds(1);

// An address without its IPv6 zone ("fe80::1%eth0"): what a Via's host or received can hold
// (RFC 3261 §25.1 has no zone), and what it is compared as.
asio::ip::address withoutScope(asio::ip::address address) {
    if (!address.is_v6()) return address;
    auto v6 = address.to_v6();
    v6.scope_id(0);
    return v6;
}

// The top Via as our responses carry it (§18.2.1): `received` with the address the request came
// from when its sent-by is another (a name, a NAT), and, when the client asked with a bare
// rport, the port it came from too (RFC 3581 §4, which then wants `received` always). Empty
// when the Via stays as it came.
std::string answeredVia(const Via& via, const InboundMessage& source) {
    const bool rportAsked = via.rport && via.rport->empty();
    const auto from = withoutScope(source.remoteAddress);
    if (!rportAsked && !via.received && addressOfHost(via.host) == std::optional(from)) return {};
    // Written again from its parts: a received of the client's own is replaced by ours.
    std::string out =
        fmt::format("{}/{}/{} {}", via.protocolName, via.protocolVersion, via.transport, via.host);
    if (via.port) out += fmt::format(":{}", *via.port);
    via.params.forEach([&](std::string_view name, std::string_view value, bool hasValue) {
        if (syntax::iequals(name, "received")) return true;
        if (rportAsked && syntax::iequals(name, "rport"))
            out += fmt::format(";rport={}", source.remotePort);
        else
            out += fmt::format(";{}{}{}", name, hasValue ? "=" : "", value);
        return true;
    });
    return out + ";received=" + from.to_string();
}

} // namespace

// Each transaction runs at most two timers at a time: one that retransmits and one that ends a
// state. The kinds are RFC 3261's letters (RFC 6026 adds L and M).
enum class TransactionLayer::TimerKind : std::uint8_t {
    a,          // client INVITE retransmission (§17.1.1.2)
    b,          // client INVITE timeout (and §9.1's 64×T1 after its CANCEL)
    c,          // client re-INVITE in Proceeding: cancelled when no final comes
    d,          // client INVITE Completed: absorb retransmitted finals
    e,          // client non-INVITE retransmission (§17.1.2.2)
    f,          // client non-INVITE timeout
    k,          // client non-INVITE Completed
    m,          // client INVITE Accepted (RFC 6026 §8.4)
    g,          // server INVITE final retransmission (§17.2.1)
    h,          // server INVITE Completed: wait for the ACK
    i,          // server INVITE Confirmed
    j,          // server non-INVITE Completed (§17.2.2)
    l,          // server INVITE Accepted (RFC 6026 §8.7)
    resend2xx,  // the UAS core's 2xx retransmission (§13.3.1.4)
    sendFailed, // report a transport error outside the call that caused it
};

struct TransactionLayer::ServerTx {
    enum class State { trying, proceeding, completed, confirmed, accepted };
    TransactionId id = 0;
    std::string key;
    bool invite = false;
    bool acked = false; // Accepted: the TU saw the ACK for our 2xx
    bool finalSent = false;
    State state = State::trying;
    std::optional<Message> request; // until the final response
    InboundMessage source;          // where responses go (its bytes are dropped)
    std::uint16_t sentByPort = 0;   // the top Via's, for §18.2.2 when the connection is gone
    std::string mergeKey;           // a request without a To tag: its Call-ID, From tag, CSeq
    // The request's top Via as our responses give it back, when it differs from the request's
    // (viaSent): with where the request came from (§18.2.1, RFC 3581 §4).
    std::string viaSent, viaAnswered;
    std::string lastResponse;
    Ms interval{0};
    net::TimerWheel::TimerId retransmitTimer, stateTimer;
};

struct TransactionLayer::ClientTx {
    enum class State { calling, proceeding, completed, accepted };
    TransactionId id = 0;
    std::string key;
    bool invite = false;
    bool cancelPending = false;
    bool cancelled = false; // our CANCEL has gone: §9.1's 64×T1 runs
    bool failing = false;   // the transport failed: reported at once, nothing more sent
    State state = State::calling;
    Destination destination;
    std::optional<Message> request; // until the final response
    std::string ack;                // Completed INVITE: our ACK, resent on retransmitted finals
    Ms interval{0};
    net::TimerWheel::TimerId retransmitTimer, stateTimer;
};

TransactionLayer::TransactionLayer(net::TimerWheel& wheel, MessageSender& sender,
                                   TransactionUser& user, TimerSettings timers,
                                   std::string userAgent)
    : wheel_(wheel), sender_(sender), user_(user), timers_(timers),
      userAgent_(std::move(userAgent)) {}

TransactionLayer::~TransactionLayer() {
    for (auto& [id, tx] : servers_)
        cancelTimers(*tx);
    for (auto& [id, tx] : clients_)
        cancelTimers(*tx);
}

void TransactionLayer::receive(Message&& message, const InboundMessage& source) {
    if (message.vias().empty()) return; // the parser requires Via; defensive only
    if (message.isRequest())
        receiveRequest(std::move(message), source);
    else
        receiveResponse(message);
}

// ---------------------------------------------------------------------------------------------
// Server transactions (§17.2)

void TransactionLayer::receiveRequest(Message&& request, const InboundMessage& source) {
    if (request.method() == "ACK") return receiveAck(request, source);
    if (request.method() == "CANCEL") return receiveCancel(std::move(request), source);

    std::string key = serverTransactionKey(request);
    if (auto found = serverKeys_.find(key); found != serverKeys_.end())
        return retransmitted(*servers_.at(found->second));

    // §8.2.2.2: a request without a To tag whose Call-ID, From tag and CSeq are an ongoing
    // transaction's, on another branch, reached us twice (a forking proxy's paths merging).
    std::string mergeKey;
    if (request.to().tag().empty()) {
        mergeKey = fmt::format("{}\n{}\n{} {}", request.callId(), request.from().tag(),
                               request.cseq().number, request.cseq().method);
        if (mergeKeys_.contains(mergeKey)) {
            ServerTx& merged = addServer(std::move(key), std::move(request), source);
            auto answer = responseTo(*merged.request, 482, "Loop Detected (merged request)",
                                     fmt::format("{:016x}", threadRandom()()));
            answer.header(HeaderId::server, userAgent_);
            ++stats_.mergedRefused;
            return respond(merged.id, 482, answer.finish());
        }
    }

    ServerTx& t = addServer(std::move(key), std::move(request), source);
    if (!mergeKey.empty()) {
        t.mergeKey = std::move(mergeKey);
        mergeKeys_.emplace(t.mergeKey, t.id);
    }

    if (t.invite) {
        // §17.2.1: 100 Trying at once, so that the previous hop stops retransmitting; the B2BUA
        // cannot answer within 200 ms in general (it waits for the far end).
        t.state = ServerTx::State::proceeding;
        auto trying = responseTo(*t.request, 100, "Trying", "");
        trying.header(HeaderId::server, userAgent_);
        t.lastResponse = withAnsweredVia(t, trying.finish());
        reply(t, t.lastResponse);
    }
    deliverRequest(t, source);
}

TransactionLayer::ServerTx& TransactionLayer::addServer(std::string key, Message&& request,
                                                        const InboundMessage& source) {
    auto tx = std::make_unique<ServerTx>();
    tx->id = nextId_++;
    tx->key = std::move(key);
    tx->invite = request.method() == "INVITE";
    tx->source = source;
    tx->source.bytes.clear();
    if (auto answered = answeredVia(request.vias().front(), source); !answered.empty()) {
        tx->viaSent = std::string(request.vias().front().text);
        tx->viaAnswered = std::move(answered);
    }
    tx->sentByPort = request.vias().front().port.value_or(
        source.transport == Transport::tls ? 5061 : 5060); // §18.2.2, §19.1.2
    // §18.2.2: over UDP a response goes to the address the request came from at its sent-by
    // port; to the port it came from when the client asked so (rport, RFC 3581 §4), or when
    // its sent-by is not the address it came from (a NAT, which would not pass the sent-by
    // port on: Asterisk's force_rport does the same).
    const Via& top = request.vias().front();
    if (source.transport == Transport::udp && !top.rport &&
        addressOfHost(top.host) == std::optional(withoutScope(source.remoteAddress)))
        tx->source.remotePort = tx->sentByPort;
    tx->request.emplace(std::move(request));
    ServerTx& t = *tx;
    serverKeys_.emplace(t.key, t.id);
    servers_.emplace(t.id, std::move(tx));
    ++stats_.serverCreated;
    return t;
}

void TransactionLayer::deliverRequest(ServerTx& tx, const InboundMessage& source) {
    // The TU may answer from inside onRequest(); the request it holds must outlive that call.
    const TransactionId id = tx.id;
    delivering_ = id;
    user_.onRequest(id, *tx.request, source);
    delivering_ = 0;
    if (auto found = servers_.find(id); found != servers_.end() && found->second->finalSent)
        found->second->request.reset();
}

void TransactionLayer::retransmitted(ServerTx& tx) {
    ++stats_.retransmissionsAbsorbed;
    using S = ServerTx::State;
    // §17.2.1: in Proceeding the latest provisional response and in Completed the final one is
    // sent again; §17.2.2 likewise for non-INVITE. Trying, Confirmed and Accepted absorb.
    const bool resend =
        (tx.state == S::proceeding || tx.state == S::completed) && !tx.lastResponse.empty();
    if (resend) {
        ++stats_.retransmissionsSent;
        reply(tx, tx.lastResponse);
    }
}

std::string TransactionLayer::withAnsweredVia(const ServerTx& tx, std::string bytes) {
    // Our responses repeat the request's Vias in order, each on its line (responseTo).
    if (tx.viaSent.empty()) return bytes;
    const std::string line = "\r\nVia: " + tx.viaSent + "\r\n";
    if (const auto at = bytes.find(line); at != std::string::npos)
        bytes.replace(at + 7, tx.viaSent.size(), tx.viaAnswered);
    return bytes;
}

void TransactionLayer::reply(const ServerTx& tx, const std::string& bytes) {
    if (sender_.reply(tx.source, bytes)) return;
    // §18.2.2: the connection the request came on has closed; the response goes over a new one
    // to the address it came from (what the Via's `received` names) at its sent-by port.
    const Destination to{tx.source.transport, tx.source.remoteAddress, tx.sentByPort, {}};
    if (auto sent = sender_.send(to, bytes); !sent)
        logger().info("server transaction {}: response not sent: {}", tx.id, sent.error().message);
}

void TransactionLayer::receiveAck(const Message& ack, const InboundMessage& source) {
    auto found = serverKeys_.find(serverTransactionKey(ack, true));
    if (found == serverKeys_.end()) return user_.onAck(ack, source);
    ServerTx& tx = *servers_.at(found->second);
    using S = ServerTx::State;
    if (tx.state == S::completed) {
        // §17.2.1: the ACK for our non-2xx final ends retransmission; Timer I absorbs further
        // ACKs for T4 over UDP.
        tx.state = S::confirmed;
        cancelTimers(tx);
        tx.stateTimer =
            startTimer(tx.id, TimerKind::i, isReliable(tx.source.transport) ? Ms{0} : timers_.t4);
    } else if (tx.state == S::confirmed) {
        ++stats_.retransmissionsAbsorbed;
    } else {
        // An ACK for a 2xx that shares the INVITE's branch (RFC 2543 peers): the dialog's.
        user_.onAck(ack, source);
    }
}

void TransactionLayer::receiveCancel(Message&& cancel, const InboundMessage& source) {
    std::string key = serverTransactionKey(cancel);
    if (auto found = serverKeys_.find(key); found != serverKeys_.end())
        return retransmitted(*servers_.at(found->second));

    // §9.2: the CANCEL matches the INVITE server transaction with the same key but method.
    TransactionId invite = 0;
    if (auto found = serverKeys_.find(serverTransactionKey(cancel, true));
        found != serverKeys_.end())
        invite = found->second;

    ServerTx& t = addServer(std::move(key), std::move(cancel), source);

    // §9.2: a CANCEL that matches a transaction is answered 200 whatever the INVITE's state;
    // one that matches none gets 481.
    const int status = invite ? 200 : 481;
    auto answer =
        responseTo(*t.request, status, invite ? "OK" : "Call/Transaction Does Not Exist", "");
    answer.header(HeaderId::server, userAgent_);
    const TransactionId id = t.id;
    delivering_ = id; // keeps the CANCEL alive for onCancel()
    respond(id, status, answer.finish());
    if (invite && servers_.at(invite)->state == ServerTx::State::proceeding)
        user_.onCancel(invite, *t.request);
    delivering_ = 0;
    if (auto found = servers_.find(id); found != servers_.end()) found->second->request.reset();
}

void TransactionLayer::respond(TransactionId id, int status, std::string bytes) {
    auto found = servers_.find(id);
    if (found == servers_.end()) return;
    ServerTx& tx = *found->second;
    using S = ServerTx::State;
    if (tx.state != S::trying && tx.state != S::proceeding) {
        logger().debug("server transaction {}: {} after the final response dropped", id, status);
        return;
    }
    const bool reliable = isReliable(tx.source.transport);
    bytes = withAnsweredVia(tx, std::move(bytes));
    reply(tx, bytes);
    tx.lastResponse = std::move(bytes);
    if (status < 200) {
        tx.state = S::proceeding;
        return;
    }
    tx.finalSent = true;
    if (delivering_ != id) tx.request.reset();
    // Refused, the request may come again by another path on purpose (a proxy's failure route
    // trying a next destination that is us again): no longer a merge to catch.
    if (status >= 300 && !tx.mergeKey.empty()) {
        mergeKeys_.erase(tx.mergeKey);
        tx.mergeKey.clear();
    }
    if (!tx.invite) {
        // §17.2.2: Timer J keeps the final for retransmitted requests over UDP.
        tx.state = S::completed;
        tx.stateTimer = startTimer(id, TimerKind::j, reliable ? Ms{0} : sixtyFourT1());
    } else if (status < 300) {
        // RFC 6026 §8.7: Accepted absorbs retransmitted INVITEs for Timer L; the 2xx is sent
        // again (§13.3.1.4, over UDP) until the TU reports the ACK.
        tx.state = S::accepted;
        tx.interval = timers_.t1;
        if (!reliable) tx.retransmitTimer = startTimer(id, TimerKind::resend2xx, tx.interval);
        tx.stateTimer = startTimer(id, TimerKind::l, sixtyFourT1());
    } else {
        tx.state = S::completed;
        tx.interval = timers_.t1;
        if (!reliable) tx.retransmitTimer = startTimer(id, TimerKind::g, tx.interval);
        tx.stateTimer = startTimer(id, TimerKind::h, sixtyFourT1());
    }
}

void TransactionLayer::ackReceived(TransactionId id) {
    auto found = servers_.find(id);
    if (found == servers_.end()) return;
    ServerTx& tx = *found->second;
    if (tx.state != ServerTx::State::accepted || tx.acked) return;
    tx.acked = true;
    wheel_.cancel(tx.retransmitTimer);
    tx.lastResponse = {};
}

const Message* TransactionLayer::request(TransactionId id) const {
    auto found = servers_.find(id);
    if (found == servers_.end() || !found->second->request) return nullptr;
    return &*found->second->request;
}

void TransactionLayer::onServerTimer(ServerTx& tx, TimerKind kind) {
    switch (kind) {
    case TimerKind::g:
    case TimerKind::resend2xx:
        ++stats_.retransmissionsSent;
        reply(tx, tx.lastResponse);
        tx.interval = std::min(2 * tx.interval, timers_.t2);
        tx.retransmitTimer = startTimer(tx.id, kind, tx.interval);
        return;
    case TimerKind::l:
        if (!tx.acked) {
            ++stats_.ackTimeouts;
            const TransactionId id = tx.id;
            removeServer(id);
            user_.onAckTimeout(id);
            return;
        }
        break;
    case TimerKind::h:
        // §17.2.1: no ACK for our non-2xx final; nothing is left to do but forget it.
        ++stats_.ackTimeouts;
        break;
    default:
        break;
    }
    removeServer(tx.id);
}

// ---------------------------------------------------------------------------------------------
// Client transactions (§17.1)

TransactionId TransactionLayer::sendRequest(Message&& request, const Destination& to) {
    if (!request.isRequest() || request.method() == "ACK" || request.vias().empty()) return 0;
    const std::string_view branch = request.vias()[0].branch;
    if (!branch.starts_with(kBranchCookie)) return 0;
    std::string key = clientTransactionKey(branch, request.method());
    if (clientKeys_.contains(key)) return 0;

    auto tx = std::make_unique<ClientTx>();
    tx->id = nextId_++;
    tx->key = std::move(key);
    tx->invite = request.method() == "INVITE";
    tx->destination = to;
    tx->request.emplace(std::move(request));
    ClientTx& t = *tx;
    clientKeys_.emplace(t.key, t.id);
    clients_.emplace(t.id, std::move(tx));
    ++stats_.clientCreated;

    if (!transmit(t, std::string(t.request->bytes()))) return t.id;
    // §17.1.1.2 and §17.1.2.2: retransmit over UDP from T1; give up after 64×T1 either way.
    t.interval = timers_.t1;
    if (!isReliable(to.transport))
        t.retransmitTimer = startTimer(t.id, t.invite ? TimerKind::a : TimerKind::e, t.interval);
    t.stateTimer = startTimer(t.id, t.invite ? TimerKind::b : TimerKind::f, sixtyFourT1());
    return t.id;
}

bool TransactionLayer::transmit(ClientTx& tx, const std::string& bytes) {
    if (sender_.send(tx.destination, bytes)) return true;
    // A datagram that could not be sent is as good as lost (a full socket buffer, a firewall
    // rule): the retransmission timers deal with it, and Timer B or F ends the transaction if
    // it never gets through.
    if (!isReliable(tx.destination.transport) && tx.request) return true;
    // §17.1.4: report the error to the TU, but not from inside the call that caused it.
    cancelTimers(tx);
    tx.stateTimer = startTimer(tx.id, TimerKind::sendFailed, Ms{0});
    return false;
}

TransactionId TransactionLayer::cancel(TransactionId id) {
    auto found = clients_.find(id);
    if (found == clients_.end() || !found->second->invite) return 0;
    ClientTx& tx = *found->second;
    if (tx.state == ClientTx::State::calling) {
        // §9.1: a CANCEL must wait for a provisional response.
        tx.cancelPending = true;
        return 0;
    }
    if (tx.state != ClientTx::State::proceeding) return 0;
    return sendCancel(tx);
}

TransactionId TransactionLayer::sendCancel(ClientTx& invite) {
    invite.cancelPending = false;
    if (invite.cancelled || invite.failing) return 0; // one CANCEL (§9.1), and none on a dead path
    invite.cancelled = true;
    // §9.1: without a final response 64×T1 after the CANCEL, the INVITE is taken as
    // cancelled and its transaction destroyed (reported as a timeout): a callee that rang and
    // went silent holds nothing for ever. Proceeding runs no other state timer but Timer C.
    wheel_.cancel(invite.stateTimer);
    invite.stateTimer = startTimer(invite.id, TimerKind::b, sixtyFourT1());
    const Message& r = *invite.request;
    // §9.1: Request-URI, Call-ID, To, From, CSeq number and the top Via (same branch) of the
    // request being cancelled, and its Route headers.
    MessageWriter w;
    w.requestLine("CANCEL", r.requestUri().text);
    w.header(HeaderId::via, r.vias()[0].text);
    for (const auto& route : r.routes())
        w.header(HeaderId::route, route.text);
    w.header(HeaderId::max_forwards, "70");
    w.header(HeaderId::from, r.from().text);
    w.header(HeaderId::to, r.to().text);
    w.header(HeaderId::call_id, r.callId());
    w.header(HeaderId::cseq, fmt::format("{} CANCEL", r.cseq().number));
    w.header(HeaderId::user_agent, userAgent_);
    auto cancel = Message::parse(w.finish());
    if (!cancel) {
        logger().error("CANCEL built from our own INVITE does not parse: {}",
                       cancel.error().message);
        return 0;
    }
    return sendRequest(std::move(cancel).value(), invite.destination);
}

void TransactionLayer::transportFailed(Transport transport, const asio::ip::address& address,
                                       std::uint16_t port) {
    for (auto& [id, tx] : clients_) {
        const Destination& d = tx->destination;
        const bool waiting =
            tx->state == ClientTx::State::calling || tx->state == ClientTx::State::proceeding;
        if (!waiting || d.transport != transport || d.address != address || d.port != port)
            continue;
        cancelTimers(*tx);
        tx->failing = true;
        tx->stateTimer = startTimer(id, TimerKind::sendFailed, Ms{0});
    }
}

Result<void> TransactionLayer::sendStateless(const Destination& to, std::string bytes) {
    return sender_.send(to, std::move(bytes));
}

void TransactionLayer::receiveResponse(const Message& response) {
    auto found = clientKeys_.find(clientTransactionKey(response));
    if (found == clientKeys_.end()) {
        ++stats_.strayResponses;
        return;
    }
    ClientTx& tx = *clients_.at(found->second);
    if (tx.invite)
        onClientInviteResponse(tx, response);
    else
        onClientNonInviteResponse(tx, response);
}

void TransactionLayer::onClientInviteResponse(ClientTx& tx, const Message& response) {
    using S = ClientTx::State;
    const int status = response.status();
    const TransactionId id = tx.id;
    switch (tx.state) {
    case S::calling:
    case S::proceeding:
        if (status < 200) {
            // §17.1.1.2: a provisional response stops retransmission and Timer B. A re-INVITE
            // is answered by the far end's software, not a person: one that stays provisional
            // for longer than a proxy's Timer C (§16.6 step 11) is cancelled, so that neither
            // the dialog's next offer nor its end waits on it for ever.
            // Each provisional but 100 starts it again (§16.7 step 2): the far end is alive.
            const bool reinvite = !tx.request->to().tag().empty();
            if (tx.state == S::calling) {
                cancelTimers(tx);
                if (reinvite) tx.stateTimer = startTimer(id, TimerKind::c, kReinviteTimerC);
            } else if (reinvite && status > 100 && !tx.cancelled && !tx.failing) {
                wheel_.cancel(tx.stateTimer);
                tx.stateTimer = startTimer(id, TimerKind::c, kReinviteTimerC);
            }
            tx.state = S::proceeding;
            const bool cancelNow = tx.cancelPending;
            user_.onResponse(id, response);
            if (cancelNow && clients_.contains(id)) sendCancel(tx);
            return;
        }
        cancelTimers(tx);
        if (status < 300) {
            // RFC 6026 §8.4: Accepted passes every 2xx up (forks and retransmissions) until M.
            tx.state = S::accepted;
            tx.request.reset();
            tx.stateTimer = startTimer(id, TimerKind::m, sixtyFourT1());
        } else {
            // §17.1.1.3: the ACK for a non-2xx final is the transaction's own.
            tx.state = S::completed;
            sendAckForFailure(tx, response);
            tx.stateTimer = startTimer(
                id, TimerKind::d, isReliable(tx.destination.transport) ? Ms{0} : sixtyFourT1());
        }
        user_.onResponse(id, response);
        return;
    case S::accepted:
        if (status >= 200 && status < 300) return user_.onResponse(id, response);
        ++stats_.retransmissionsAbsorbed;
        return;
    case S::completed:
        if (status >= 300) {
            ++stats_.retransmissionsAbsorbed;
            ++stats_.retransmissionsSent;
            (void)sender_.send(tx.destination, tx.ack);
        }
        return;
    }
}

void TransactionLayer::sendAckForFailure(ClientTx& tx, const Message& response) {
    const Message& r = *tx.request;
    // §17.1.1.3: the original's Request-URI, Call-ID, From, CSeq number, top Via and Route
    // headers, and the To of the response (with its tag).
    MessageWriter w;
    w.requestLine("ACK", r.requestUri().text);
    w.header(HeaderId::via, r.vias()[0].text);
    for (const auto& route : r.routes())
        w.header(HeaderId::route, route.text);
    w.header(HeaderId::max_forwards, "70");
    w.header(HeaderId::from, r.from().text);
    w.header(HeaderId::to, response.to().text);
    w.header(HeaderId::call_id, r.callId());
    w.header(HeaderId::cseq, fmt::format("{} ACK", r.cseq().number));
    tx.ack = w.finish();
    tx.request.reset();
    (void)sender_.send(tx.destination, tx.ack);
}

void TransactionLayer::onClientNonInviteResponse(ClientTx& tx, const Message& response) {
    using S = ClientTx::State;
    const TransactionId id = tx.id;
    if (tx.state == S::completed) {
        ++stats_.retransmissionsAbsorbed;
        return;
    }
    if (response.status() < 200) {
        // §17.1.2.2: in Proceeding, Timer E retransmits at T2.
        tx.state = S::proceeding;
        user_.onResponse(id, response);
        return;
    }
    cancelTimers(tx);
    tx.state = S::completed;
    tx.request.reset();
    tx.stateTimer =
        startTimer(id, TimerKind::k, isReliable(tx.destination.transport) ? Ms{0} : timers_.t4);
    user_.onResponse(id, response);
}

void TransactionLayer::onClientTimer(ClientTx& tx, TimerKind kind) {
    const TransactionId id = tx.id;
    switch (kind) {
    case TimerKind::a:
    case TimerKind::e:
        ++stats_.retransmissionsSent;
        if (!transmit(tx, std::string(tx.request->bytes()))) return;
        // Timer A doubles without bound (§17.1.1.2); E doubles up to T2, and stays at T2 once a
        // provisional response has come (§17.1.2.2).
        tx.interval = kind == TimerKind::a ? 2 * tx.interval
                      : tx.state == ClientTx::State::proceeding
                          ? timers_.t2
                          : std::min(2 * tx.interval, timers_.t2);
        tx.retransmitTimer = startTimer(id, kind, tx.interval);
        return;
    case TimerKind::c:
        sendCancel(tx);
        return;
    case TimerKind::b:
    case TimerKind::f:
        ++stats_.timeouts;
        removeClient(id);
        return user_.onClientFailure(id, ClientFailure::timeout);
    case TimerKind::sendFailed:
        ++stats_.transportErrors;
        removeClient(id);
        return user_.onClientFailure(id, ClientFailure::transportError);
    default:
        removeClient(id);
        return;
    }
}

// ---------------------------------------------------------------------------------------------
// Timers and bookkeeping

net::TimerWheel::TimerId TransactionLayer::startTimer(TransactionId id, TimerKind kind, Ms delay) {
    // Two words of capture, so std::function keeps it inline: no allocation per timer.
    const std::uint64_t tagged = id << 8 | static_cast<std::uint8_t>(kind);
    return wheel_.schedule(
        delay, [this, tagged] { onTimer(tagged >> 8, static_cast<TimerKind>(tagged & 0xff)); });
}

void TransactionLayer::onTimer(TransactionId id, TimerKind kind) {
    if (auto s = servers_.find(id); s != servers_.end()) return onServerTimer(*s->second, kind);
    if (auto c = clients_.find(id); c != clients_.end()) return onClientTimer(*c->second, kind);
}

void TransactionLayer::cancelTimers(ServerTx& tx) {
    wheel_.cancel(tx.retransmitTimer);
    wheel_.cancel(tx.stateTimer);
}

void TransactionLayer::cancelTimers(ClientTx& tx) {
    wheel_.cancel(tx.retransmitTimer);
    wheel_.cancel(tx.stateTimer);
}

void TransactionLayer::removeServer(TransactionId id) {
    auto found = servers_.find(id);
    if (found == servers_.end()) return;
    cancelTimers(*found->second);
    serverKeys_.erase(found->second->key);
    if (!found->second->mergeKey.empty()) mergeKeys_.erase(found->second->mergeKey);
    servers_.erase(found);
}

void TransactionLayer::removeClient(TransactionId id) {
    auto found = clients_.find(id);
    if (found == clients_.end()) return;
    cancelTimers(*found->second);
    clientKeys_.erase(found->second->key);
    clients_.erase(found);
}

} // namespace sb::sip
