#pragma once
// A leg: one signalling endpoint in a room (ARCHITECTURE.md's vocabulary): a SIP dialog now;
// an H.323 call, a WebRTC peer or a video source later. The room sees every kind through this
// interface only; each protocol's adapter implements it, and tells the room what happens on
// the leg through a LegSink.

#include "core/result.hpp"
#include "core/spool_file.hpp"
#include "room/ids.hpp"
#include "room/media_graph.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::room {

// An evidence file an agent gives the room, whole and immutable (shared by every leg that
// carries it, and kept for a resume). Its bytes are in a spool file, read off the packet path.
struct EvidenceFile {
    std::string id;     // the room's name for it, stable across reconnects (32 hex digits)
    std::string name;   // the file name the agent gave
    std::string type;   // its media type
    std::string sha256; // lower-case hex, of its bytes
    std::uint64_t size = 0;
    std::shared_ptr<const SpoolFile> content; // null for an empty file
};

// What happened on a leg, as its adapter tells the room.
struct LegEvent {
    enum class Kind : std::uint8_t {
        ringing,   // the far end is alerting (SIP 180/183); `answer`: its early answer, if any
        answered,  // the far end accepted; `answer` is its answer to our offer
        ended,     // the leg is over, for any reason
        failed,    // the leg broke (a transport or protocol failure, not a refusal)
        degraded,  // up, but its transport is impaired (state.hpp); `reason` says how
        recovered, // no longer degraded
    } kind;
    int status = 0;     // the protocol's status, if any (a SIP response code; 0: none or local)
    std::string reason; // why, in words
    std::string answer = {}; // answered: the far end's answer (SDP)
    // ended, failed: the far end's own cause, as RFC 3326 writes it ("Q.850;cause=17"), for a
    // gateway to carry across to the leg it joins; empty: none given.
    std::string cause = {};
};

// How far a file that a leg carries (Leg::sendFile) has gone.
struct FileProgress {
    std::string transfer;     // the transfer's id, as sendFile() returned it
    std::uint64_t held = 0;   // bytes the far end has acknowledged holding
    std::uint64_t size = 0;   // the file's
    std::uint32_t chunks = 0; // chunks acknowledged (where a resume goes on from)
    bool complete = false;    // the far end holds all of it, its digest checked
    std::string error;        // the transfer is over without success: why
};

class LegSink {
public:
    virtual void onLegEvent(LegId leg, LegEvent event) = 0;
    // The far end offers anew once the leg is up (hold, resume, another codec or address):
    // `reply` gets our answer, or an error (Errc::too_large: no resources now; anything else:
    // not acceptable), now or later, and always once.
    virtual void onLegOffer(LegId leg, std::string_view offer, Reply<std::string> reply) = 0;
    // The far end pressed a key (SIP INFO, H.245 UserInputIndication): a DTMF digit, '0'–'9',
    // '*', '#' or 'A'–'D', held `duration`.
    virtual void onDigit(LegId leg, char digit, std::chrono::milliseconds duration) {
        (void)leg;
        (void)digit;
        (void)duration;
    }
    // The far end asks for a full picture of the room's video, which its decoder lost (SIP
    // INFO picture_fast_update, RFC 5168; RTCP's PLI and FIR stay in the media).
    virtual void onPictureLoss(LegId leg) { (void)leg; }
    // A file the leg carries has gone further, arrived whole, or failed.
    virtual void onFileProgress(LegId leg, const FileProgress& progress) {
        (void)leg;
        (void)progress;
    }
    // What happens beyond the leg that is not the leg's own state: e.g. who joins or leaves
    // the council a link leg stands for ("member_joined", "h323 call 3 from a caller").
    virtual void onLegNotice(LegId leg, std::string_view kind, std::string_view detail) {
        (void)leg;
        (void)kind;
        (void)detail;
    }

protected:
    ~LegSink() = default;
};

// Who calls on a leg that arrived, as its far end names itself: its user (a SIP URI's user
// part; an H.323 alias or number) and display name. A gateway's call carries it on to the leg
// it dials (Dial::caller), so the callee sees who calls, not the gateway.
struct Caller {
    std::string user, display;
    bool empty() const noexcept { return user.empty() && display.empty(); }
};

class Leg {
public:
    virtual ~Leg() = default;
    // Ends the leg (SIP: CANCEL while it rings, BYE once answered). Idempotent; an `ended`
    // event may follow, at once or later. A leg destroyed without hangUp() hangs up.
    virtual void hangUp() = 0;
    // How log lines and the API name it, e.g. "sip call 12".
    virtual std::string describe() const = 0;
    // An arrived leg's caller; empty for a leg we placed, or one that did not say.
    virtual Caller caller() const { return {}; }
    // Our own new offer on the leg once it is up (SIP: a re-INVITE); `done` runs once with the
    // far end's answer or why there is none (the leg's session then goes on as it was).
    using Answered = std::function<void(Result<std::string> answer)>;
    virtual Result<void> reoffer(std::string offer, Answered done) = 0;
    // A leg that arrived and waits for the one it goes on to (Room::dialOnward: a gateway's
    // call) tells its far end how that one goes: `alert` when it rings (SIP 180, H.225.0
    // Alerting), or, `early`, when that one's media flows already (early media: SIP 183 with
    // `answer`, our answer for this leg; H.225.0 Progress, whose leg answers our offer itself
    // and has no `answer`); `accept` when it answers, with our answer for this leg (SIP 200,
    // H.225.0 Connect), after which the leg reports `answered`.
    virtual void alert(bool early, std::string_view answer) {
        (void)early;
        (void)answer;
    }
    virtual void accept(std::string_view answer) { (void)answer; }
    // Either leg of such a call ends as the other did: with its status (a SIP final response
    // while this one waits), its reason, and its cause (RFC 3326's "Q.850;cause=17", or empty),
    // which crosses in the protocol's own way (a SIP Reason header, an H.225.0 Cause); `ended`
    // follows. By default the leg has no way to say why: it hangs up.
    virtual void release(int status, std::string_view reason, std::string_view cause) {
        (void)status;
        (void)reason;
        (void)cause;
        hangUp();
    }
    // A short text to the far end (SIP: an in-dialog MESSAGE), such as the summary of an
    // agent's context. Errc::unsupported for a kind of leg that carries no text.
    virtual Result<void> sendText(std::string_view text) {
        (void)text;
        return fail(Errc::unsupported, "this kind of leg carries no text");
    }
    // A DTMF digit to the far end (SIP INFO, H.245 UserInputIndication), held `duration`.
    // Errc::unsupported for a kind of leg that carries none.
    virtual Result<void> sendDigit(char digit, std::chrono::milliseconds duration) {
        (void)digit;
        (void)duration;
        return fail(Errc::unsupported, "this kind of leg carries no digits");
    }
    // The agent's context for the far end: `summary`, a short text, and `context`, the whole
    // document (JSON text, possibly empty). A leg carries what it can: by default the summary
    // alone, as sendText(); a WebRTC peer's DataChannel carries both.
    virtual Result<void> sendContext(std::string_view summary, std::string_view context) {
        (void)context;
        return sendText(summary);
    }
    // An evidence file for the far end, sent from chunk `fromChunk` on (a resume after a
    // reconnect); its course comes through LegSink::onFileProgress. The transfer's id, or
    // Errc::unsupported for a kind of leg that carries no files.
    virtual Result<std::string> sendFile(const std::shared_ptr<const EvidenceFile>& file,
                                         std::uint32_t fromChunk) {
        (void)file;
        (void)fromChunk;
        return fail(Errc::unsupported, "this kind of leg carries no files");
    }
};

// How to reach someone on a leg of some kind. `target` is the kind's address (a SIP URI, an
// H.323 alias…); `tags` carry the escalation's identity end to end in the kind's own way
// (SIP: X-IF-<name> headers; H.323: user-user data).
struct Dial {
    std::string target;
    std::string offer; // our offer (SDP)
    std::vector<std::pair<std::string, std::string>> tags;
    Caller caller = {}; // whom the leg calls for (Room::dialOnward: the arrived leg's); empty: us
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
    // The media its legs bring (media_graph.hpp): a call's without SDES keys, unless the kind
    // says otherwise.
    virtual LegMedia media() const { return {}; }
};

} // namespace sb::room
