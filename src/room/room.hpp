#pragma once
// A room: one escalation's meeting place (ARCHITECTURE.md "Room and bridge state"). It owns
// its legs, places them through the providers of their kinds, keeps each leg's state, computes
// its own from theirs, and gives their media to the graph. Whoever opened the room hears of
// every state change, with the room's state after it, to publish and witness it.
//
// Runs on the thread of its providers and graph; not thread-safe.

#include "room/ids.hpp"
#include "room/leg.hpp"
#include "room/media_graph.hpp"
#include "room/pair_media.hpp"
#include "room/setup_steps.hpp"
#include "room/state.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace sb::room {

class Room;

struct LegChange {
    LegId leg;
    LegState from = LegState::setup, to = LegState::setup;
    int status = 0;     // the protocol's status that caused it, if any
    std::string reason; // why, if it says more than the state
    std::string cause;  // the far end's own cause (LegEvent::cause), if it gave one
};

class RoomObserver {
public:
    // After `change`, with the room's state before it (room.state() is the state now). The
    // observer may hang legs up or dial new ones, but must not destroy the room from here.
    virtual void onLegChange(Room& room, const LegChange& change, RoomState before) = 0;
    // A file a leg carries has gone further (Leg::sendFile).
    virtual void onFileProgress(Room& room, LegId leg, const FileProgress& progress) {
        (void)room;
        (void)leg;
        (void)progress;
    }
    // A live leg's notice (LegSink::onLegNotice).
    virtual void onLegNotice(Room& room, LegId leg, std::string_view kind,
                             std::string_view detail) {
        (void)room;
        (void)leg;
        (void)kind;
        (void)detail;
    }
    // A gateway's call (Room::dialOnward): the onward leg answered, and the arrived one is
    // answered once `done` says so: the observer's own last set-up step (a witness entry).
    // An error undoes the call, newest first: the onward leg hung up, the arrived one ended
    // with 500 and the error named. The room may have closed when `done` is told.
    virtual void beforeAnswer(Room& room, LegId arrived, LegId onward, const Reply<void>& done) {
        (void)room;
        (void)arrived;
        (void)onward;
        done({});
    }

protected:
    ~RoomObserver() = default;
};

// Every room of one worker: the providers of each leg kind, the media, the ids. Rooms whose
// legs are dialled and admitted take their media from a graph; pass-through pairs (pair())
// from a PairMedia.
class Rooms {
public:
    explicit Rooms(MediaGraph& media) : media_(&media) {}
    // Rooms of pairs only; without `pairs`, descriptions cross a pair untouched.
    explicit Rooms(PairMedia* pairs) : pairs_(pairs) {}
    Rooms(const Rooms&) = delete;
    Rooms& operator=(const Rooms&) = delete;

    // Legs of `kind` ("sip", later "h323", "webrtc", "video") come from `provider`, which
    // must outlive the rooms.
    void provide(std::string kind, LegProvider& provider);
    std::unique_ptr<Room> open(std::string name, std::string traceId, RoomObserver& observer);
    // The provider of `kind`'s word on `target` (LegProvider::securesSignalling); false for a
    // kind no one provides.
    bool securesSignalling(std::string_view kind, std::string_view target) const;

    struct Stats {
        std::size_t rooms = 0;     // open now
        std::size_t legs = 0;      // not yet closed or failed, in every room
        std::uint64_t dialled = 0; // legs placed
        std::uint64_t undone = 0;  // set-ups that failed and were undone
    };
    const Stats& stats() const noexcept { return stats_; }

private:
    friend class Room;
    // The room, if it is still open: the graph's replies find their room through this, since
    // a room may close while its media worker is still answering.
    Room* find(RoomId id) const;

    MediaGraph* media_ = nullptr;
    PairMedia* pairs_ = nullptr;
    std::unordered_map<std::string, LegProvider*> providers_;
    std::unordered_map<RoomId, Room*> open_;
    std::uint64_t nextRoom_ = 1, nextLeg_ = 1;
    Stats stats_;
};

class Room final : private LegSink {
public:
    Room(Rooms& rooms, RoomId id, std::string name, std::string traceId, RoomObserver& observer);
    // Every leg still up is hung up and its media goes; the observer hears nothing more.
    ~Room();
    Room(const Room&) = delete;
    Room& operator=(const Room&) = delete;

    // Places a leg of `kind`: our media offer ("media offer", undone by the leg's streams
    // going), then the call ("call", undone by hanging it up). The leg starts in `setup`; the
    // observer hears of its changes from then on (of this first one, the caller knows:
    // state() is the room's after it). A step that fails before dial() returns fails it, and
    // nothing is left; one that fails later closes the leg, with the step named in the reason.
    Result<LegId> dial(std::string_view kind, Dial dial, Role role);
    // Where the room's legs report: their adapters hold it (LegSink's calls).
    LegSink& sink() noexcept { return *this; }
    // A leg that arrived with an offer (a call Switchboard answers): the graph's answer to
    // it ("media answer"), then the leg that `make` builds around it ("leg"); the leg is
    // connected at once. `reply` gets the leg and our answer, or the step that failed (and
    // nothing is left of it), now or later, and always once while the room is open.
    // With `waits`, the leg stays in `setup` for dialOnward(): the answer is kept for its far
    // end until the leg it goes on to answers, and the leg moves as its adapter reports.
    struct Admitted {
        LegId leg;
        std::string answer;
    };
    using MakeLeg = std::function<Result<std::unique_ptr<Leg>>(LegId id, LegSink& sink)>;
    void admit(std::string_view offer, Role role, MakeLeg make, const Reply<Admitted>& reply,
               bool waits = false);
    // A gateway's call: `arrived`, admitted to wait, goes on to a leg of `kind` dialled as
    // dial() does (essential), and answers its far end as that leg goes (Leg::alert, accept,
    // release with the leg's status and cause: SIP 486 and Q.850 17 for a busy H.323 callee).
    // Either leg's end, before or after the answer, ends the other with its status and cause
    // (Leg::release). A dial that fails at once releases `arrived` (502; 503 when resources
    // ran out) and returns the error.
    Result<LegId> dialOnward(LegId arrived, std::string_view kind, Dial dial);
    // A leg that arrived without an offer (an H.323 Setup, whose audio its call agrees later by
    // fastStart or H.245; a SIP INVITE without SDP, RFC 3261 §13.2.1): the graph's offer
    // ("media offer"), then the leg that `make` builds around it ("leg"), which goes on as a
    // dialled leg does: it reports ringing, then `answered` with the far end's answer. `reply`
    // gets the leg, or the step that failed (and nothing is left of it), as admit()'s does.
    // With `waits`, the leg is one for dialOnward(), like admit()'s.
    using MakeOffered =
        std::function<Result<std::unique_ptr<Leg>>(LegId id, LegSink& sink, std::string offer)>;
    void adopt(Role role, MakeOffered make, const Reply<LegId>& reply, bool waits = false);
    // A leg that is up disconnects (→ closed once it has ended); one still ringing or in
    // set-up is cancelled and closed at once. Nothing for a leg already closed or failed.
    void hangUp(LegId leg, std::string reason);
    void hangUpAll(const std::string& reason);
    // Offers the leg its media anew (the graph's new offer, through the leg: SIP re-INVITE),
    // as when a stream is added; `done` learns once whether the far end took it, or why the
    // offer could not be made. Errc::incomplete at once when the leg is not connected.
    // With `holds`, the offer puts the far end on hold (sendonly), as a gateway's leg is when
    // the other holds.
    Result<void> reoffer(LegId leg, const Reply<void>& done, bool holds = false);
    // A leg that came by its own signalling and brings a session of its own (a WebRTC peer's
    // DataChannels, answered by its adapter): the room gives it no media until the leg offers
    // some through LegSink::onLegOffer (a peer's audio, once its adapter knows of it). It starts in
    // `setup`, and what its adapter reports moves it as any leg, except that `answered`
    // connects it at once. `make`'s error fails it, and nothing is left. With `takesOver`, a
    // failed leg whose place it takes (a peer's new session after its last one failed): once
    // the new leg connects, the old one's failure degrades the room no more.
    Result<LegId> join(Role role, const MakeLeg& make, std::optional<LegId> takesOver = {});
    // A short text to the leg's far end (Leg::sendText). Errc::incomplete when the leg is not
    // up (connected, on hold or degraded).
    Result<void> sendText(LegId leg, std::string_view text);
    // The agent's context (Leg::sendContext), likewise.
    Result<void> sendContext(LegId leg, std::string_view summary, std::string_view context);
    // An evidence file (Leg::sendFile), likewise; its progress reaches the observer.
    Result<std::string> sendFile(LegId leg, const std::shared_ptr<const EvidenceFile>& file,
                                 std::uint32_t fromChunk);

    // A pass-through pair (room/pair_media.hpp): the two legs that one signalling call joins
    // end to end (a B2BUA's bridged call), `arrived`, whose request began it, and `dialled`,
    // where it went on; both essential, in `setup`. Their descriptions cross through relay();
    // what happens on them comes through sink(), as for any leg, except that `answered`
    // connects a leg at once (its answer has crossed already). The room holds one pair and
    // nothing else; a leg that `make` cannot build fails it, and nothing is left.
    struct Pair {
        LegId arrived, dialled;
    };
    Result<Pair> pair(const MakeLeg& arrived, const MakeLeg& dialled);
    // The description to send on to the other leg of the pair for `description` from `from`
    // (PairMedia::relay, whose errors it returns). An offer that holds (RFC 3264 §8.4) moves
    // its leg to `hold` once it is answered, and one that resumes moves it back.
    Result<std::string> relay(LegId from, std::string_view description);

    RoomId id() const noexcept { return id_; }
    const std::string& name() const noexcept { return name_; }
    const std::string& traceId() const noexcept { return traceId_; }
    RoomState state() const noexcept { return state_; }
    std::optional<LegState> legState(LegId leg) const;
    std::string describe(LegId leg) const;
    std::size_t liveLegs() const noexcept;

private:
    struct Record {
        std::unique_ptr<Leg> leg; // inert once closed or failed
        SetupSteps setup;         // undoes what dial() did: the call, the media
        LegSummary summary;
        std::string description;
        LegMedia media = {};            // what the leg brings (its provider's)
        bool ownSession = false;        // join(): no media from the graph…
        bool withMedia = false;         // …until the leg offers some (onLegOffer)
        std::optional<LegId> takesOver; // join(): the failed leg it replaces
        bool superseded = false;        // a failed leg another has replaced: not counted
        bool waits = false;             // admit()'s or adopt()'s `waits`: for dialOnward()
        bool agreed = false;            // admit()'s: its media is agreed; `answered` connects it
        bool early = false;             // its answer came while it rang (early media), taken
        bool earlyPending = false;      // …and is with the graph now
        std::optional<LegEvent> answeredMeanwhile; // its `answered`, while the graph had that
        std::string answer;                        // …and our answer, kept for Leg::accept
        std::string cause; // the far end's cause of its end (LegEvent::cause)
        // dialOnward(): the leg an arrived one goes on to, and the one a dialled leg answers for.
        std::optional<LegId> onward, answersFor;
    };

    // A video source connected: the calls that are up are offered the room's media anew.
    void offerVideo();
    // A new leg in `setup` whose media the graph is preparing (undone by its streams going),
    // or, with `ownSession`, one that takes none.
    LegId begin(Role role, bool ownSession = false);
    // The leg, if it is up: connected, on hold or degraded.
    Leg* upLeg(LegId id);
    // The set-up's second step, once the graph has given the first's outcome.
    void place(LegId id, LegProvider& provider, Dial dial, Result<std::string> offer);
    void admitted(LegId id, const MakeLeg& make, Result<std::string> answer,
                  const Reply<Admitted>& reply);
    void adopted(LegId id, const MakeOffered& make, Result<std::string> offer,
                 const Reply<LegId>& reply);
    // Takes the leg in at the end of its set-up (the undo of that step: hanging it up).
    Result<void> attach(LegId id, Result<std::unique_ptr<Leg>> leg);
    // A set-up step failed: everything before it is undone. A leg that only its caller knows
    // of (dial() has not returned yet, admit()) is forgotten; any other closes.
    Error setUpFailed(LegId id, std::string_view step, const Error& error, bool quiet);
    void joined(LegId id, int status, std::string reason, const Result<void>& media);
    // A ringing leg's early answer, taken by the graph or not: the leg rings, with its media
    // flowing when it was (RFC 3261 §13.2.1: a later answer to the same offer is ignored).
    void rangEarly(LegId id, int status, std::string reason, const Result<void>& media);
    // The far end's offer put the leg on hold (RFC 3264 §8.4), or took it off.
    void heldOrResumed(LegId id, bool holds);
    void onLegEvent(LegId leg, LegEvent event) override;
    void onLegOffer(LegId leg, std::string_view offer, Reply<std::string> reply) override;
    // A gateway's call: a digit crosses to the other leg (as SIP INFO, or H.245 user input).
    void onDigit(LegId leg, char digit, std::chrono::milliseconds duration) override;
    void onPictureLoss(LegId leg) override;
    void onFileProgress(LegId leg, const FileProgress& progress) override;
    void onLegNotice(LegId leg, std::string_view kind, std::string_view detail) override;
    // A reply that reaches this room if it is still open, or runs `closed` if it is not.
    template <class T, class F>
    Reply<T> later(F then, Reply<T> closed = {});
    // Moves the leg, recomputes the room, tells the observer; a final state releases the
    // leg's call and media first.
    void move(LegId id, LegState to, int status, std::string reason);
    // In room_onward.cpp: dialOnward()'s legs after `id`'s move to `to`: the arrived one told how
    // its onward one goes, or either one ended as the other did (endAs).
    void crossOnward(LegId id, LegState to, int status, const std::string& reason);
    void endAs(LegId id, int status, std::string reason, const std::string& cause);
    // The observer's word on answering `arrived` now that `onward` answered (beforeAnswer).
    void answerOnward(LegId arrived, LegId onward, const Result<void>& agreed);
    // `id`'s far end holds or resumes: so does the other leg's of a gateway's call (SIP: a
    // re-INVITE sendonly; H.323: the empty capability set).
    void crossHold(LegId id, bool holds);
    Record* find(LegId leg);
    void recompute();

    Rooms& rooms_;
    RoomId id_;
    std::string name_, traceId_;
    RoomObserver* observer_;
    std::map<LegId, Record> legs_;       // every leg dialled, the closed ones too (for their state)
    RoomState state_ = RoomState::setup; // until its first leg
    LegId dialling_;                     // the leg dial() is setting up, until it returns
    std::optional<Error> dialFailed_;    // why that leg's set-up failed, if it did

    // A pair's offer/answer, as it crosses, for its legs' hold and resume.
    struct Crossing {
        explicit Crossing(Pair pair) : legs(pair) {}
        Pair legs;
        std::optional<End> offerer; // whose offer awaits the other's answer
        bool offerHolds = false;
        // Each end's last description (its hash), to know a repeat, and whether it answered.
        std::size_t lastHash[2] = {0, 0};
        bool lastAnswered[2] = {false, false};
        LegId leg(End end) const noexcept {
            return end == End::arrived ? legs.arrived : legs.dialled;
        }
    };
    std::optional<Crossing> pair_;
};

template <class T, class F>
Reply<T> Room::later(F then, Reply<T> closed) {
    return [&rooms = rooms_, room = id_, then = std::move(then),
            closed = std::move(closed)](Result<T> outcome) mutable {
        if (Room* open = rooms.find(room)) return then(*open, std::move(outcome));
        if (closed) closed(fail(Errc::closed, "the room has closed"));
    };
}

} // namespace sb::room
