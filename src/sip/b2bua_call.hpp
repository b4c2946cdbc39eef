#pragma once
// The B2BUA's per-call state, shared by its source files (b2bua.cpp, b2bua_transfer.cpp); not
// part of the public interface.

#include "core/trace.hpp"
#include "sip/b2bua.hpp"

#include <fmt/format.h>
#include <optional>
#include <variant>

namespace sb::sip {

struct B2bua::Half {
    Dialog dialog;
    Destination destination; // where the leg's requests go now
    // How `destination` follows the peer (RFC 3261 §12.2.1.1 and §18.1.1).
    enum class Reach : std::uint8_t {
        nextHop, // the dialog's next hop, located (§12.2.1.1): a leg we placed, a caller's on UDP
        source,  // a caller's leg on UDP from behind a NAT: where its INVITE came from
        // A caller's leg over TCP or TLS: the connection its INVITE came on, while it is open
        // (a UA behind NAT can be reached no other way); its source port is no one's listener,
        // so once it has closed, requests go to `nextHop`, located as for a leg we placed.
        connection,
    } reach = Reach::nextHop;
    std::optional<Destination> nextHop;  // Reach::connection: the dialog's next hop, located
    std::vector<Destination> alternates; // RFC 3263 §4.3: where the INVITE goes if that fails
    bool answered = false;               // a 2xx has crossed this leg
    std::uint32_t ackOwed = 0;           // CSeq of our INVITE whose 2xx awaits our ACK
    std::uint32_t lastAckCseq = 0;       // the ACK we sent, resent on 2xx retransmissions
    std::string lastAck;
    TransactionId ackAwaitedFrom = 0; // our 2xx on this leg, waiting for the peer's ACK

    // RFC 4028, negotiated per leg: who refreshes, how often, and the timer that either sends
    // our refresh or reaps the call when the peer's refresh does not come.
    struct SessionTimer {
        std::uint32_t seconds = 0; // 0: no session timer on this leg
        bool weRefresh = false;
        bool peerSupportsTimer = false; // it listed "timer" in Supported or Require
        bool peerAllowsUpdate = false;  // refresh with UPDATE (RFC 3311) rather than re-INVITE
        net::TimerWheel::TimerId timer;
        TransactionId refresh = 0; // our refresh in flight
    } session;
    std::string lastSdp; // the session description we last sent on this leg (for re-INVITEs)
    // The far end's re-INVITE or UPDATE whose offer the media worker is answering.
    TransactionId offerAwaitingAnswer = 0;
};

struct B2bua::Relay {
    TransactionId server = 0, client = 0;
    Side from = Side::a;
    bool invite = false;
    bool offer = false;     // an INVITE or UPDATE: it may carry an offer (RFC 3264, RFC 3311)
    bool cancelled = false; // an INVITE the call's end cancelled
};

struct B2bua::ClientRef {
    // untracked: requests whose outcome changes nothing (a BYE to an unwanted fork, our own
    // PRACK).
    enum class Kind : std::uint8_t {
        invite,
        relay,
        bye,
        transferInvite,   // REFER: the INVITE to the transfer target
        transferReinvite, // REFER: the re-INVITE giving the transferee the target's offer
        sessionRefresh,   // RFC 4028: our refresh on leg `side`
        reoffer,          // reoffer(): our own new offer on a placed call or one in a room
        untracked,
    } kind;
    std::uint64_t call = 0;
    Side side = Side::a;
};

// A blind transfer in progress (RFC 3515, RFC 5589 §6): the referrer's leg is replaced by
// a new leg to the Refer-To target once the target and the transferee agree on a session.
struct B2bua::Transfer {
    Side referrer = Side::a;
    Half target;
    TransactionId invite = 0;   // to the target, until its final response
    TransactionId reinvite = 0; // to the transferee, until its final response
    bool locating = false;      // DNS is looking for the target (RFC 3263)
    std::string referredBy;     // RFC 3892: passed on to the target
    bool referrerLeft = false;  // it hung up after the 202 (RFC 5589 §6): no NOTIFY goes to it
};

// The header that carries an escalation's trace on its SIP legs (ARCHITECTURE.md).
inline constexpr std::string_view kTraceHeader = "X-IF-Trace-ID";

// The trace an INVITE carries, or "" when it carries none or not a valid W3C trace id (a
// caller's header must not be able to write arbitrary text into our log lines).
inline std::string traceIdOf(const Message& invite) {
    auto value = invite.header(kTraceHeader);
    return value && isTraceId(*value) ? std::string(*value) : std::string();
}

// The three shapes of call, each with what only it has. Call keeps what every call has: its
// halves, its INVITE transactions, its no-answer timer, what ended it.
//
// A bridged call: the caller's INVITE (half A) routed on to the route's target (half B).
struct B2bua::Bridged {
    std::vector<Relay> relays; // in-dialog requests crossing from one half to the other
    // RFC 3262 end to end: A may take reliable provisionals; those B sends reliably are relayed
    // with our own RSeq numbering towards A, and A's PRACK goes on to B with B's numbers.
    bool a100rel = false;
    std::uint32_t aRseq = 0;
    struct ReliableProvisional {
        std::uint32_t aRseq, bRseq;
    };
    std::vector<ReliableProvisional> reliables;
    std::optional<Transfer> transfer;
    std::string mediaBody; // the media policy's last rewrite (see bodyFor)
};

// A call answered by us into a conference room (a route with `conference`): half A only.
struct B2bua::InRoom {
    std::string room;
    std::string target; // a target of another kind, which the room dials (bridgeTo)
    // For log lines: "room NAME", or the target the call goes on to through its room.
    std::string where() const { return room.empty() ? target : "room " + room; }
    bool refused = false; // the room would not take it: it has nothing to let go
};

// A call placed through placeCall(): half B only, reported to its observer.
struct B2bua::Placed {
    OutboundCallSpec spec; // its INVITE's target, body and headers; how offers are answered
    OutboundCallObserver observer;
};

struct B2bua::Call {
    enum class State : std::uint8_t { early, confirmed, cancelling, ending };
    std::uint64_t id = 0;
    State state = State::early;
    Half a, b;
    TransactionId aInvite = 0; // A's INVITE until we answer it
    TransactionId bInvite = 0; // B's INVITE until its final response
    TransactionId aInviteKey = 0;
    std::uint32_t bInviteCseq = 0;
    std::string source; // A's address, for the per-source limit
    int byesPending = 0;
    net::TimerWheel::TimerId noAnswer;
    // Where B's INVITE first went, so that a retry with credentials starts from there.
    std::string bTarget;
    std::vector<std::string> bRouteSet;
    Destination bDestination;
    bool bAuthTried = false; // one retry with credentials per call (RFC 3261 §22.2)
    // The escalation's trace (X-IF-Trace-ID, core/trace.hpp) the call's INVITE carries, when it
    // carries a valid one: every log line about the call names it.
    std::string traceId;
    // How log lines name the call (core/trace.hpp).
    CallTag tag() const noexcept { return callTag(id, traceId); }

    std::variant<Bridged, InRoom, Placed> shape;
    Bridged* bridged() noexcept { return std::get_if<Bridged>(&shape); }
    InRoom* inRoom() noexcept { return std::get_if<InRoom>(&shape); }
    Placed* placed() noexcept { return std::get_if<Placed>(&shape); }
    // Our own offer crossing the call (reoffer()) on its one half (B of a placed call, A of a
    // call in a room): what we offered, and who awaits the answer.
    struct Reoffer {
        Side side = Side::b;
        std::string offer;
        ReofferDone done;
        TransactionId client = 0; // 0: waiting to try again after a 491
        net::TimerWheel::TimerId retry;
    };
    std::optional<Reoffer> reoffer;

    // For the paths that only one shape reaches (a relay, a REFER): another
    // shape there throws std::bad_variant_access, which fails that one message's handling.
    Bridged& asBridged() { return std::get<Bridged>(shape); }
    Placed& asPlaced() { return std::get<Placed>(shape); }

    // What ended it (the first cause only), reported with a placed call's "ended" event.
    bool endKnown = false;
    int endStatus = 0;
    std::string endReason;
    // The Q.850 cause a far end's BYE or CANCEL gave in its Reason header (RFC 3326), as
    // "Q.850;cause=N", for the room to carry on (a gateway's other leg); empty: none.
    std::string endCause;
    void setEnd(int status, std::string_view reason) {
        if (endKnown) return;
        endKnown = true;
        endStatus = status;
        endReason = reason;
    }
};

} // namespace sb::sip
