// Escalations (escalations.hpp): the peers that join a room by their own signalling (WebRTC
// sessions), the expert's grant, and the agent's evidence files, which the peers carry.

#include "app/escalation_records.hpp"
#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"

#include <fmt/format.h>

namespace sb::app {
namespace {

using nlohmann::json;

spdlog::logger& logger() {
    return log::get("app");
}

EscalationAnswer notFound() {
    return {404, {{"title", "Not Found"}, {"detail", "no such escalation of yours"}}, {}};
}

EscalationAnswer conflict(std::string detail) {
    return {409, {{"title", "Conflict"}, {"detail", std::move(detail)}}, {}};
}

// Evidence files an escalation holds at most: each is spooled on disk (up to the API's
// evidence_max_bytes) until the escalation is over.
constexpr std::size_t kMostEvidenceFiles = 64;

} // namespace

void Escalations::joinPeer(const std::string& id, const std::string& agent,
                           const std::string& grant, std::string_view kind, const MakePeer& make,
                           const Done& done) {
    Escalation* found = mine(id, agent, grant);
    if (!found) return done(notFound());
    Escalation& e = *found;
    if (e.over() || !e.room)
        return done(conflict(fmt::format("the escalation is {}", stateName(e.state))));
    const auto& bridges = e.request.bridges;
    if (std::find(bridges.begin(), bridges.end(), kind) == bridges.end())
        return done(
            {403,
             {{"title", "Forbidden"},
              {"detail", fmt::format("the escalation did not ask for the {} bridge", kind)}},
             {}});
    // One session per escalation call (ARCHITECTURE.md "The WebRTC bridge").
    if (Attempt* live = e.livePeer())
        return done(conflict(fmt::format("a {} session is live already (leg {}); end it first",
                                         kind, live->leg.value())));
    const std::string who = grant == id && e.agent != agent ? "expert" : "agent:" + agent;
    // A new session takes the place of the last one if that failed: the room recovers with it.
    std::optional<room::LegId> failedBefore;
    for (const auto& a : e.attempts)
        if (a.kind == Attempt::Kind::peer) failedBefore = a.leg;
    if (failedBefore && e.attempt(*failedBefore)->state != room::LegState::failed)
        failedBefore.reset();
    auto leg = e.room->join(
        room::Role::bridge,
        [&make, traceId = e.traceId](room::LegId leg, room::LegSink& sink) {
            return make(leg, sink, traceId);
        },
        failedBefore);
    if (!leg)
        return done({503,
                     {{"title", "Service Unavailable"},
                      {"detail", "the session cannot be set up: " + leg.error().message}},
                     {}});
    e.attempts.push_back(
        {who, *leg, static_cast<int>(e.stage), room::LegState::setup, Attempt::Kind::peer});
    logger().info("trace={} escalation {}: a {} peer for {} joins (leg {})", e.traceId, e.id, kind,
                  who, leg->value());
    inform(e, {{"event", fmt::format("{}_{}", kind, room::bridgeStateName(room::LegState::setup))},
               {"peer", who}});
    witness(e.traceId, fmt::format("{}.{}", kind, room::bridgeStateName(room::LegState::setup)),
            who,
            {{"escalation", e.id},
             {"peer", who},
             {"leg", leg->value()},
             {"bridge_state", room::bridgeStateName(room::LegState::setup)},
             {"room_state", room::stateName(e.room->state())}},
            [done, id, leg = leg->value()](const Result<void>& stored) {
                if (!stored) return done(witnessFailed("joined", stored.error()));
                done({201, {{"escalation", id}, {"leg", leg}}, {}});
            });
}

void Escalations::leavePeer(const std::string& id, const std::string& agent,
                            const std::string& grant, std::uint64_t leg, const Done& done) {
    Escalation* e = mine(id, agent, grant);
    if (!e) return done(notFound());
    Attempt* a = e->attempt(room::LegId(leg));
    if (!a || a->kind != Attempt::Kind::peer || !a->live() || !e->room)
        return done({404, {{"title", "Not Found"}, {"detail", "no such live session"}}, {}});
    e->room->hangUp(a->leg, "the peer's resource was deleted");
    done({200, {{"escalation", id}, {"leg", leg}}, {}});
}

void Escalations::grantExpert(const std::string& id, const std::string& agent,
                              std::int64_t expiresUnix, const Done& done) {
    Escalation* e = mine(id, agent);
    if (!e) return done(notFound());
    if (e->over()) return done(conflict(fmt::format("the escalation is {}", stateName(e->state))));
    witness(e->traceId, "grant.issued", "agent:" + agent,
            {{"escalation", id}, {"for", "expert"}, {"expires", expiresUnix}},
            [done, id](const Result<void>& stored) {
                if (!stored) return done(witnessFailed("not granted", stored.error()));
                done({201, {{"escalation", id}}, {}});
            });
}

void Escalations::addEvidence(const std::string& id, const std::string& agent,
                              const std::shared_ptr<const room::EvidenceFile>& file,
                              const Done& done) {
    Escalation* found = mine(id, agent);
    if (!found) return done(notFound());
    Escalation& e = *found;
    if (e.over() || !e.room)
        return done(conflict(fmt::format("the escalation is {}", stateName(e.state))));
    if (e.evidence.size() >= kMostEvidenceFiles)
        return done({413,
                     {{"title", "Content Too Large"},
                      {"detail", fmt::format("the escalation holds {} evidence files, its most",
                                             kMostEvidenceFiles)}},
                     {}});
    // Each waits on disk until its escalation is over; all of them together stay within the
    // operator's bound ([webrtc] evidence_held_bytes), so that uploads cannot fill the disk.
    if (stats_.evidenceHeld + file->size > options_.evidenceHeldMost)
        return done(
            {507,
             {{"title", "Insufficient Storage"},
              {"detail", fmt::format("the escalations under way hold {} bytes of evidence; "
                                     "{} more would pass the bound of {} "
                                     "(webrtc.evidence_held_bytes)",
                                     stats_.evidenceHeld, file->size, options_.evidenceHeldMost)}},
             {}});
    if (file->content) stats_.evidenceHeld += file->size;
    const json described{{"escalation", e.id}, {"evidence", file->id}, {"name", file->name},
                         {"type", file->type}, {"size", file->size},   {"sha256", file->sha256}};
    e.evidence.push_back({file, 0, false});
    json delivering = json::array();
    if (Attempt* peer = e.livePeer(); peer && e.room->sendFile(peer->leg, file, 0))
        delivering.push_back("webrtc");
    logger().info("trace={} escalation {}: evidence {} \"{}\" ({} bytes) to {}", e.traceId, e.id,
                  file->id, file->name, file->size, jsonText(delivering));
    inform(e, {{"event", "evidence_received"},
               {"evidence", file->id},
               {"name", file->name},
               {"size", file->size},
               {"sha256", file->sha256}});
    json answer = described;
    answer["delivering_to"] = delivering;
    witness(e.traceId, "evidence.received", "agent:" + agent, described,
            [done, answer](const Result<void>& stored) {
                if (!stored) return done(witnessFailed("taken", stored.error()));
                done({202, answer, {}});
            });
}

void Escalations::onFileProgress(Escalation& e, room::LegId leg,
                                 const room::FileProgress& progress) {
    auto record = std::find_if(e.evidence.begin(), e.evidence.end(),
                               [&](const auto& r) { return r.file->id == progress.transfer; });
    if (record == e.evidence.end()) return;
    record->chunks = std::max(record->chunks, progress.chunks);
    const auto& file = *record->file;
    if (!progress.error.empty() || progress.complete) {
        record->complete = progress.complete;
        // A transfer that failed (a digest the peer disputes) starts over for the next peer.
        if (!progress.error.empty()) record->chunks = 0;
        json data{{"escalation", e.id},    {"evidence", file.id},   {"name", file.name},
                  {"size", progress.size}, {"sha256", file.sha256}, {"leg", leg.value()}};
        if (!progress.error.empty()) data["reason"] = progress.error;
        witness(e.traceId, progress.complete ? "evidence.delivered" : "evidence.failed",
                progress.complete ? "peer" : "switchboard", data);
        json event{{"event", progress.complete ? "evidence_delivered" : "evidence_failed"},
                   {"evidence", file.id},
                   {"size", progress.size}};
        if (!progress.error.empty()) event["reason"] = progress.error;
        return inform(e, std::move(event));
    }
    inform(e, {{"event", "evidence_progress"},
               {"evidence", file.id},
               {"held", progress.held},
               {"size", progress.size}});
}

void Escalations::catchUp(Escalation& e, room::LegId peer) {
    if (e.context) (void)e.room->sendContext(peer, e.context->first, e.context->second);
    for (const auto& r : e.evidence)
        if (!r.complete) (void)e.room->sendFile(peer, r.file, r.chunks);
}

} // namespace sb::app
