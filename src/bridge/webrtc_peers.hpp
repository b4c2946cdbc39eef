#pragma once
// WebRTC peers as legs of rooms (ARCHITECTURE.md "The WebRTC bridge"). A peer arrives by its
// own signalling (the API's WHIP endpoint) with an offer, and joins an escalation's room
// through Room::join as a leg that brings its own session: arrive() makes that leg.
//
// Two threads. The legs live on the control loop with their rooms; the sessions
// (peer_session.hpp) on "sb-webrtc", one thread for every peer, since usrsctp runs without
// threads of its own and all its associations must be driven from one (ARCHITECTURE.md
// "Threads"). They speak only by posting closures: a leg's calls are posted to its session,
// and a session's events back to its leg, each finding the other by id, so that neither ever
// holds the other or takes a lock. A third, "sb-evidence", reads the evidence files' spools
// for the sessions, so that no disk read blocks sb-webrtc.

#include "bridge/peer_session.hpp"
#include "core/lifetime.hpp"
#include "room/leg.hpp"
#include "room/media_graph.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>

namespace sb::bridge {

class WebRtcPeers {
public:
    struct Options {
        std::optional<std::string> stunServer; // for server-reflexive candidates
        std::uint16_t stunPort = 3478;
        std::optional<webrtc::IceAgent::Options::Turn> turn; // for relayed candidates
        bool relayOnly = false;                              // and none other
        std::uint64_t maxMessageSize = 262144;               // ours, in a=max-message-size
        std::chrono::milliseconds ackTimeout = 10s;
        std::array<std::chrono::milliseconds, 3> backoff{1s, 2s, 4s};
        // Take a peer's Opus audio into its room (the room's media graph answers for it).
        bool audio = true;
    };
    // `control`: the loop the rooms run on. Errc::io when no DTLS identity can be made.
    static Result<std::unique_ptr<WebRtcPeers>> start(asio::io_context& control, Options options);
    // Every session ends (without a word to the rooms, which have gone or are going).
    ~WebRtcPeers();
    WebRtcPeers(const WebRtcPeers&) = delete;
    WebRtcPeers& operator=(const WebRtcPeers&) = delete;

    struct Arrival {
        std::string offer;      // the peer's SDP offer; empty: Switchboard offers
        std::string escalation; // what the handshake names
        std::string traceId;
        std::string role = "expert"; // whom the peer speaks for
        std::string remote;          // the signalling's peer address, for describe()
        // The peer's signalling channel, if Switchboard can speak on it (a WebSocket): our
        // trickled candidates and errors about its signals go there, from the control loop.
        std::function<void(std::string text)> signal;
    };
    struct Described {
        std::uint64_t session; // for accept() and addCandidate()
        std::string sdp;       // our answer, or our offer
    };
    // The leg for a peer that arrived: it reports to `sink` (the room), and `described` gets
    // our answer to the peer's offer (or our offer), or why there is none, on the control
    // loop, once. The leg starts in setup; it rings (connecting) once described, connects
    // (active) when the peer answers the handshake, and may degrade, recover, fail or end
    // (peer_session.hpp).
    std::unique_ptr<room::Leg> arrive(room::LegId id, room::LegSink& sink, Arrival arrival,
                                      room::Reply<Described> described);
    // What the peer's signalling brings later: its answer to our offer, and its trickled
    // candidates ("candidate:…"; empty: the end of them). Nothing for a session that is over.
    void accept(std::uint64_t session, std::string answer);
    // A WHIP PATCH for the peer on leg `leg` of `escalation` (RFC 9725 §4.3): `reply` gets our
    // fragment when it restarts ICE, nullopt when it trickles, Errc::not_found when there is
    // no such peer (or its session is over); on the control loop.
    void patch(const std::string& escalation, room::LegId leg, webrtc::IceFragment fragment,
               room::Reply<std::optional<webrtc::IceFragment>> reply);
    // The same for a fragment on the peer's signalling (a handshake with "ice"), which may
    // also answer an ICE restart of ours (`answers`, or an offer crossing ours; nullopt then).
    void takeFragment(std::uint64_t session, webrtc::IceFragment fragment, bool answers,
                      room::Reply<std::optional<webrtc::IceFragment>> reply);
    void addCandidate(std::uint64_t session, std::string line);

    struct Stats {
        std::size_t legs = 0;     // live now
        std::uint64_t joined = 0; // legs made
        std::uint64_t active = 0, failed = 0;
    };
    const Stats& stats() const noexcept { return stats_; }

private:
    class PeerLeg;
    explicit WebRtcPeers(asio::io_context& control, Options options);
    // On sb-webrtc.
    void startSession(std::uint64_t id, Arrival arrival);
    void tick();
    // Runs `work` on the control loop for leg `id`, if the leg is still there.
    void toLeg(std::uint64_t id, std::function<void(PeerLeg&)> work);
    // Runs `work` on sb-webrtc for session `id`, if it is still there.
    void toSession(std::uint64_t id, std::function<void(PeerSession&)> work);
    // Reads part of a file on sb-evidence, for session `id` (PeerSession::supply).
    void read(std::uint64_t session, std::shared_ptr<const room::EvidenceFile> file,
              std::uint64_t offset, std::size_t length);

    asio::io_context& control_;
    Options options_;
    std::unique_ptr<webrtc::DtlsIdentity> identity_;
    std::unique_ptr<webrtc::IceLoop> ice_; // "sb-ice"
    asio::io_context io_;                  // "sb-webrtc"
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    asio::steady_timer ticker_{io_};
    std::thread thread_;
    asio::io_context reader_; // "sb-evidence"
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> readerWork_;
    std::thread readerThread_;
    // sb-webrtc's own.
    using Clock = std::chrono::steady_clock;
    struct Session {
        std::unique_ptr<PeerSession> session;
        Clock::time_point overSince{}; // it goes kLinger after
    };
    std::unordered_map<std::uint64_t, Session> sessions_;
    Clock::time_point lastTick_;
    bool stopping_ = false;
    // The control loop's own.
    std::unordered_map<std::uint64_t, PeerLeg*> legs_;
    std::uint64_t nextId_ = 1;
    Stats stats_;
    Lifetime lifetime_; // for events posted to the control loop after it has gone
};

} // namespace sb::bridge
