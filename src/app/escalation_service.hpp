#pragma once
// The escalation service as the gateway runs it: its storage (the witness log and the
// registry, in SQLite or PostgreSQL), the signing key, the guard's policy, the escalations
// themselves and the agent API that reaches them. Server starts it after SIP and media.

#include "api/metrics_text.hpp"
#include "api/server.hpp"
#include "app/api_routes.hpp"
#include "app/config.hpp"
#include "app/escalations.hpp"
#include "cluster/pg_escalations.hpp"
#include "guard/guard.hpp"
#include "registry/offloaded_store.hpp"
#include "registry/registry.hpp"
#include "video/video_legs.hpp"
#include "witness/log.hpp"
#include "witness/sealer.hpp"
#include "witness/signer.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <functional>
#include <memory>

namespace sb::app {

class EscalationService {
public:
    // Opens the storage, loads (or seeds) the registry and the policy, and starts the API.
    // Errors: Errc::config for a bad policy, experts file or token table; Errc::io when the
    // storage, the key or the API's port cannot be had.
    static Result<std::unique_ptr<EscalationService>>
    start(asio::io_context& context, net::TimerWheel& timers, const Config& config,
          room::Rooms& rooms, std::function<void(api::MetricsText&)> gatewayMetrics);
    ~EscalationService();

    // SIGHUP: reads the policy file again; a bad one keeps the policy in force (and says why).
    void reloadPolicy();
    // Stops the API (no more requests) and hangs up every escalation's calls. The rooms must
    // outlive the service.
    void stop();
    // SIGTERM: /readyz says 503 and new escalations are refused; those under way go on.
    void drain();
    // Escalations ringing or answered now.
    std::size_t active() const;

    std::uint16_t apiPort() const noexcept { return http_ ? http_->port() : 0; }
    // Every route of the API (docs/api/openapi.json documents each; a test compares them).
    const std::vector<api::RouteInfo>& apiRoutes() const noexcept { return routes_; }
    // The service's own figures.
    void addMetrics(api::MetricsText& metrics) const;
    // A council's membership changed (`who` joined or left the room `council`): a witness
    // entry under the council room's trace id.
    void witnessMembership(const std::string& traceId, std::string_view council,
                           std::string_view who, bool joined);
    // A gateway's call was answered (RouteConferences::recordGatewayCalls): a witness entry
    // under the call's trace id, `done` once it is on disk or with the store's error.
    void witnessGatewayCall(const std::string& traceId, std::string_view from, std::string_view to,
                            std::function<void(Result<void>)> done);

private:
    EscalationService(asio::io_context& context, const Config& config);
    Result<void> loadRegistry();
    Result<void> shareEscalations(const std::string& storage, const std::string& instance);
    void applyDocument(const std::string& kind, const std::string& id,
                       const std::optional<std::string>& body);
    void applyRegistry(const cluster::PgEscalations::Documents& stored);
    void carryOut(const nlohmann::json& command);
    Result<void> startApi(std::function<void(api::MetricsText&)> gatewayMetrics);
    // Every few seconds, whether the witness store answers (its database may go away and come
    // back while nothing is appended): for /readyz and the metrics.
    void checkStoreLater();
    // Why the gateway cannot take escalations now, or "".
    std::string notReady() const;

    asio::io_context& context_;
    const Config& config_;
    std::unique_ptr<witness::WitnessLog> witness_;
    std::unique_ptr<witness::Signer> signer_;
    std::unique_ptr<registry::DocumentStore> startupDocuments_; // until the registry is loaded
    std::unique_ptr<registry::OffloadedStore> documents_;       // then on a thread of its own
    registry::Registry registry_;
    guard::Guard guard_;
    std::unique_ptr<witness::Sealer> sealer_;           // before the escalations, which ask it
    std::unique_ptr<bridge::WebRtcPeers> webrtc_;       // outlives the rooms, whose legs it made
    std::unique_ptr<video::VideoLegs> video_;           // likewise
    std::unique_ptr<video::BrowseThreads> browses_;     // with the video bridge: sources' discovery
    std::unique_ptr<guard::SharedLimits> sharedLimits_; // in a cluster: outlives escalations_
    std::unique_ptr<Escalations> escalations_;
    // In a cluster: the escalations' records; goes before escalations_, whose handlers it calls.
    std::unique_ptr<cluster::PgEscalations> records_;
    std::unique_ptr<ApiServices> services_;
    std::vector<api::RouteInfo> routes_;
    std::unique_ptr<api::HttpServer> http_;
    asio::steady_timer storeCheck_;
    std::string storeSilent_; // why the store did not answer its last check, or ""
    bool draining_ = false;
};

} // namespace sb::app
