#pragma once
// A leg: one signalling endpoint in a room (ARCHITECTURE.md's vocabulary): a SIP dialog now;
// an H.323 call, a WebRTC peer or a video source later. The room sees every kind through this
// interface only; each protocol's adapter implements it, and tells the room what happens on
// the leg through a LegSink.

#include "core/result.hpp"
#include "room/ids.hpp"
#include "room/media_graph.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::room {

// What happened on a leg, as its adapter tells the room.
struct LegEvent {
    enum class Kind : std::uint8_t {
        ringing,  // the far end is alerting (SIP 180/183)
        answered, // the far end accepted; `answer` is its answer to our offer
        ended,    // the leg is over, for any reason
        failed,   // the leg broke (a transport or protocol failure, not a refusal)
    } kind;
    int status = 0;     // the protocol's status, if any (a SIP response code; 0: none or local)
    std::string reason; // why, in words
    std::string answer; // answered: the far end's answer (SDP)
};

class LegSink {
public:
    virtual void onLegEvent(LegId leg, LegEvent event) = 0;
    // The far end offers anew once the leg is up (hold, resume, another codec or address):
    // `reply` gets our answer, or an error (Errc::too_large: no resources now; anything else:
    // not acceptable), now or later, and always once.
    virtual void onLegOffer(LegId leg, std::string_view offer, Reply<std::string> reply) = 0;

protected:
    ~LegSink() = default;
};

class Leg {
public:
    virtual ~Leg() = default;
    // Ends the leg (SIP: CANCEL while it rings, BYE once answered). Idempotent; an `ended`
    // event may follow, at once or later. A leg destroyed without hangUp() hangs up.
    virtual void hangUp() = 0;
    // How log lines and the API name it, e.g. "sip call 12".
    virtual std::string describe() const = 0;
    // Our own new offer on the leg once it is up (SIP: a re-INVITE); `done` runs once with the
    // far end's answer or why there is none (the leg's session then goes on as it was).
    using Answered = std::function<void(Result<std::string> answer)>;
    virtual Result<void> reoffer(std::string offer, Answered done) = 0;
    // A short text to the far end (SIP: an in-dialog MESSAGE), such as the summary of an
    // agent's context. Errc::unsupported for a kind of leg that carries no text.
    virtual Result<void> sendText(std::string_view text) {
        (void)text;
        return fail(Errc::unsupported, "this kind of leg carries no text");
    }
};

// How to reach someone on a leg of some kind. `target` is the kind's address (a SIP URI, an
// H.323 alias…); `tags` carry the escalation's identity end to end in the kind's own way
// (SIP: X-IF-<name> headers; H.323: user-user data).
struct Dial {
    std::string target;
    std::string offer; // our offer (SDP)
    std::vector<std::pair<std::string, std::string>> tags;
};

// Places legs of one kind.
class LegProvider {
public:
    virtual ~LegProvider() = default;
    // A new leg `id` that reports to `sink`, which outlives it.
    virtual Result<std::unique_ptr<Leg>> place(LegId id, const Dial& dial, LegSink& sink) = 0;
    // Whether a leg to `target` would be signalled over TLS all the way (the guard may require
    // it of an expert).
    virtual bool securesSignalling(std::string_view target) const = 0;
};

} // namespace sb::room
