#pragma once
// The gateway process: brings the subsystems up in order from a Config, runs the control loop
// until asked to stop (stop(), SIGINT or SIGTERM) and takes everything down again.

#include "app/bridged_rooms.hpp"
#include "app/config.hpp"
#include "app/council_links.hpp"
#include "app/escalation_service.hpp"
#include "app/route_conferences.hpp"
#include "core/result.hpp"
#include "h323/call_endpoint.hpp"
#include "h323/call_legs.hpp"
#include "h323/gatekeeper_server.hpp"
#include "h323/ras_endpoint.hpp"
#include "net/dns_resolver.hpp"
#include "net/timer_wheel.hpp"
#include "room/room.hpp"
#include "session/media_anchor.hpp"
#include "session/media_lanes.hpp"
#include "session/worker_graph.hpp"
#include "sip/b2bua.hpp"
#include "sip/room_legs.hpp"
#include "sip/stateless_responder.hpp"
#include "sip/transport.hpp"
#include "sip/transport_sender.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sb::app {

class Server {
public:
    explicit Server(Config config);
    ~Server();

    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Applies the log configuration, installs the SIGINT/SIGTERM handlers and brings the
    // subsystems up in order. Call once. On failure returns the first error (Errc::config when
    // the configuration is unusable, another code when a resource cannot be had) and run()
    // then returns at once.
    Result<void> start();

    // Runs the control loop on the calling thread until stop(), SIGINT or SIGTERM, then
    // returns after an orderly shutdown. Returns at once if start() did not succeed.
    void run();

    // Asks run() to shut down and return. Thread-safe, may be called more than once, and
    // before run() (run() then shuts down as soon as it is called).
    void stop();

    const Config& config() const noexcept { return config_; }
    // The control loop (ARCHITECTURE.md "Threads": SIP signalling, API and policy run here).
    asio::io_context& context() noexcept { return context_; }

    // One line of counters: "stats: calls=… dialogs=… transactions=… …" (also logged on
    // SIGUSR1). Call on the control loop.
    std::string statsLine() const;
    // Handlers on the control loop that threw, caught by run()'s catch-all boundary.
    std::uint64_t handlerFailures() const noexcept { return handlerFailures_; }
    // Where H.323 calls arrive (0 when [h323] is off); after start().
    std::uint16_t h323Port() const noexcept {
        return h323Endpoint_ ? h323Endpoint_->localEndpoint().port() : 0;
    }
    // The agent API's port (0 when it is off); after start().
    std::uint16_t apiPort() const noexcept { return escalations_ ? escalations_->apiPort() : 0; }
    std::vector<api::RouteInfo> apiRoutes() const {
        return escalations_ ? escalations_->apiRoutes() : std::vector<api::RouteInfo>{};
    }

private:
    Result<void> applyLogConfig();
    void watchSignals();
    void watchStatsSignal();
    // Drives the timer wheel from an asio timer while it has timers pending.
    void keepWheelTurning();
    Result<void> ensureTlsMaterial();
    Result<void> startSip();
    // The media workers, media anchoring and conference rooms, as [media] and the routes ask.
    void startMedia(sip::B2buaOptions& b2buaOptions);
    // The H.323 endpoint ([h323]): arriving calls join the configured conference room.
    Result<void> startH323();
    void onH323Call(std::uint64_t call, const h323::h225::Setup& setup);
    // Registers with the configured gatekeeper, or with our own (started here), which then
    // admits every H.323 call.
    Result<void> startRas();
    // The route a SIP call to the Setup's called alias (sip:ALIAS@[h323] address) would take.
    std::optional<sip::RouteMatch> routeOfH323(const h323::h225::Setup& setup) const;
    // The escalation service and its API ([api], [escalations]); SIGHUP reloads its policy.
    Result<void> startEscalations();
    void watchReloadSignal();
    void gatewayMetrics(api::MetricsText& metrics) const;
    void onSipMessage(sip::InboundMessage&& message);
    // Runs on the control loop: undoes start() in reverse order and lets run() return.
    void shutdown(std::string_view reason);

    Config config_;
    asio::io_context context_{1}; // concurrency hint 1: only run()'s thread runs it
    // Both conference graphs' figures together.
    session::WorkerGraph::Figures conference() const;
    // Asks the media workers for fresh figures; `done` runs on the control loop.
    void refreshMediaFigures(std::function<void()> done);
    void keepMediaFiguresFresh(); // every few seconds, until the shutdown
    // SIGTERM's drain: no new calls or escalations, and a shutdown once those in progress have
    // ended or [calls] drain_s is over.
    void drain();
    void waitForDrain();
    std::size_t callsInProgress() const; // SIP and H.323 calls, and escalations under way
    std::size_t rtpPortsLeased() const;

    std::uint64_t handlerFailures_ = 0;
    std::optional<asio::signal_set> signals_;
    std::optional<asio::signal_set> statsSignal_;
    std::optional<asio::signal_set> reloadSignal_;
    net::TimerWheel wheel_;
    asio::steady_timer wheelTimer_{context_};
    asio::steady_timer figuresTimer_{context_};
    asio::steady_timer drainTimer_{context_};
    std::optional<std::chrono::steady_clock::time_point> drainUntil_; // while draining
    std::int64_t startedUnix_ = 0;
    std::optional<std::int64_t> certificateExpiry_;
    bool wheelTurning_ = false;
    std::unique_ptr<sip::StatelessResponder> responder_;
    std::unique_ptr<sip::TransportLayer> sipTransport_;
    std::unique_ptr<sip::TransportSender> sipSender_;
    std::unique_ptr<net::AresResolver> dns_; // outlives the B2BUA, which asks it
    sip::RouteTable routes_;                 // the B2BUA's, which H.323 calls follow too
    // Destroyed from the bottom up: each outlives what it was handed to.
    std::unique_ptr<session::MediaLanes> lanes_;       // the media workers, with the ports
    std::unique_ptr<session::MediaAnchor> media_;      // bridged calls' media (their rooms')
    std::unique_ptr<BridgedRooms> bridgedRooms_;       // bridged calls' rooms (the B2BUA's)
    std::unique_ptr<session::WorkerGraph> routeMedia_; // the conference routes' rooms' media
    std::unique_ptr<room::Rooms> routeRooms_;          // those rooms' ids and graph
    std::unique_ptr<session::WorkerGraph> roomMedia_;  // the escalations' rooms' media
    std::unique_ptr<sip::B2bua> b2bua_;
    std::unique_ptr<h323::GatekeeperServer> gatekeeper_; // our own, when none is configured
    std::unique_ptr<h323::RasEndpoint> ras_;             // our registration; the calls' admissions
    std::unique_ptr<h323::CallLegs> h323Legs_;           // H.323 calls as legs of the routes' rooms
    std::unique_ptr<h323::CallEndpoint> h323Endpoint_;   // their signalling (outlives their legs)
    std::unique_ptr<sip::RoomLegs> routeLegs_;           // calls the B2BUA answers into rooms
    std::unique_ptr<RouteConferences> routeConferences_; // the routes' rooms, by name
    std::unique_ptr<CouncilLinks> councilLinks_;         // escalations' rooms linked into councils
    std::unique_ptr<sip::RoomLegs> roomLegs_;            // calls the B2BUA places into rooms
    std::unique_ptr<room::Rooms> rooms_;                 // the escalations' rooms' ids and graph
    std::unique_ptr<EscalationService> escalations_;     // drives the rooms
    bool started_ = false;
    bool stopping_ = false; // touched only on the control loop
};

struct ServeOptions {
    std::optional<std::filesystem::path> configFile; // none: the built-in default
    std::string version;                             // for the start-up log line
    bool checkOnly = false; // only read and check the configuration (before a deployment)
};

// What `switchboard serve` does: loads the configuration, starts a Server and runs it until
// SIGINT or SIGTERM. Returns the process exit status: 0 after a clean stop, 2 for a
// configuration error (the message goes to stderr), 1 when start-up fails otherwise. Lets
// exceptions other than configuration errors through to main()'s boundary.
int serve(const ServeOptions& options);

} // namespace sb::app
