#pragma once
// The back-to-back user agent: every inbound INVITE that a route accepts becomes two dialogs,
// the inbound leg (A, where we are the UAS) and an outbound leg (B, where we are the UAC) to the
// route's target, with new Call-ID, tags, Via and Contact (RFC 3261 §6 "B2BUA": a UAS and a UAC
// joined by our own logic, not a proxy). Each such call runs through a room of two legs
// (BridgedCallRooms), which its bodies cross: the media is anchored there.
//
// What crosses between the legs: provisional and final responses to the INVITE, the ACK for a
// 2xx (end to end, with its body, so that an offerless INVITE works), BYE, CANCEL (487 on A, a
// CANCEL on B, and the 2xx that crosses it ACKed and BYEd), and every other in-dialog request
// (re-INVITE, UPDATE, INFO, …) with its response.
//
// One B2bua per worker, on the worker's thread.

#include "net/timer_wheel.hpp"
#include "room/leg.hpp"
#include "sip/dialog.hpp"
#include "sip/digest_auth.hpp"
#include "sip/routing.hpp"
#include "sip/server_locator.hpp"
#include "sip/transaction.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::sip {

struct CallLimits {
    std::size_t maxCalls = 10000;         // calls at once; beyond: 503 with Retry-After
    std::size_t maxCallsPerSource = 1000; // calls at once from one source address
    std::uint32_t retryAfterS = 5;
    std::chrono::seconds noAnswerTimeout{180}; // ringing longer than this is cancelled
    // RFC 4028 session timers: the interval we ask for (0: none) and the least we accept.
    std::uint32_t sessionExpiresS = 1800;
    std::uint32_t minSessionExpiresS = 90;
    // On SIGTERM, how long the calls in progress may go on before they are hung up (the
    // server's drain; 0: none).
    std::chrono::seconds drain{30};

    bool operator==(const CallLimits&) const = default;
};

struct AuthOptions {
    // Inbound: challenge every INVITE that opens a call (RFC 3261 §22.2) for these users.
    bool challengeInbound = false;
    std::string realm = "switchboard";
    std::chrono::seconds nonceLifetime{300};
    // Offered, preferred first (RFC 8760 §2: SHA-256 before MD5).
    std::vector<DigestAlgorithm> algorithms{DigestAlgorithm::sha256, DigestAlgorithm::md5};
    std::map<std::string, std::string> users; // username → password
    std::uint32_t failureBurst = 5;           // failed attempts per source before 403 …
    std::chrono::seconds failureRefill{10};   // … and one more allowed per this much time
    // Outbound: what we answer a far end's 401/407 with, by realm ("" matches any realm).
    struct Credential {
        std::string realm, username, password;
        bool operator==(const Credential&) const = default;
    };
    std::vector<Credential> credentials;

    bool operator==(const AuthOptions&) const = default;
};

// Where each bridged call's two halves meet: its room (app::BridgedRooms, a pass-through pair
// of room/room.hpp), told of the call's course and handed every SDP body that crosses it; what
// it returns goes on instead (the media anchored at Switchboard). One relay() per body, in the
// order they cross; offers and answers are told apart by that order (RFC 3264: an answer
// follows the other half's offer), and a repeated body gives the same text again.
class BridgedCallRooms {
public:
    enum class Party { caller, callee };
    virtual ~BridgedCallRooms() = default;
    // A new call took `route`; `traceId`: its X-IF-Trace-ID, or "". Before its first relay().
    virtual void began(std::uint64_t call, const RouteMatch& route, std::string_view traceId) = 0;
    // The SDP to send on for `sdp` from party `from`. Errors: Errc::invalid_input (a malformed
    // description: 488 with a Warning naming it), Errc::unsupported (no usable codec: 488,
    // warn-code 305), Errc::too_large (no media ports left: 503).
    virtual Result<std::string> relay(std::uint64_t call, Party from, std::string_view sdp) = 0;
    // The callee alerts (a provisional response with a tag, 180 or 183 with `status`).
    virtual void ringing(std::uint64_t call, int status) = 0;
    // The callee's 2xx has gone on to the caller: both halves are up.
    virtual void answered(std::uint64_t call) = 0;
    // The call is over: what ended it (its status, 0 for none, and why), as far as it is known.
    virtual void ended(std::uint64_t call, int status, std::string_view reason) = 0;
    // A DTMF digit in a SIP INFO from party `from`: true when the media layer sent it on as RFC
    // 4733 events to the other half (which has telephone-event), so that the INFO goes no
    // further.
    virtual bool dtmfFromInfo(std::uint64_t call, Party from, char digit,
                              std::chrono::milliseconds duration) = 0;
    // How the media layer sends a digit as SIP INFO to a party without telephone-event; the
    // B2BUA sets it.
    using InfoSender = std::function<void(std::uint64_t call, Party to, char digit,
                                          std::chrono::milliseconds duration)>;
    void setInfoSender(InfoSender sender) { infoSender_ = std::move(sender); }

protected:
    InfoSender infoSender_;
};

// Our answer to a far end's offer on a call whose media we terminate, given when the media
// worker has made it (now or later, and once): the answer, or why not — Errc::too_large is
// answered 503, any other error 488 with a Warning naming it.
using OfferAnswered = std::function<void(Result<std::string> answer)>;

// Calls Switchboard answers itself: a route that names a conference room makes the B2BUA the
// caller's only peer (its UAS, with no outbound leg), and the media of the call goes here.
class ConferenceRooms {
public:
    virtual ~ConferenceRooms() = default;
    // Our answer to an offer from the call's caller: the first one joins `room`; later ones
    // (re-INVITE, UPDATE) change the call's media. `traceId`: the call's X-IF-Trace-ID, or "",
    // for the log lines.
    virtual void join(std::uint64_t call, std::string_view room, std::string_view offer,
                      std::string_view traceId, OfferAnswered reply) = 0;
    // A call to a target of another kind (a route whose target is not a SIP URI: an h323:
    // URL), which a room of its own dials: the B2BUA is the caller's UAS, and the room tells it
    // how the target goes (B2bua::ringing, answer, refuse). Later offers come to join().
    virtual void bridgeTo(std::uint64_t call, std::string_view target, std::string_view offer,
                          std::string_view traceId) = 0;
    // The caller pressed a key (an INFO with a DTMF body, sip/dtmf_info.hpp).
    virtual void digit(std::uint64_t call, char digit, std::chrono::milliseconds duration) {
        (void)call;
        (void)digit;
        (void)duration;
    }
    // The caller asks for a full picture of the video it receives (an INFO with
    // picture_fast_update, sip/media_control.hpp).
    virtual void pictureUpdate(std::uint64_t call) { (void)call; }
    // The call is over; `cause`: the Q.850 cause its caller's BYE or CANCEL gave (RFC 3326,
    // "Q.850;cause=16"), or empty.
    virtual void left(std::uint64_t call, std::string_view cause) = 0;
};

struct B2buaOptions {
    std::string userAgent = "Switchboard";
    TimerSettings timers;
    CallLimits limits;
    RouteTable routes;
    AuthOptions auth;
    // Our own addresses, one per transport and family, for Via and Contact.
    std::vector<BoundListener> listeners;
    // RFC 3263 lookups of names in targets, proxies and route sets; null: IP addresses only.
    net::DnsClient* dns = nullptr;
    // The bridged calls' rooms, with their media; null: bodies pass through untouched. Like
    // `dns` and `rooms`, it must outlive the B2BUA.
    BridgedCallRooms* callRooms = nullptr;
    // The conference rooms that routes may name; null: such routes get 404.
    ConferenceRooms* rooms = nullptr;
};

// Header name (static storage: a literal or canonicalName()) and value.
using ExtraHeaders = std::vector<std::pair<std::string_view, std::string>>;

// What goes into a request the B2BUA sends on a leg, besides what the dialog provides.
struct OutgoingRequest {
    const Message* copyFrom = nullptr;  // the body and end-to-end headers come from here
    std::string_view body, contentType; // otherwise these
    bool ownBody = false;               // with copyFrom: its headers, but this body
    ExtraHeaders extra;
    std::uint32_t cseq = 0; // 0: the dialog's next
    std::uint32_t maxForwards = 70;
};

// A call Switchboard places itself (the escalation service's call to an expert).
struct OutboundCallSpec {
    std::string target;                               // the Request-URI: a sip: or sips: URI
    std::string from = "<sip:switchboard@localhost>"; // the From value, without a tag
    std::string body, contentType;                    // the offer (SDP); may be empty
    std::vector<std::pair<std::string, std::string>> headers; // e.g. X-IF-Trace-ID
    std::string outboundProxy;                                // a SIP URI, or empty
    std::optional<Transport> transport;
    // Answers a new offer from the far end once the call is up (a re-INVITE or UPDATE: hold,
    // resume, another codec or address), through `reply`. Unset: every such offer gets 488.
    std::function<void(std::string_view offer, OfferAnswered reply)> answerOffer;
    // A key the far end pressed (an INFO with a DTMF body); unset: such INFOs are only answered.
    std::function<void(char digit, std::chrono::milliseconds duration)> digit;
    // The far end asks for a full picture (an INFO with picture_fast_update, RFC 5168).
    std::function<void()> pictureUpdate = {};
};

struct OutboundCallEvent {
    enum class Kind { ringing, answered, ended } kind;
    int status = 0;     // the response's status; for "ended", what ended it (0: a local hang-up)
    std::string reason; // its reason phrase, or why the call ended
    std::string body, contentType; // "answered": the answer; "ringing": an early one, if any
    std::string cause = {}; // "ended": the far end's Q.850 cause (its BYE's Reason), or empty
};
using OutboundCallObserver = std::function<void(std::uint64_t call, const OutboundCallEvent&)>;
// The far end's answer to our own offer (reoffer()), or why there is none.
using ReofferDone = std::function<void(Result<std::string> answer)>;

class B2bua final : private TransactionUser {
public:
    B2bua(net::TimerWheel& wheel, MessageSender& sender, B2buaOptions options);
    ~B2bua() override;
    B2bua(const B2bua&) = delete;
    B2bua& operator=(const B2bua&) = delete;

    // Feeds a well-formed message (a parse failure is answered before this).
    void receive(Message&& message, const InboundMessage& source);
    // A TCP/TLS connection to a peer failed (TransportLayer::onConnectFailed).
    void transportFailed(Transport transport, const asio::ip::address& address,
                         std::uint16_t port) {
        layer_.transportFailed(transport, address, port);
    }

    // Places a call (an INVITE to spec.target) and reports ringing, answered and, exactly once,
    // ended to the observer, on this worker. The call counts against max_calls. Requests from
    // the far end are answered here: BYE ends the call; a re-INVITE or UPDATE without an offer
    // is accepted; one with an offer is answered by spec.answerOffer (488 without one). Errors:
    // Errc::too_large at the call limit, those of ServerLocator::locate() for a target that
    // cannot be used at all; when DNS finds no server, "ended" reports it (502, or 504 when DNS
    // did not answer).
    Result<std::uint64_t> placeCall(OutboundCallSpec spec, OutboundCallObserver observer);
    // Ends a placed call (CANCEL while it rings, BYE once answered; "ended" follows), a call
    // answered into a conference room (BYE to its caller; ConferenceRooms::left follows), or a
    // bridged call (480 to the caller and CANCEL to the callee while it rings, BYE to both once
    // answered; BridgedCallRooms::ended follows).
    // `cause`: why, as an RFC 3326 reason-value ("Q.850;cause=16"), in the BYE's Reason header.
    void hangUp(std::uint64_t call, std::string_view cause = {});
    // A call to a target of another kind (ConferenceRooms::bridgeTo) that waits for it: 180
    // Ringing to its caller, or 183 Session Progress with `earlyAnswer` when the target's media
    // flows already (RFC 3960's gateway model; the 200 then carries the same answer, RFC 3261
    // §13.2.1); 200 with `answer`; or the final response `status` (300 to 699)
    // with `reason` as its phrase and `cause` (an RFC 3326 reason-value, "Q.850;cause=17", or
    // empty) in a Reason header, after which the call ends (ConferenceRooms::left follows).
    // Errc::not_found when no such call waits.
    Result<void> ringing(std::uint64_t call, std::string_view earlyAnswer = {});
    Result<void> answer(std::uint64_t call, std::string answer);
    Result<void> refuse(std::uint64_t call, int status, std::string_view reason,
                        std::string_view cause);
    // Who calls on a call that waits: its From's user part and display name, as written;
    // empty for a call that does not wait.
    room::Caller callerOf(std::uint64_t call);
    // Our own new offer on a placed call that is answered, or on a call in a room (to add or
    // remove a stream, change the codec, hold its far end): a re-INVITE carrying it (RFC 3261
    // §14.1), to the callee or to the caller. `done` runs once with the far
    // end's answer, or an error: Errc::unsupported when it refuses (488 and the like: the
    // session goes on as it was), Errc::closed when the call ends first, Errc::timeout. A 491
    // (the far end's offer crossed ours) is retried after the §14.1 back-off. Errors at once:
    // Errc::not_found (no such placed call or call in a room), Errc::incomplete (not answered
    // yet, or an offer is already crossing it).
    Result<void> reoffer(std::uint64_t call, std::string offer, ReofferDone done);
    // A short text to the far end of a placed call that is answered: an in-dialog MESSAGE
    // (RFC 3428) with a text/plain body. Its response changes nothing (a phone that refuses
    // MESSAGE answers 405 and the call goes on). Errors: Errc::not_found, Errc::incomplete
    // (not answered, or ending), Errc::too_large over RFC 3428 §5's 1,300 bytes.
    Result<void> sendText(std::uint64_t call, std::string_view text);
    // A DTMF digit to the far end of a placed call, or to the caller of a call answered into a
    // room, once answered: an INFO with an application/dtmf-relay body (RFC 6086). Errors:
    // Errc::not_found, Errc::incomplete (not answered, or ending).
    Result<void> sendDigit(std::uint64_t call, char digit, std::chrono::milliseconds duration);

    // From now on, no new call: an INVITE that would open one, and an OPTIONS (which asks what
    // an INVITE would get, RFC 3261 §11.2: a load balancer's probe), get 503 with Retry-After;
    // calls in progress go on. The server's drain on SIGTERM.
    void drain() { draining_ = true; }
    bool draining() const noexcept { return draining_; }

    struct Stats {
        std::uint64_t calls = 0, dialogs = 0; // now
        std::uint64_t callsTotal = 0, callsAnswered = 0, callsFailed = 0, callsCancelled = 0;
        std::uint64_t rejectedOverload = 0, rejectedLoop = 0, rejectedNoRoute = 0;
        std::uint64_t callsReaped = 0;  // ended by a session timer or a failed refresh
        std::uint64_t failovers = 0;    // INVITEs sent again to the next server (RFC 3263 §4.3)
        ServerLocator::Stats locator;   // DNS lookups of names (none without options.dns)
        std::uint64_t authFailures = 0; // inbound credentials that did not verify
        std::unordered_map<int, std::uint64_t> failuresByStatus; // finals ≥ 300 sent on leg A
    };
    Stats stats() const;
    const TransactionLayer& transactions() const noexcept { return layer_; }

private:
    enum class Side : std::uint8_t { a, b };
    struct Call;
    struct Bridged;
    struct InRoom;
    struct Placed;
    struct Half;
    struct Relay;
    struct ClientRef;
    struct Transfer;

    // TransactionUser
    void onRequest(TransactionId server, const Message& request,
                   const InboundMessage& source) override;
    void onAck(const Message& ack, const InboundMessage& source) override;
    void onCancel(TransactionId invite, const Message& cancel) override;
    void onResponse(TransactionId client, const Message& response) override;
    void onClientFailure(TransactionId client, ClientFailure failure) override;
    void onAckTimeout(TransactionId server) override;

    void onInitialInvite(TransactionId server, const Message& invite, const InboundMessage& source);
    void cancelRelayed(TransactionId invite, const Message& cancel);
    void onOutOfDialog(TransactionId server, const Message& request);
    void refuseWhileDraining(TransactionId server, const Message& request);
    void onInDialog(TransactionId server, const Message& request, Call& call, Side side);
    // DTMF between SIP INFO and RFC 4733, in b2bua_media.cpp: true when an INFO's digit was
    // taken by the media layer (and answered here).
    bool infoToMedia(TransactionId server, const Message& info, Call& call, Side side);
    void sendDtmfInfo(std::uint64_t callId, Side to, char digit,
                      std::chrono::milliseconds duration);
    // Calls to a conference room, in b2bua_conference.cpp.
    // `target`: of another kind, which the room dials (bridgeTo); empty for a conference.
    void joinConference(TransactionId server, const Message& invite, const InboundMessage& source,
                        const std::string& room, const std::string& target = {});
    // The call to a target of another kind that waits for it, or null.
    Call* waitingBridge(std::uint64_t call);
    void onConferenceRequest(TransactionId server, const Message& request, Call& call);
    void onConferenceAnswer(std::uint64_t id, TransactionId server, Result<std::string> answer);
    // A far end's new offer on a call whose media we terminate (a conference call's caller, a
    // placed call's callee), handed to `ask`; its answer, when it comes, answers the request.
    using AskMedia = std::function<void(std::string_view offer, OfferAnswered reply)>;
    void answerOffer(TransactionId server, const Message& request, Call& call, Side side,
                     const AskMedia& ask);
    void onOfferAnswered(std::uint64_t id, Side side, TransactionId server,
                         Result<std::string> answer);
    // The answer to an in-dialog INVITE or UPDATE: 200 with the leg's description.
    void acceptSessionRequest(TransactionId server, const Message& request, Half& leg);
    void onInviteResponse(Call& call, const Message& response);
    void startNoAnswerTimer(Call& call);
    // B's INVITE built from A's (100rel and session timers negotiated per leg); false if it
    // could not be built.
    bool sendOutboundInvite(Call& call, const Message& invite, std::string authorization = {},
                            HeaderId authorizationHeader = HeaderId::authorization);
    // Digest authentication, in b2bua_auth.cpp. authenticateCaller answers (401, 403) and
    // returns false when the caller may not go on.
    bool authenticateCaller(TransactionId server, const Message& invite, const std::string& source);
    bool retryWithCredentials(Call& call, const Message& challenge);
    // placeCall()'s calls, in b2bua_outbound.cpp.
    void onOutboundInviteResponse(Call& call, const Message& response);
    bool sendPlacedInvite(Call& call, std::string authorization = {},
                          HeaderId authorizationHeader = HeaderId::authorization);
    void onOutboundRequest(TransactionId server, const Message& request, Call& call);
    void sendReoffer(Call& call);
    void onReofferResponse(Call& call, const Message& response);
    // The pending reoffer() learns its outcome, once.
    void finishReoffer(Call& call, Result<std::string> outcome);
    // REFER (RFC 3515), in b2bua_transfer.cpp.
    void onRefer(TransactionId server, const Message& refer, Call& call, Side referrer);
    void onTransferLocated(Call& call, Result<ServerLocator::Destinations> where);
    void sendTransferInvite(Call& call);
    void onTransferInviteResponse(Call& call, const Message& response);
    void onTransferReinviteResponse(Call& call, const Message& response);
    void onTransferFailure(Call& call, bool targetInvite, int status, std::string_view reason);
    void notifyReferrer(Call& call, int status, std::string_view reason, bool final);
    void abandonTransfer(Call& call);
    // RFC 4028 session timers, in b2bua_session_timer.cpp.
    void negotiateSessionTimers(Call& call, const Message& inviteA, const Message& answerB,
                                MessageWriter& answerToA);
    void addSessionHeaders(const Half& leg, bool asUac, MessageWriter& w) const;
    void addSessionHeaders(const Half& leg, bool asUac, OutgoingRequest& out) const;
    void restartSessionTimer(Call& call, Side side);
    void onSessionTimer(std::uint64_t callId, Side side);
    void sendSessionRefresh(Call& call, Side side);
    void onSessionRefreshResponse(Call& call, Side side, const Message& response);
    void onSessionRefreshFailed(Call& call, Side side);
    void reapCall(Call& call, std::string_view why);
    void onRelayResponse(Call& call, Relay relay, const Message& response);
    void onExtra2xx(Call& call, Side side, const Message& response);
    // A leg's dialog takes the tag, route set and target of a response that makes it (a 1xx
    // with a tag, or the 2xx); acceptAnswer also marks the leg answered and owing an ACK.
    void followResponse(Half& leg, const Message& response);
    // A new outbound leg's dialog (Call-ID, our tag, the target, an outbound proxy as its
    // pre-loaded route) and where its INVITE goes (RFC 3263). True when that is known at once;
    // false when DNS must answer first: `later` then runs with the call, if it still exists.
    // Errors (at once): those of ServerLocator::locate().
    using Located = std::function<void(Call&, Result<ServerLocator::Destinations>)>;
    Result<bool> startLeg(std::uint64_t call, Half& leg, std::string_view target,
                          std::string_view outboundProxy, std::optional<Transport> transport,
                          Located later);
    std::optional<Result<ServerLocator::Destinations>>
    locate(std::string_view uri, std::optional<Transport> transport, ServerLocator::Done done);
    // B's INVITE once its destination is known (or not: the call fails with 502 or 504).
    void onOutboundLocated(Call& call, Result<ServerLocator::Destinations> where);
    bool sendInitialInvite(Call& call);
    // RFC 3263 §4.3: B's INVITE failed (transport error, timeout, 503) before B answered; if
    // another server is listed, the INVITE goes there and this returns true.
    bool tryNextServer(Call& call);
    // B's dialog back to where the INVITE first went, for the INVITE to go again.
    void rewindOutboundLeg(Call& call);
    static void useDestinations(Half& leg, ServerLocator::Destinations where);
    // A dialog's requests go to its next hop (§12.2.1.1), located like a target.
    void followNextHop(Half& leg);
    // The caller's leg: how its requests reach it (Half::Reach), from where its INVITE came.
    void reachCaller(Half& a, const InboundMessage& source, const Message& invite);
    // §12.2.2: a target refresh request or response; the next hop follows the new target.
    void refreshTarget(Half& leg, const Message& message);
    // Where the leg's next request goes: a caller's closed connection gives way to its next
    // hop here.
    const Destination& reachable(Half& leg);
    void acceptAnswer(Half& leg, const Message& answer);
    // A response to the caller's INVITE with our tag, its Record-Route, our Contact.
    MessageWriter responseToCaller(Call& call, const Message& invite, int status,
                                   std::string_view reason);
    void answerCallerWith(Call& call, int status, std::string_view reason,
                          const Message* from = nullptr);
    void relayAck(Call& call, Side from, const Message& ack);
    // The ACK we owe for a 2xx on this leg (Half::ackOwed), with copyFrom's body if any.
    void sendAck(Half& leg, const Message* copyFrom = nullptr,
                 std::optional<std::string_view> body = std::nullopt);
    // Media anchoring, in b2bua_media.cpp. The body to send on for `m`'s (from side `from`):
    // the media policy's rewrite of an SDP body (kept in the bridged call's mediaBody until the
    // next), else the body as it is.
    Result<std::string_view> bodyFor(Call& call, Side from, const Message& m);
    // The answer to a request whose description the media policy refused (488 or 503).
    MessageWriter mediaRefusal(const Message& request, const Error& error, std::string_view toTag);
    // Ends one leg: BYE when answered (after any ACK we owe), CANCEL while B still rings.
    void hangUp(Call& call, Side toward, std::string_view cause = {});
    // ACK (if owed) and BYE on an answered leg; returns the BYE's transaction (0: none sent).
    TransactionId byeLeg(Half& leg, std::string_view cause = {});
    void endCall(std::uint64_t id);
    void maybeEnd(Call& call);

    // Builders and senders.
    std::string newToken(); // tags, Call-ID parts, branches
    // Our Via and Contact for a request or response going to `to`.
    std::string via(const Destination& to);
    std::string contact(const Destination& to);
    const BoundListener* listenerFor(Transport transport, bool v6) const;
    // "host:port" of the listener that sends to `to`: its advertised host, its address, or for
    // a wildcard listener the address the system sends to `to` from.
    std::string hostPort(const Destination& to);
    // Sends a request on a leg's dialog; returns its client transaction, 0 if it could not be
    // built.
    TransactionId sendOn(Half& leg, std::string_view method, const OutgoingRequest& out = {});
    // PRACK to B for a reliable provisional response A cannot acknowledge (RFC 3262 §7.2).
    void acknowledgeReliable(Call& call, std::uint32_t rseq, std::uint32_t inviteCseq);
    void respondSimple(TransactionId server, const Message& request, int status,
                       std::string_view reason, std::string_view toTag = {});
    Call* findCall(std::string_view callId, std::string_view localTag, Side* side);
    Half& half(Call& call, Side side);
    static Side other(Side side) { return side == Side::a ? Side::b : Side::a; }

    TransactionLayer layer_;
    net::TimerWheel& wheel_;
    B2buaOptions options_;
    bool draining_ = false;
    std::unique_ptr<ServerLocator> locator_;                                 // when options_.dns
    std::unordered_map<asio::ip::address, asio::ip::address> sourceTowards_; // wildcard listeners
    std::mt19937_64 random_;
    std::uint64_t nextCall_ = 1;
    std::unordered_map<std::uint64_t, std::unique_ptr<Call>> calls_;
    std::unordered_map<std::string, std::pair<std::uint64_t, Side>> dialogs_;
    std::unordered_map<TransactionId, std::uint64_t> inviteServers_; // A's INVITE → call
    std::unordered_map<TransactionId, ClientRef> clients_;
    std::unordered_map<std::string, std::size_t> callsPerSource_;
    std::unique_ptr<DigestChallenger> challenger_; // when auth.challengeInbound
    FailureLimiter authFailures_;
    Stats stats_;
};

} // namespace sb::sip
