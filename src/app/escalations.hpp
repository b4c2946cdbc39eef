#pragma once
// The escalation flow (ARCHITECTURE.md "What it does"): an agent's request → the guard → the
// registry's plan → outbound SIP calls to the plan's experts, stage by stage (the experts of a
// stage ring in parallel: the first to answer wins and the others are cancelled; a stage that
// runs out of time or of callees hands over to the next) → answered → hang-up from either side.
// Every decision and state change is a witness entry, and the agent hears of each on the event
// stream. Each escalation has a room (room/room.hpp): the calls to its experts are the room's
// legs, placed and hung up through it, and the room's state follows them; the other bridges
// will meet the expert there. Escalations know no protocol: only rooms and legs.
//
// Runs on the control loop, like the rooms it drives; not thread-safe.

#include "api/ifmessage.hpp"
#include "core/histogram.hpp"
#include "core/lifetime.hpp"
#include "guard/guard.hpp"
#include "net/timer_wheel.hpp"
#include "registry/registry.hpp"
#include "room/room.hpp"
#include "witness/log.hpp"

#include <asio/io_context.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::app {

enum class EscalationState { ringing, answered, ended, failed };
std::string_view stateName(EscalationState state) noexcept;
std::optional<EscalationState> stateByName(std::string_view name) noexcept;

struct EscalationOptions {
    std::chrono::seconds defaultRing{30}; // a stage without its own ring time
    std::string mediaSrtp = "off";        // what calls to experts would use
    std::size_t keptEnded = 10000;        // ended escalations kept for GET (at least 1)
    // The evidence that all escalations under way may hold on disk together, in bytes.
    std::uint64_t evidenceHeldMost = std::uint64_t{1} << 30;
    std::set<std::string, std::less<>> bridges{"sip"}; // those the gateway runs; others: 501
    // Whether a video source of that name can be brought in (the video bridge's word).
    std::function<bool(std::string_view)> knowsVideoSource = [](std::string_view) { return false; };
    // A video leg's pictures at another preset (the video bridge's VideoLegs::setPreset).
    // In a cluster, the limits' counts that the instances share; nullptr: the guard's own.
    guard::SharedLimits* sharedLimits = nullptr;
    // In a cluster, this instance's name (in each record: where the room is); else empty.
    std::string instance;
    // In a cluster, each escalation's record (as GET returns it) at each change, for the other
    // instances; with the escalate message's payload at the first.
    std::function<void(const nlohmann::json& record, const nlohmann::json& request)> recorded;
    std::function<Result<void>(room::LegId, std::string_view)> retuneVideo =
        [](room::LegId, std::string_view) -> Result<void> {
        return fail(Errc::unsupported, "no video bridge");
    };
};

// What the API is told: an HTTP status and the body (an IFMessage, or a problem's members).
struct EscalationAnswer {
    int status = 200;
    nlohmann::json body;
    std::optional<std::chrono::seconds> retryAfter;
};

class Escalations {
public:
    // `publish` sends an IFMessage to `agent`'s event stream, keyed by escalation id.
    using Publish = std::function<void(const nlohmann::json& message, const std::string& key,
                                       const std::string& agent)>;
    using Done = std::function<void(EscalationAnswer)>;

    // `timers`: the control loop's wheel, whose clock the stages' ring times run on.
    Escalations(asio::io_context& context, net::TimerWheel& timers, room::Rooms& rooms,
                registry::Registry& registry, guard::Guard& guard, witness::WitnessLog& witness,
                EscalationOptions options, Publish publish);
    ~Escalations();
    Escalations(const Escalations&) = delete;
    Escalations& operator=(const Escalations&) = delete;

    // `agent` is the authenticated caller; `traceId` the request's (from traceparent, the
    // message, or made). Answers, once the decision is durable in the witness log: 201 `agree`
    // with the escalation's id; 403 `refuse` (guard) or 429 (rate limit), with the rule; 503
    // `failure` when no expert can be rung.
    void escalate(const std::string& agent, const api::IfMessage& message,
                  const api::EscalateRequest& request, const std::string& traceId,
                  const Done& done);
    // The escalation as JSON, if it exists and is `agent`'s.
    std::optional<nlohmann::json> find(const std::string& id, const std::string& agent) const;
    // `agent`'s escalations, optionally in one state, newest first (at most `limit`).
    nlohmann::json list(const std::string& agent, std::optional<EscalationState> state,
                        std::size_t limit) const;
    // Hangs up: 200 with the escalation, 404 when it is not the agent's, 409 when it has ended.
    void hangUp(const std::string& id, const std::string& agent, const Done& done);
    // Calls `uri` (a SIP URI: the agent's side of the conversation, a colleague) into the
    // answered escalation's room as a bridge leg, so that the expert hears it and it hears the
    // expert; it leaves when the escalation ends. 201 with the leg once witnessed; 404 when the
    // escalation is not the agent's, 409 when it is not answered, 403 when the escalation did
    // not ask for the sip bridge, 502 when the call cannot be placed.
    void addParty(const std::string& id, const std::string& agent, const std::string& uri,
                  const Done& done);
    // A video source into an answered escalation's room (POST …/video): a leg of the room,
    // whose pictures the expert's call is offered (docs/features/video.md). 201 once
    // witnessed; 404 when the escalation is not the agent's, 409 when it is not answered or
    // has a live source already, 403 when it did not ask for the video bridge, 400 (the
    // field "source") for a source no one configured, 502 when the leg cannot be placed.
    void addVideo(const std::string& id, const std::string& agent, const std::string& source,
                  const Done& done);
    // The live video source's pictures at another preset's size and bitrate (PATCH …/video):
    // an IDR with the new parameter sets, which the expert's decoder follows without a new
    // offer. 200 once witnessed; 404 without a live source, 400 (naming /preset) for a preset
    // we lack.
    void setVideoPreset(const std::string& id, const std::string& agent, const std::string& preset,
                        const Done& done);

    // An operation that another instance of the cluster took for this one's escalation
    // (EscalationService, cluster commands) was refused here: its answer goes to the agent's
    // stream as an `inform` {"event": "refused", "op", "status", "detail"}, since the request
    // that asked was answered 202 elsewhere. Nothing when the escalation is gone.
    void reportRefused(const std::string& id, const std::string& agent, std::string_view op,
                       const EscalationAnswer& answer);

    // The agent's context for the expert who answered (a context_update): its `summary` goes
    // to the expert's leg as a short text (SIP: a MESSAGE in the call's dialog); the context's
    // digest and size are witnessed. 202 once witnessed, saying whether the text reached a leg;
    // 404 when the escalation is not the agent's, 409 when it is not answered.
    // A live peer gets both (Room::sendContext), now, and when it joins later.
    void contextUpdate(const std::string& id, const std::string& agent, const std::string& summary,
                       const std::string& context, const std::string& sha256, const Done& done);

    // A peer that came by its own signalling (a WebRTC session: `kind` "webrtc") joins the
    // escalation's room as a bridge leg, which `make` builds (Room::join); it speaks for the
    // agent, or, with `grant` (the escalation's id from an api::Grants token), for the expert.
    // One live peer per escalation. 201 with the leg once witnessed; 404 when the escalation
    // is neither the agent's nor granted, 409 when it is over or has a live peer, 403 when it
    // did not ask for the `kind` bridge, 503 when the leg cannot be made.
    using MakePeer = std::function<Result<std::unique_ptr<room::Leg>>(
        room::LegId id, room::LegSink& sink, const std::string& traceId)>;
    void joinPeer(const std::string& id, const std::string& agent, const std::string& grant,
                  std::string_view kind, const MakePeer& make, const Done& done);
    // Whether a request of `agent` (or with `grant`) may act on escalation `id` here: a peer's
    // session (a WHIP PATCH, RFC 9725 §4.3) is its escalation's agent's or grantee's alone.
    bool mayActOn(const std::string& id, const std::string& agent, const std::string& grant) {
        return mine(id, agent, grant) != nullptr;
    }
    // The peer's session ends (the WHIP resource is deleted): 200; 404 when there is no such
    // live peer leg of the escalation.
    void leavePeer(const std::string& id, const std::string& agent, const std::string& grant,
                   std::uint64_t leg, const Done& done);
    // A grant for the expert's browser, expiring at `expiresUnix` (the route makes the token):
    // witnessed, then 201; 404 when the escalation is not the agent's, 409 when it is over.
    void grantExpert(const std::string& id, const std::string& agent, std::int64_t expiresUnix,
                     const Done& done);
    // An evidence file from the agent: witnessed (its name, type, size and SHA-256), kept for
    // the escalation's peers, and sent to the live one; the agent's stream hears of its
    // progress and delivery. 202 once witnessed; 404, 409 when over.
    void addEvidence(const std::string& id, const std::string& agent,
                     const std::shared_ptr<const room::EvidenceFile>& file, const Done& done);

    // An escalation in progress on an instance of the cluster that is gone, now this one's to
    // report: witnessed and told to its agent as failed (the reason names the instance), then
    // rung again from its request here, unless the policy, the registry or the request
    // refuses (the failure says which, or the new escalation's id: "rerung_as").
    struct Orphan {
        std::string id, agent, instance, traceId;
        nlohmann::json record, request;
        bool hangUpAsked = false; // the agent asked it ended: reported, not rung again
    };
    void takeOver(const Orphan& orphan);

    // Called once an escalation's last witness entry is durable: signs a tree head over it.
    void onSealed(std::function<void()> seal) { seal_ = std::move(seal); }

    // Buckets of the time from an escalation's request to its expert's answer, in seconds:
    // a phone rings for seconds, a chain's stages for tens of them.
    static constexpr double kSetupBounds[] = {0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60, 90};
    struct Stats {
        std::uint64_t requested = 0, refused = 0, agreed = 0, answered = 0, failed = 0, ended = 0;
        std::uint64_t callsPlaced = 0;
        std::uint64_t takenOver = 0; // escalations of gone instances this one reported (takeOver)
        std::size_t active = 0;      // ringing or answered now
        std::uint64_t evidenceHeld = 0; // the bytes of evidence held on disk now
        Histogram setupSeconds{kSetupBounds};
        // Legs up but impaired now (room::LegState::degraded), by kind: "call" (the expert's),
        // "party", "peer", "council", "video".
        std::map<std::string, std::size_t, std::less<>> degraded;
    };
    Stats stats() const;
    // The server's drain (SIGTERM): new escalations are refused with 503, the ones under way
    // go on.
    void drain() { draining_ = true; }

private:
    struct Attempt;
    struct Escalation;
    // Appends an entry. `then`, when given, runs once with the outcome: success once the entry
    // is durable, or the store's error — so that no answer waits on an entry never stored.
    using Witnessed = std::function<void(const Result<void>&)>;
    void witness(const std::string& traceId, std::string type, std::string actor,
                 nlohmann::json data, Witnessed then = {});
    void inform(Escalation& e, nlohmann::json detail = nlohmann::json::object());
    // escalate() past its draining check: the guard's decision, the plan, and the escalation.
    void consider(const std::string& agent, const api::IfMessage& message,
                  const api::EscalateRequest& request, const std::string& traceId,
                  const Done& done);
    // The request agreed and its agent admitted: the escalation opens, and its first stage rings.
    void open(const std::string& agent, const api::IfMessage& message,
              const api::EscalateRequest& request, const std::string& traceId, registry::Plan plan,
              const Done& done);
    // The guard's (or the cluster's) admission and its release (Guard::admit, ::release).
    using Admitted = std::function<void(const guard::Decision&)>;
    void admit(guard::LimitScope scope, const std::string& subject, Admitted then);
    void release(guard::LimitScope scope, const std::string& subject);
    void ringStage(Escalation& e); // admits the stage's experts, then calls them
    void callStage(Escalation& e,
                   const std::vector<std::pair<std::string, guard::Decision>>& admitted);
    // Every change of a leg of `e`'s room: witnessed, told to the agent, and acted on.
    void onLegChange(Escalation& e, const room::LegChange& change, room::RoomState before);
    void onFileProgress(Escalation& e, room::LegId leg, const room::FileProgress& progress);
    // What a council link tells of its council (member_joined, member_left): to the agent.
    void onLegNotice(Escalation& e, room::LegId leg, std::string_view kind,
                     std::string_view detail);
    // The expert answered an escalation that names a council: its room is linked into it.
    void linkCouncil(Escalation& e);
    // A peer that has just become active gets the agent's last context and every file not
    // yet delivered, each from its first chunk not acknowledged.
    void catchUp(Escalation& e, room::LegId peer);
    // The escalation if it is `agent`'s, or `grant` names it.
    Escalation* mine(const std::string& id, const std::string& agent,
                     const std::string& grant = {});
    void stageOver(Escalation& e, std::string_view why);
    void hangUpAll(Escalation& e, std::string_view why); // every call still up
    // Ends it; `then` runs once its last entry is durable and sealed.
    void finish(Escalation& e, EscalationState state, std::string reason, Witnessed then = {});
    nlohmann::json toJson(const Escalation& e) const;
    void share(Escalation& e); // its record, to options_.recorded
    // An escalation that is over gives up its room once no leg of it is live.
    void releaseRoom(Escalation& e);

    asio::io_context& context_;
    net::TimerWheel& timers_;
    room::Rooms& rooms_;
    registry::Registry& registry_;
    guard::Guard& guard_;
    witness::WitnessLog& witness_;
    EscalationOptions options_;
    Publish publish_;
    std::function<void()> seal_;
    std::unordered_map<std::string, std::unique_ptr<Escalation>> escalations_;
    std::deque<std::string> ended_; // ids of the ended ones in escalations_, oldest first
    std::vector<std::unique_ptr<room::Room>> closedRooms_; // released, to go on the next turn
    Stats stats_;
    bool draining_ = false;
    Lifetime lifetime_; // for witness outcomes and sweeps that come after it has gone
};

} // namespace sb::app
