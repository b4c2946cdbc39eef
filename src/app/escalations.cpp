#include "app/escalations.hpp"

#include "app/escalation_records.hpp"
#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"
#include "core/trace.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <fmt/format.h>

namespace sb::app {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

spdlog::logger& logger() {
    return log::get("app");
}

} // namespace

std::string_view stateName(EscalationState state) noexcept {
    switch (state) {
    case EscalationState::ringing:
        return "ringing";
    case EscalationState::answered:
        return "answered";
    case EscalationState::ended:
        return "ended";
    case EscalationState::failed:
        return "failed";
    }
    return "?";
}

std::optional<EscalationState> stateByName(std::string_view name) noexcept {
    for (auto s : {EscalationState::ringing, EscalationState::answered, EscalationState::ended,
                   EscalationState::failed})
        if (stateName(s) == name) return s;
    return std::nullopt;
}

Escalations::Escalations(asio::io_context& context, net::TimerWheel& timers, room::Rooms& rooms,
                         registry::Registry& registry, guard::Guard& guard,
                         witness::WitnessLog& witness, EscalationOptions options, Publish publish)
    : context_(context), timers_(timers), rooms_(rooms), registry_(registry), guard_(guard),
      witness_(witness), options_(std::move(options)), publish_(std::move(publish)) {}

// The rooms go with their escalations: each hangs up its legs and frees their media, silently.
// What that interrupts is witnessed all the same (every state change is; the log writes what
// was asked of it before it goes): an escalation in progress, with its calls. Its shared
// record is left in progress, so that in a cluster another instance claims it and rings again.
Escalations::~Escalations() {
    lifetime_.end();
    for (auto& [id, e] : escalations_) {
        timers_.cancel(e->stageTimer);
        if (e->over()) continue;
        logger().info("trace={} escalation {} interrupted: Switchboard stopped", e->traceId, id);
        witness(e->traceId, "escalation.interrupted", "switchboard",
                {{"escalation", id},
                 {"state", stateName(e->state)},
                 {"reason", "Switchboard stopped with the escalation in progress; its calls were "
                            "hung up"}});
    }
}

void Escalations::witness(const std::string& traceId, std::string type, std::string actor,
                          json data, Witnessed then) {
    witness::Entry entry{traceId, unixTimeMs(), std::move(type), std::move(actor), std::move(data)};
    const std::string what = entry.type;
    witness_.append(entry,
                    [what, then = std::move(then), traceId](const Result<std::uint64_t>& at) {
                        if (!at) {
                            logger().error("trace={} witness append of {} failed: {}", traceId,
                                           what, at.error().message);
                        }
                        if (then) then(at ? Result<void>() : Result<void>(fail(at.error())));
                    });
}

EscalationAnswer witnessFailed(std::string_view done, const Error& error) {
    return {503,
            {{"title", "Service Unavailable"},
             {"detail",
              fmt::format("{}: the witness log could not store it ({})", done, error.message)}},
            {}};
}

Escalations::Escalation* Escalations::mine(const std::string& id, const std::string& agent,
                                           const std::string& grant) {
    auto found = escalations_.find(id);
    if (found == escalations_.end()) return nullptr;
    Escalation& e = *found->second;
    return (!agent.empty() && e.agent == agent) || grant == id ? &e : nullptr;
}

void Escalations::inform(Escalation& e, json detail) {
    detail["escalation"] = e.id;
    detail["state"] = stateName(e.state);
    if (e.room) detail["room_state"] = room::stateName(e.room->state());
    detail["sequence"] = ++e.sequence;
    publish_(api::makeIfMessage("inform", e.agent, e.traceId, std::move(detail)), e.id, e.agent);
    share(e);
}

void Escalations::reportRefused(const std::string& id, const std::string& agent,
                                std::string_view op, const EscalationAnswer& answer) {
    const auto detail = answer.body.is_object() ? answer.body.value("detail", "") : "";
    logger().warn("escalation {}: {} asked through another instance was refused ({}): {}", id, op,
                  answer.status, detail);
    if (Escalation* e = mine(id, agent))
        inform(*e,
               {{"event", "refused"}, {"op", op}, {"status", answer.status}, {"detail", detail}});
}

void Escalations::share(Escalation& e) {
    if (!options_.recorded) return;
    options_.recorded(toJson(e), e.asked);
    e.asked = nullptr;
}

void Escalations::escalate(const std::string& agent, const api::IfMessage& message,
                           const api::EscalateRequest& request, const std::string& traceId,
                           const Done& done) {
    ++stats_.requested;
    if (draining_) { // not a decision about the request: nothing to witness
        ++stats_.refused;
        return done({503,
                     {{"title", "Service Unavailable"},
                      {"detail", "this instance is draining (it is being stopped): ask another"}},
                     {}});
    }
    consider(agent, message, request, traceId, done);
}

void Escalations::consider(const std::string& agent, const api::IfMessage& message,
                           const api::EscalateRequest& request, const std::string& traceId,
                           const Done& done) {
    const auto now = Clock::now();
    guard::Request asked{agent, request.topic, *guard::parseUrgency(request.urgency), {}, {}};
    for (const auto& b : request.bridges)
        asked.bridges.push_back(*guard::parseBridge(b));
    if (!request.expert.empty()) asked.expert = request.expert;
    const std::string actor = "agent:" + agent;
    witness(traceId, "api.escalate", actor,
            {{"message", message.id},
             {"topic", request.topic},
             {"skills", request.skills},
             {"urgency", request.urgency},
             {"bridges", request.bridges},
             {"expert", request.expert},
             {"reason", request.reason},
             {"evidence", request.evidence.size()}});

    // Refusals and failures are answered once their witness entry is durable.
    auto refuse = [this, agent, messageId = message.id, traceId, topic = request.topic,
                   done](const guard::Decision& d, std::string_view performative, int status) {
        ++stats_.refused;
        json payload{{"in_reply_to", messageId}, {"rule", d.rule}, {"reason", d.reason}};
        auto reply = api::makeIfMessage(performative, agent, traceId, payload);
        logger().info("trace={} escalation by {} on {} refused: {} ({})", traceId, agent, topic,
                      d.rule, d.reason);
        witness(traceId, "escalation.refused", "switchboard",
                {{"message", messageId}, {"rule", d.rule}, {"reason", d.reason}},
                [done, status, reply, d](const Result<void>& stored) {
                    if (!stored) return done(witnessFailed("refused", stored.error()));
                    done({status,
                          {{"title", status == 429 ? "Too Many Requests" : "Refused by policy"},
                           {"detail", d.reason},
                           {"rule", d.rule},
                           {"message", reply}},
                          d.retryAfter});
                });
    };

    auto decision = guard_.checkRequest(asked, now);
    witness(traceId, "guard.decision", "switchboard",
            {{"step", "request"},
             {"allowed", decision.allowed},
             {"rule", decision.rule},
             {"reason", decision.reason}});
    if (!decision) return refuse(decision, "refuse", decision.status);
    for (const auto& b : request.bridges)
        if (!options_.bridges.contains(b))
            return refuse({false,
                           "bridge." + b,
                           fmt::format("The {} bridge is not available in this version.", b),
                           501,
                           {}},
                          "refuse", 501);

    registry::Need need{request.topic, request.skills, request.languages, asked.expert};
    auto plan = registry_.plan(
        need, now, [this](std::string_view expert) { return guard_.activeForExpert(expert); },
        options_.defaultRing);
    if (!plan)
        return refuse({false, "registry", plan.error().message + ".", 503, {}}, "failure", 503);

    // The guard's word on every expert of the plan: rules, required security, limits.
    guard::ExpertCallSecurity security{false, options_.mediaSrtp == "required"};
    std::optional<guard::Decision> firstDenial;
    for (auto& stage : plan->stages) {
        std::erase_if(stage.experts, [&](const std::string& id) {
            const registry::Expert* expert = registry_.expert(id);
            security.tlsSignalling = expert && rooms_.securesSignalling("sip", expert->sipUri);
            auto d = guard_.checkExpert(asked, id, security, now);
            witness(traceId, "guard.decision", "switchboard",
                    {{"step", "expert"},
                     {"expert", id},
                     {"allowed", d.allowed},
                     {"rule", d.rule},
                     {"reason", d.reason}});
            if (!d && !firstDenial) firstDenial = d;
            return !d.allowed;
        });
    }
    std::erase_if(plan->stages, [](const auto& s) { return s.experts.empty(); });
    if (plan->stages.empty()) return refuse(*firstDenial, "refuse", firstDenial->status);
    admit(guard::LimitScope::agent, agent,
          [this, alive = lifetime_.watch(), agent, message, request, traceId,
           plan = std::move(plan).value(), refuse, done](const guard::Decision& admitted) mutable {
              if (!alive) return;
              if (!admitted) return refuse(admitted, "refuse", admitted.status);
              open(agent, message, request, traceId, std::move(plan), done);
          });
}

void Escalations::admit(guard::LimitScope scope, const std::string& subject, Admitted then) {
    const registry::Expert* expert =
        scope == guard::LimitScope::expert ? registry_.expert(subject) : nullptr;
    if (!options_.sharedLimits) {
        // The registry's capacity of the expert, again when its stage rings: the plan saw the
        // calls of its own moment, and the stages before can ring for minutes.
        if (const int active = expert ? guard_.activeForExpert(subject) : 0;
            expert && active >= expert->maxConcurrent)
            return then(guard::Decision{
                false, "registry.maxConcurrent",
                fmt::format("expert {} is on {} escalation(s), its most", subject, active),
                guard::kStatusRateLimit, std::nullopt});
        return then(guard_.admit(scope, subject, Clock::now()));
    }
    auto limits = guard_.limitsFor(scope, subject);
    // The registry's capacity of the expert holds across the cluster too (the plan saw only
    // this instance's calls).
    if (expert) {
        guard::Limit capacity;
        capacity.id = "registry.maxConcurrent";
        capacity.scope = scope;
        capacity.subjects = {subject};
        capacity.maxConcurrent = static_cast<std::uint32_t>(expert->maxConcurrent);
        limits.push_back(std::move(capacity));
    }
    options_.sharedLimits->admit(scope, subject, limits,
                                 [this, alive = lifetime_.watch(), scope, subject, limits,
                                  then = std::move(then)](const guard::SharedVerdict& verdict) {
                                     if (!alive) return;
                                     auto decision = guard::Guard::decide(subject, verdict, limits);
                                     if (decision) guard_.count(scope, subject);
                                     then(decision);
                                 });
}

void Escalations::release(guard::LimitScope scope, const std::string& subject) {
    guard_.release(scope, subject);
    if (options_.sharedLimits) options_.sharedLimits->release(scope, subject);
}

void Escalations::open(const std::string& agent, const api::IfMessage& message,
                       const api::EscalateRequest& request, const std::string& traceId,
                       registry::Plan plan, const Done& done) {
    auto owned = std::make_unique<Escalation>(*this);
    Escalation& e = *owned;
    e.id = "esc-" + randomHex(12);
    e.room = rooms_.open("escalation-" + e.id, traceId, e);
    e.agent = agent;
    e.traceId = traceId;
    e.messageId = message.id;
    e.request = request;
    if (options_.recorded) e.asked = message.payload;
    e.plan = std::move(plan);
    e.createdMs = unixTimeMs();
    escalations_.emplace(e.id, std::move(owned));
    ++stats_.agreed;
    logger().info("trace={} escalation {} by {} on {}: {} stage(s)", traceId, e.id, agent,
                  request.topic, e.plan.stages.size());
    json stages = json::array();
    for (const auto& s : e.plan.stages)
        stages.push_back({{"experts", s.experts}, {"ring_seconds", s.ring.count()}});
    auto reply = api::makeIfMessage(
        "agree", agent, traceId,
        {{"in_reply_to", message.id}, {"escalation", e.id}, {"state", "ringing"}});
    // Agreed once durable; if the entry cannot be stored, 503 at once and the calls that
    // ringStage placed meanwhile are ended.
    witness(traceId, "escalation.created", "switchboard",
            {{"escalation", e.id}, {"stages", stages}, {"chain", e.plan.chain}},
            [this, alive = lifetime_.watch(), done, reply, id = e.id](const Result<void>& stored) {
                if (stored) return done({201, reply, {}});
                done(witnessFailed("not started", stored.error()));
                if (!alive) return;
                if (auto found = escalations_.find(id); found != escalations_.end()) {
                    hangUpAll(*found->second, "the witness log failed");
                    finish(*found->second, EscalationState::failed, "the witness log failed");
                }
            });
    share(e);
    ringStage(e);
}

void Escalations::ringStage(Escalation& e) {
    // Each expert is admitted first (the guard's limits, in a cluster the shared ledger's:
    // an answer that may come later); the stage rings once every answer is in.
    std::vector<std::string> experts;
    for (const auto& id : e.plan.stages[e.stage].experts)
        if (registry_.expert(id)) experts.push_back(id); // else removed since the plan was made
    auto answers = std::make_shared<std::vector<std::pair<std::string, guard::Decision>>>();
    if (experts.empty()) return callStage(e, *answers);
    e.admitting = true;
    for (const auto& id : experts)
        admit(guard::LimitScope::expert, id,
              [this, escalation = e.id, stage = e.stage, id, answers,
               wanted = experts.size()](const guard::Decision& d) {
                  answers->emplace_back(id, d);
                  if (answers->size() < wanted) return;
                  auto found = escalations_.find(escalation);
                  const bool current = found != escalations_.end() &&
                                       found->second->stage == stage &&
                                       found->second->state == EscalationState::ringing;
                  if (current) return callStage(*found->second, *answers);
                  for (const auto& [expert, decision] : *answers) // it ended meanwhile
                      if (decision) release(guard::LimitScope::expert, expert);
              });
}

void Escalations::callStage(Escalation& e,
                            const std::vector<std::pair<std::string, guard::Decision>>& admitted) {
    e.admitting = false;
    const auto& stage = e.plan.stages[e.stage];
    for (const auto& [id, d] : admitted) {
        const registry::Expert* expert = registry_.expert(id);
        if (!d) {
            witness(e.traceId, "guard.decision", "switchboard",
                    {{"step", "ring"},
                     {"expert", id},
                     {"allowed", false},
                     {"rule", d.rule},
                     {"reason", d.reason}});
            continue;
        }
        if (!expert) { // removed while it was admitted
            release(guard::LimitScope::expert, id);
            continue;
        }
        room::Dial dial{expert->sipUri,
                        {},
                        {{"Trace-ID", e.traceId}, {"Expert-ID", id}, {"Escalation-ID", e.id}}};
        auto leg = e.room->dial("sip", std::move(dial), room::Role::essential);
        if (!leg) {
            release(guard::LimitScope::expert, id);
            logger().warn("trace={} escalation {}: calling {} failed: {}", e.traceId, e.id, id,
                          leg.error().message);
            witness(e.traceId, "call.failed", "switchboard",
                    {{"escalation", e.id}, {"expert", id}, {"reason", leg.error().message}});
            continue;
        }
        e.attempts.push_back(
            {id, *leg, static_cast<int>(e.stage), room::LegState::setup, Attempt::Kind::expert});
        ++stats_.callsPlaced;
        logger().info("trace={} escalation {}: calling {} at {} (leg {})", e.traceId, e.id, id,
                      expert->sipUri, leg->value());
        witness(e.traceId, "call.placed", "switchboard",
                {{"escalation", e.id},
                 {"expert", id},
                 {"uri", expert->sipUri},
                 {"stage", e.stage},
                 {"leg", leg->value()},
                 {"room_state", room::stateName(e.room->state())}});
        inform(e, {{"event", "calling"}, {"expert", id}, {"stage", e.stage}});
    }
    if (!e.stageLive()) return stageOver(e, "no expert of the stage could be called");
    e.stageTimer = timers_.schedule(stage.ring, [this, id = e.id, stage = e.stage] {
        auto found = escalations_.find(id);
        if (found == escalations_.end() || found->second->stage != stage ||
            found->second->state != EscalationState::ringing)
            return;
        stageOver(*found->second, "no one answered in time");
    });
}

namespace {

// How the agent's event stream and the witness log name a call's change.
struct ChangeNames {
    std::string event, entry;
};
ChangeNames callNamesOf(const room::LegChange& c) {
    using enum room::LegState;
    switch (c.to) {
    case ringing:
        return {"ringing", "call.ringing"};
    case connected:
        if (c.from == degraded) return {"recovered", "call.recovered"};
        return c.from == hold ? ChangeNames{"resumed", "call.resumed"}
                              : ChangeNames{"answered", "call.answered"};
    case degraded:
        return {"degraded", "call.degraded"};
    case hold:
        return {"hold", "call.hold"};
    case disconnecting:
        return {"hanging_up", "call.hanging_up"};
    case closed:
        return {"left", "call.ended"};
    case failed:
        return {"leg_failed", "call.failed"};
    case setup:
        break;
    }
    return {"calling", "call.placed"};
}

// A peer's change, in a bridge's words (room/state.hpp): "webrtc.active", "webrtc_degraded"…
// A bridge's change, in its bridge state's words: "webrtc_active", "video.degraded"…
ChangeNames bridgeNamesOf(std::string_view bridge, const room::LegChange& c) {
    const auto state = room::bridgeStateName(c.to);
    return {fmt::format("{}_{}", bridge, state), fmt::format("{}.{}", bridge, state)};
}

} // namespace

void Escalations::onLegChange(Escalation& e, const room::LegChange& change,
                              room::RoomState before) {
    using enum room::LegState;
    Attempt* found = e.attempt(change.leg);
    if (!found) return;
    Attempt& a = *found;
    a.state = change.to;
    const bool answer =
        change.to == connected && change.from != hold && change.from != degraded && !a.bridge();
    const bool wins = answer && e.state == EscalationState::ringing;
    if (wins) {
        e.state = EscalationState::answered;
        e.expert = a.expert;
        e.answered = change.leg;
        e.answeredMs = unixTimeMs();
        timers_.cancel(e.stageTimer);
        ++stats_.answered;
        stats_.setupSeconds.observe(double(e.answeredMs - e.createdMs) / 1000);
        logger().info("trace={} escalation {}: {} answered ({})", e.traceId, e.id, a.expert,
                      e.room->describe(change.leg));
    }

    // An expert's leg is named by the expert's id, a party's by its URI, a peer by whom it
    // speaks for.
    using Kind = Attempt::Kind;
    const char* who = a.kind == Kind::party     ? "party"
                      : a.kind == Kind::peer    ? "peer"
                      : a.kind == Kind::council ? "council"
                      : a.kind == Kind::video   ? "source"
                                                : "expert";
    const auto names = a.kind == Kind::peer    ? bridgeNamesOf("webrtc", change)
                       : a.kind == Kind::video ? bridgeNamesOf("video", change)
                                               : callNamesOf(change);
    const auto roomState = e.room->state();
    json data{{"escalation", e.id},
              {who, a.expert},
              {"leg", change.leg.value()},
              {"leg_state", room::stateName(change.to)},
              {"room_state", room::stateName(roomState)}};
    if (a.kind == Kind::peer || a.kind == Kind::video)
        data["bridge_state"] = room::bridgeStateName(change.to);
    if (change.status) data["status"] = change.status;
    if (!change.reason.empty()) data["reason"] = change.reason;
    if (before != roomState) data["room_was"] = room::stateName(before);
    // The far end's doing, or ours (a hang-up or cancel we asked for has no status).
    const bool theirs = change.status != 0 || change.to == hold || change.to == connected;
    witness(e.traceId, names.entry,
            theirs ? fmt::format("{}:{}", who, a.expert) : std::string("switchboard"),
            std::move(data));
    // The agent hears of every change until the escalation's last event (ended or failure);
    // not of an answer that came too late, which is only hung up.
    if (!e.over() && (wins || !answer))
        inform(
            e,
            {{"event", names.event}, {who, a.expert}, {"leg_state", room::stateName(change.to)}});
    if (a.bridge()) { // the expert's call, not a bridge's, decides how the escalation goes
        if (a.kind == Kind::peer && change.to == connected && change.from != degraded)
            catchUp(e, a.leg);
        if (room::isFinal(change.to)) releaseRoom(e);
        return;
    }

    if (answer) {
        if (!wins) return e.room->hangUp(change.leg, "another expert answered first");
        for (const auto& other : e.attempts) // RFC 3261 §16.7: cancel the rest
            if (other.live() && other.leg != change.leg)
                e.room->hangUp(other.leg, "another expert answered");
        if (!e.request.council.empty()) linkCouncil(e);
        return;
    }
    if (!room::isFinal(change.to)) return;
    release(guard::LimitScope::expert, a.expert);
    if (e.state == EscalationState::answered && e.answered == change.leg) {
        const std::string why =
            change.status == 0 ? "hung up by Switchboard" : fmt::format("{} hung up", a.expert);
        hangUpAll(e, why); // the parties leave with the expert
        finish(e, change.to == failed ? EscalationState::failed : EscalationState::ended, why);
    } else if (e.state == EscalationState::ringing && !e.endingStage && !e.admitting &&
               !e.stageLive())
        stageOver(e, "every expert of the stage declined or could not be reached");
    releaseRoom(e);
}

void Escalations::linkCouncil(Escalation& e) {
    const auto& council = e.request.council;
    room::Dial dial{council, {}, {{"Trace-ID", e.traceId}, {"Escalation-ID", e.id}}};
    auto leg = e.room->dial("council", std::move(dial), room::Role::bridge);
    if (!leg) { // the expert's call goes on in the escalation's own room
        logger().warn("trace={} escalation {}: the council {} cannot be joined: {}", e.traceId,
                      e.id, council, leg.error().message);
        witness(e.traceId, "call.failed", "switchboard",
                {{"escalation", e.id}, {"council", council}, {"reason", leg.error().message}});
        return inform(e, {{"event", "council_failed"}, {"council", council}});
    }
    e.attempts.push_back(
        {council, *leg, static_cast<int>(e.stage), room::LegState::setup, Attempt::Kind::council});
    logger().info("trace={} escalation {}: joining the council {} (leg {})", e.traceId, e.id,
                  council, leg->value());
    witness(e.traceId, "call.placed", "switchboard",
            {{"escalation", e.id},
             {"council", council},
             {"role", "bridge"},
             {"leg", leg->value()},
             {"room_state", room::stateName(e.room->state())}});
}

void Escalations::onLegNotice(Escalation& e, room::LegId leg, std::string_view kind,
                              std::string_view detail) {
    const Attempt* a = e.attempt(leg);
    if (!a || a->kind != Attempt::Kind::council || e.over()) return;
    // The council's room witnesses its own membership (Server); the agent hears of it here.
    inform(e, {{"event", fmt::format("council_{}", kind)},
               {"council", a->expert},
               {"member", std::string(detail)}});
}

void Escalations::releaseRoom(Escalation& e) {
    if (!e.over() || !e.room || e.room->liveLegs() > 0) return;
    // Not destroyed here: this may run inside one of the room's own callbacks.
    closedRooms_.push_back(std::move(e.room));
    if (closedRooms_.size() > 1) return; // a sweep is on its way
    asio::post(context_, [this, alive = lifetime_.watch()] {
        if (alive) closedRooms_.clear();
    });
}

void Escalations::stageOver(Escalation& e, std::string_view why) {
    timers_.cancel(e.stageTimer);
    witness(e.traceId, "escalation.stage_over", "switchboard",
            {{"escalation", e.id}, {"stage", e.stage}, {"reason", why}});
    hangUpAll(e, why);
    if (++e.stage < e.plan.stages.size()) {
        inform(e, {{"event", "next_stage"}, {"stage", e.stage}, {"reason", why}});
        return ringStage(e);
    }
    finish(e, EscalationState::failed,
           fmt::format("No expert answered: {} (after {} stage(s)).", why, e.plan.stages.size()));
}

void Escalations::hangUpAll(Escalation& e, std::string_view why) {
    if (!e.room) return;
    e.endingStage = true;
    e.room->hangUpAll(std::string(why));
    e.endingStage = false;
}

void Escalations::finish(Escalation& e, EscalationState state, std::string reason, Witnessed then) {
    if (e.over()) return;
    e.state = state;
    e.reason = std::move(reason);
    e.endedMs = unixTimeMs();
    timers_.cancel(e.stageTimer);
    release(guard::LimitScope::agent, e.agent);
    state == EscalationState::failed ? ++stats_.failed : ++stats_.ended;
    logger().info("trace={} escalation {} {}: {}", e.traceId, e.id, stateName(state), e.reason);
    // The last entry of an escalation seals it: a signed tree head that covers it.
    witness(e.traceId, state == EscalationState::failed ? "escalation.failed" : "escalation.ended",
            "switchboard", {{"escalation", e.id}, {"reason", e.reason}, {"expert", e.expert}},
            [seal = seal_, then = std::move(then)](const Result<void>& stored) {
                if (seal && stored) seal();
                if (then) then(stored);
            });
    if (state == EscalationState::failed)
        publish_(api::makeIfMessage("failure", e.agent, e.traceId,
                                    {{"in_reply_to", e.messageId},
                                     {"escalation", e.id},
                                     {"state", "failed"},
                                     {"sequence", ++e.sequence},
                                     {"reason", e.reason}}),
                 e.id, e.agent);
    else
        inform(e, {{"event", "ended"}, {"reason", e.reason}});
    if (state == EscalationState::failed) share(e);
    releaseRoom(e);
    // No peer joins an escalation that is over: its evidence files' contents (deleted spool
    // files, still open) go now; what GET shows of them (name, size, digest) stays.
    for (auto& r : e.evidence) {
        if (!r.file->content) continue;
        stats_.evidenceHeld -= r.file->size;
        auto described = std::make_shared<room::EvidenceFile>(*r.file);
        described->content.reset();
        r.file = std::move(described);
    }
    // Ended escalations stay for GET up to a bound; the oldest go first (never `e`, which the
    // caller still holds: keptEnded is at least 1).
    ended_.push_back(e.id);
    while (ended_.size() > options_.keptEnded) {
        if (auto old = escalations_.find(ended_.front()); old != escalations_.end()) {
            // An expert's call still closing (its BYE unanswered) releases the expert when it
            // ends; the room goes now, and with it what would have told us.
            for (const auto& a : old->second->attempts)
                if (!a.bridge() && a.live()) release(guard::LimitScope::expert, a.expert);
            escalations_.erase(old);
        }
        ended_.pop_front();
    }
}

void Escalations::hangUp(const std::string& id, const std::string& agent, const Done& done) {
    auto found = escalations_.find(id);
    if (found == escalations_.end() || found->second->agent != agent)
        return done({404, {{"title", "Not Found"}, {"detail", "no such escalation of yours"}}, {}});
    Escalation& e = *found->second;
    if (e.over())
        return done({409,
                     {{"title", "Conflict"},
                      {"detail", fmt::format("the escalation has {}", stateName(e.state))}},
                     {}});
    witness(e.traceId, "api.hangup", "agent:" + agent, {{"escalation", e.id}});
    hangUpAll(e, "hung up by the agent");
    finish(e, EscalationState::ended, "hung up by the agent",
           [this, alive = lifetime_.watch(), done, id, agent](const Result<void>& stored) {
               if (!stored) return done(witnessFailed("hung up", stored.error()));
               if (!alive) return;
               done({200, find(id, agent).value_or(json::object()), {}});
           });
}

void Escalations::addParty(const std::string& id, const std::string& agent, const std::string& uri,
                           const Done& done) {
    auto found = escalations_.find(id);
    if (found == escalations_.end() || found->second->agent != agent)
        return done({404, {{"title", "Not Found"}, {"detail", "no such escalation of yours"}}, {}});
    Escalation& e = *found->second;
    if (e.state != EscalationState::answered)
        return done({409,
                     {{"title", "Conflict"},
                      {"detail", fmt::format("a party joins an answered escalation; this one "
                                             "is {}",
                                             stateName(e.state))}},
                     {}});
    const auto& bridges = e.request.bridges;
    if (std::find(bridges.begin(), bridges.end(), "sip") == bridges.end())
        return done(
            {403,
             {{"title", "Forbidden"}, {"detail", "the escalation did not ask for the sip bridge"}},
             {}});
    room::Dial dial{uri, {}, {{"Trace-ID", e.traceId}, {"Escalation-ID", e.id}}};
    auto leg = e.room->dial("sip", std::move(dial), room::Role::bridge);
    if (!leg) {
        witness(e.traceId, "call.failed", "switchboard",
                {{"escalation", e.id}, {"party", uri}, {"reason", leg.error().message}});
        return done({502,
                     {{"title", "Bad Gateway"},
                      {"detail", "the party cannot be called: " + leg.error().message}},
                     {}});
    }
    e.attempts.push_back(
        {uri, *leg, static_cast<int>(e.stage), room::LegState::setup, Attempt::Kind::party});
    logger().info("trace={} escalation {}: calling party {} (leg {})", e.traceId, e.id, uri,
                  leg->value());
    inform(e, {{"event", "calling"}, {"party", uri}});
    witness(e.traceId, "call.placed", "agent:" + agent,
            {{"escalation", e.id},
             {"party", uri},
             {"role", "bridge"},
             {"leg", leg->value()},
             {"room_state", room::stateName(e.room->state())}},
            [done, id = e.id, uri, leg = leg->value()](const Result<void>& stored) {
                if (!stored) return done(witnessFailed("called", stored.error()));
                done({201, {{"escalation", id}, {"party", uri}, {"leg", leg}}, {}});
            });
}

void Escalations::addVideo(const std::string& id, const std::string& agent,
                           const std::string& source, const Done& done) {
    Escalation* found = mine(id, agent);
    if (!found)
        return done({404, {{"title", "Not Found"}, {"detail", "no such escalation of yours"}}, {}});
    Escalation& e = *found;
    if (e.state != EscalationState::answered || !e.room)
        return done({409,
                     {{"title", "Conflict"},
                      {"detail", fmt::format("video joins an answered escalation; this one is {}",
                                             stateName(e.state))}},
                     {}});
    const auto& bridges = e.request.bridges;
    if (std::find(bridges.begin(), bridges.end(), "video") == bridges.end())
        return done({403,
                     {{"title", "Forbidden"},
                      {"detail", "the escalation did not ask for the video bridge"}},
                     {}});
    if (std::any_of(e.attempts.begin(), e.attempts.end(),
                    [](const Attempt& a) { return a.kind == Attempt::Kind::video && a.live(); }))
        return done(
            {409,
             {{"title", "Conflict"}, {"detail", "the escalation has a video source already"}},
             {}});
    if (!options_.knowsVideoSource(source))
        return done({400,
                     {{"title", "Bad Request"},
                      {"detail", fmt::format("source: no video source named {}", source)},
                      {"field", "/source"}},
                     {}});
    room::Dial dial{
        source, {}, {{"Trace-ID", e.traceId}, {"Escalation-ID", e.id}, {"Expert-ID", e.expert}}};
    auto leg = e.room->dial("video", std::move(dial), room::Role::bridge);
    if (!leg) {
        witness(e.traceId, "video.failed", "switchboard",
                {{"escalation", e.id}, {"source", source}, {"reason", leg.error().message}});
        return done({502,
                     {{"title", "Bad Gateway"},
                      {"detail", "the video source cannot be added: " + leg.error().message}},
                     {}});
    }
    e.attempts.push_back(
        {source, *leg, static_cast<int>(e.stage), room::LegState::setup, Attempt::Kind::video});
    logger().info("trace={} escalation {}: video {} (leg {})", e.traceId, e.id, source,
                  leg->value());
    witness(e.traceId, "video.added", "agent:" + agent,
            {{"escalation", e.id},
             {"source", source},
             {"leg", leg->value()},
             {"room_state", room::stateName(e.room->state())}},
            [done, id = e.id, source, leg = leg->value()](const Result<void>& stored) {
                if (!stored) return done(witnessFailed("added the video", stored.error()));
                done({201, {{"escalation", id}, {"source", source}, {"leg", leg}}, {}});
            });
}

void Escalations::setVideoPreset(const std::string& id, const std::string& agent,
                                 const std::string& preset, const Done& done) {
    Escalation* found = mine(id, agent);
    if (!found)
        return done({404, {{"title", "Not Found"}, {"detail", "no such escalation of yours"}}, {}});
    Escalation& e = *found;
    const auto video = std::find_if(e.attempts.begin(), e.attempts.end(), [](const Attempt& a) {
        return a.kind == Attempt::Kind::video && a.live();
    });
    if (video == e.attempts.end())
        return done(
            {404,
             {{"title", "Not Found"}, {"detail", "the escalation has no live video source"}},
             {}});
    if (auto retuned = options_.retuneVideo(video->leg, preset); !retuned)
        return done(
            {retuned.error().code == Errc::invalid_input ? 400 : 404,
             {{"title", retuned.error().code == Errc::invalid_input ? "Bad Request" : "Not Found"},
              {"detail", retuned.error().message},
              {"field", "/preset"}},
             {}});
    witness(e.traceId, "video.preset", "agent:" + agent,
            {{"escalation", e.id}, {"leg", video->leg.value()}, {"preset", preset}},
            [done, id = e.id, preset](const Result<void>& stored) {
                if (!stored)
                    return done(witnessFailed("changed the video's preset", stored.error()));
                done({200, {{"escalation", id}, {"preset", preset}}, {}});
            });
}

void Escalations::contextUpdate(const std::string& id, const std::string& agent,
                                const std::string& summary, const std::string& context,
                                const std::string& sha256, const Done& done) {
    Escalation* found = mine(id, agent);
    if (!found)
        return done({404, {{"title", "Not Found"}, {"detail", "no such escalation of yours"}}, {}});
    Escalation& e = *found;
    Attempt* peer = e.livePeer();
    if ((e.state != EscalationState::answered && !peer) || !e.room || e.over())
        return done({409,
                     {{"title", "Conflict"},
                      {"detail", fmt::format("context goes to an answered escalation or its "
                                             "WebRTC peer; this one is {}",
                                             stateName(e.state))}},
                     {}});
    // The peer gets the whole context, the expert's phone the summary (SIP MESSAGE). The peer
    // first: a context too large for it is refused whole, and kept for no one.
    json delivered = json::array();
    if (peer) {
        if (auto sent = e.room->sendContext(peer->leg, summary, context); sent)
            delivered.push_back("webrtc");
        else if (sent.error().code == Errc::too_large)
            return done({413,
                         {{"title", "Content Too Large"},
                          {"detail", sent.error().message},
                          {"field", "/payload/context"}},
                         {}});
    }
    e.context.emplace(summary, context);
    std::string notSent;
    if (e.state == EscalationState::answered) {
        if (auto sent = e.room->sendContext(e.answered, summary, {}); sent)
            delivered.push_back("sip");
        else
            notSent = sent.error().message;
    }
    logger().info("trace={} escalation {}: context of {} bytes to {}{}", e.traceId, e.id,
                  context.size(), jsonText(delivered), notSent.empty() ? "" : "; " + notSent);
    inform(e, {{"event", "context_update"}, {"delivered_to", delivered}});
    json data{{"escalation", e.id},
              {"bytes", context.size()},
              {"sha256", sha256},
              {"delivered_to", delivered}};
    if (!notSent.empty()) data["reason"] = notSent;
    witness(e.traceId, "context.update", "agent:" + agent, std::move(data),
            [done, id, delivered](const Result<void>& stored) {
                if (!stored) return done(witnessFailed("taken", stored.error()));
                done({202, {{"escalation", id}, {"delivered_to", delivered}}, {}});
            });
}

std::optional<json> Escalations::find(const std::string& id, const std::string& agent) const {
    auto found = escalations_.find(id);
    if (found == escalations_.end() || found->second->agent != agent) return std::nullopt;
    return toJson(*found->second);
}

json Escalations::list(const std::string& agent, std::optional<EscalationState> state,
                       std::size_t limit) const {
    std::vector<const Escalation*> mine;
    for (const auto& [id, e] : escalations_)
        if (e->agent == agent && (!state || e->state == *state)) mine.push_back(e.get());
    std::sort(mine.begin(), mine.end(),
              [](const auto* a, const auto* b) { return a->createdMs > b->createdMs; });
    json out = json::array();
    for (std::size_t i = 0; i < mine.size() && i < limit; ++i)
        out.push_back(toJson(*mine[i]));
    return out;
}

Escalations::Stats Escalations::stats() const {
    auto s = stats_;
    s.active = std::count_if(escalations_.begin(), escalations_.end(),
                             [](const auto& entry) { return !entry.second->over(); });
    static constexpr const char* kKinds[] = {"call", "party", "peer", "council", "video"};
    for (const char* kind : kKinds)
        s.degraded[kind] = 0; // every kind, so that a series exists before the first
    for (const auto& [id, e] : escalations_)
        for (const auto& a : e->attempts)
            if (a.state == room::LegState::degraded) ++s.degraded[kKinds[int(a.kind)]];
    return s;
}

json Escalations::toJson(const Escalation& e) const {
    json attempts = json::array(), parties = json::array(), peers = json::array(),
         councils = json::array(), video = json::array();
    for (const auto& a : e.attempts) {
        if (a.kind == Attempt::Kind::peer) {
            peers.push_back({{"leg", a.leg.value()},
                             {"for", a.expert},
                             {"live", a.live()},
                             {"state", room::bridgeStateName(a.state)}});
            continue;
        }
        if (a.kind == Attempt::Kind::council) {
            councils.push_back(
                {{"name", a.expert}, {"live", a.live()}, {"state", room::stateName(a.state)}});
            continue;
        }
        if (a.kind == Attempt::Kind::party) {
            parties.push_back(
                {{"uri", a.expert}, {"live", a.live()}, {"state", room::stateName(a.state)}});
            continue;
        }
        if (a.kind == Attempt::Kind::video) {
            video.push_back({{"leg", a.leg.value()},
                             {"source", a.expert},
                             {"live", a.live()},
                             {"state", room::bridgeStateName(a.state)}});
            continue;
        }
        attempts.push_back({{"expert", a.expert},
                            {"stage", a.stage},
                            {"live", a.live()},
                            {"state", room::stateName(a.state)}});
    }
    json out{{"id", e.id},
             {"agent", e.agent},
             {"trace_id", e.traceId},
             {"topic", e.request.topic},
             {"urgency", e.request.urgency},
             {"state", stateName(e.state)},
             {"stage", e.stage},
             {"attempts", attempts},
             {"room_state", e.room ? room::stateName(e.room->state()) : "closed"},
             {"created_ms", e.createdMs}};
    if (!options_.instance.empty()) out["instance"] = options_.instance;
    if (!e.expert.empty()) out["expert"] = e.expert;
    if (!parties.empty()) out["parties"] = parties;
    if (!peers.empty()) out["webrtc"] = peers;
    if (!video.empty()) out["video"] = video;
    if (!councils.empty()) out["council"] = councils.front();
    if (!e.evidence.empty()) {
        json files = json::array();
        for (const auto& r : e.evidence)
            files.push_back({{"evidence", r.file->id},
                             {"name", r.file->name},
                             {"size", r.file->size},
                             {"sha256", r.file->sha256},
                             {"delivered", r.complete}});
        out["evidence"] = files;
    }
    if (e.answeredMs) out["answered_ms"] = e.answeredMs;
    if (e.endedMs) out["ended_ms"] = e.endedMs;
    if (!e.reason.empty()) out["reason"] = e.reason;
    return out;
}

} // namespace sb::app
