#pragma once
// What Escalations keeps of each escalation (internal to escalations.cpp and
// escalation_peers.cpp).

#include "app/escalations.hpp"

#include <algorithm>

namespace sb::app {

// A leg of the escalation's room: a call to one expert, a party the agent added, or a peer
// that joined by its own signalling (a WebRTC session).
struct Escalations::Attempt {
    enum class Kind : std::uint8_t {
        expert,  // an expert's call: decides how the escalation goes
        party,   // a bridge leg the agent called in (addParty)
        peer,    // a bridge leg that joined by its own signalling (joinPeer)
        council, // the link into the council the request named (app/council_links.hpp)
        video,   // a video source the agent brought in (addVideo)
    };
    // The expert's id; for a party, its URI; for a peer, who it speaks for; for a council, its
    // name; for a video source, the source's name.
    std::string expert;
    room::LegId leg;
    int stage = 0;
    room::LegState state = room::LegState::setup;
    Kind kind = Kind::expert;
    bool live() const { return !room::isFinal(state); }
    bool bridge() const { return kind != Kind::expert; }
};

// 503 for a request whose witness entry could not be stored (what was done is said in `done`).
EscalationAnswer witnessFailed(std::string_view done, const Error& error);

// An evidence file the agent gave, and how far its delivery has gone.
struct EvidenceRecord {
    std::shared_ptr<const room::EvidenceFile> file;
    std::uint32_t chunks = 0; // acknowledged by the peer: a new session resumes from here
    bool complete = false;
};

struct Escalations::Escalation final : room::RoomObserver {
    Escalations& owner;
    std::string id, agent, traceId, messageId;
    api::EscalateRequest request;
    nlohmann::json asked; // the escalate message's payload, until the cluster has it
    EscalationState state = EscalationState::ringing;
    registry::Plan plan;
    std::size_t stage = 0;
    std::vector<Attempt> attempts;
    std::string expert; // who answered
    std::string reason; // why it ended or failed
    std::int64_t createdMs = 0, answeredMs = 0, endedMs = 0;
    std::uint64_t sequence = 0;          // of its events
    net::TimerWheel::TimerId stageTimer; // the ring time of the stage ringing now
    std::unique_ptr<room::Room> room;    // until it is over and its last leg has closed
    room::LegId answered;                // the leg of the expert who answered
    bool endingStage = false;            // its calls are being hung up: no second stageOver
    bool admitting = false;              // its stage's experts are being admitted (ringStage)
    // The agent's last context (summary, document) and its files: what a peer that joins, or
    // joins again, is given.
    std::optional<std::pair<std::string, std::string>> context;
    std::vector<EvidenceRecord> evidence;

    explicit Escalation(Escalations& o) : owner(o) {}
    bool over() const {
        return state == EscalationState::ended || state == EscalationState::failed;
    }
    Attempt* attempt(room::LegId leg) {
        for (auto& a : attempts)
            if (a.leg == leg) return &a;
        return nullptr;
    }
    // The peer whose session is live, if one is (one per escalation).
    Attempt* livePeer() {
        for (auto& a : attempts)
            if (a.kind == Attempt::Kind::peer && a.live()) return &a;
        return nullptr;
    }
    bool stageLive() const {
        return std::any_of(attempts.begin(), attempts.end(), [&](const Attempt& a) {
            return a.live() && !a.bridge() && a.stage == static_cast<int>(stage);
        });
    }
    void onLegChange(room::Room&, const room::LegChange& change, room::RoomState before) override {
        owner.onLegChange(*this, change, before);
    }
    void onLegNotice(room::Room&, room::LegId leg, std::string_view kind,
                     std::string_view detail) override {
        owner.onLegNotice(*this, leg, kind, detail);
    }
    void onFileProgress(room::Room&, room::LegId leg, const room::FileProgress& progress) override {
        owner.onFileProgress(*this, leg, progress);
    }
};

} // namespace sb::app
