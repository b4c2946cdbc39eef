#pragma once
// The agent API's routes (docs/api/openapi.json) over the services of the control loop. The
// HTTP server runs on a thread of its own (Boost.Beast needs Boost.Asio, the gateway runs on
// standalone Asio): a handler reads and checks the request there, then posts the work to the
// control loop, whose objects are not thread-safe, and answers from it (api::Respond may be
// called from any thread).

#include "api/grants.hpp"
#include "api/problem.hpp"
#include "api/router.hpp"
#include "app/escalations.hpp"
#include "app/one_at_a_time.hpp"
#include "bridge/webrtc_peers.hpp"
#include "cluster/pg_escalations.hpp"
#include "registry/offloaded_store.hpp"
#include "registry/registry.hpp"
#include "video/browse_threads.hpp"
#include "video/video_legs.hpp"
#include "witness/log.hpp"
#include "witness/signer.hpp"

#include <asio/io_context.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sb::app {

struct ApiServices {
    asio::io_context& control;
    Escalations& escalations;
    registry::Registry& registry;
    registry::OffloadedStore& documents; // written on a thread of its own
    witness::WitnessLog& witness;
    const witness::Signer& signer;
    std::function<std::string()> metrics;  // Prometheus text; on the control loop
    std::function<std::string()> notReady; // why the gateway cannot take escalations, or ""
    // Operators: agents whose tokens may change the registry and read the witness log's entries.
    std::set<std::string, std::less<>> admins;
    OneAtATime registryWrites; // a change waits for the one before it to be stored and witnessed
    // The WebRTC bridge, when [webrtc] is on: its peers (on their own thread), the grants for
    // experts' browsers, the largest evidence upload, where uploads are spooled, and a grant's
    // life.
    bridge::WebRtcPeers* webrtc = nullptr;
    std::shared_ptr<const api::Grants> grants;
    std::uint64_t evidenceMaxBytes = 64 << 20;
    std::filesystem::path evidenceSpool;
    std::chrono::seconds grantLife{900};
    // The video bridge, when [video] is on: the sources an agent may name, where discovery's
    // blocking calls run (Avahi's, the NDI runtime's), the interface our own mDNS queries leave
    // by ("": the system's choice), and the machines the NDI runtime's finder asks too.
    const video::VideoLegs* video = nullptr;
    video::BrowseThreads* browses = nullptr;
    std::string mdnsInterface = {};
    std::vector<std::string> ndiExtraIps = {};
    // In a cluster: the escalations that other instances hold (read, hung up through them).
    cluster::PgEscalations* cluster = nullptr;
};

// POST/GET /v1/escalations, GET/DELETE /v1/escalations/{id}, POST
// /v1/escalations/{id}/parties, GET /v1/events (WebSocket).
void addEscalationRoutes(api::Router& router, ApiServices& services);
// POST /v1/escalations/{id}/whip and DELETE …/whip/{leg} (WHIP, RFC 9725), POST
// /v1/escalations/{id}/grants, POST /v1/escalations/{id}/evidence, GET /expert (the expert's page).
void addWebRtcRoutes(api::Router& router, ApiServices& services);
// /v1/experts and /v1/chains: the registry, kept in the document store.
void addRegistryRoutes(api::Router& router, ApiServices& services);
// /v1/witness/head, /entries, /proof/inclusion, /proof/consistency, /public-key.
void addWitnessRoutes(api::Router& router, ApiServices& services);
// GET /v1/video/sources: the configured video sources, and the NDI sources found on the LAN.
void addVideoRoutes(api::Router& router, ApiServices& services);
// /metrics, /healthz, /readyz, /v1/openapi.json.
void addOperationsRoutes(api::Router& router, ApiServices& services);

// Runs `work` on the control loop; `work` answers through `respond`. The request's catch-all
// boundary (ARCHITECTURE.md "Errors"): when `work` throws, `respond` answers 500 at once, and the
// exception goes on to the control loop's own boundary (Server::run), which logs and counts it.
void onControl(asio::io_context& control, api::Respond respond, std::function<void()> work);
inline void onControl(ApiServices& services, api::Respond respond, std::function<void()> work) {
    onControl(services.control, std::move(respond), std::move(work));
}

// An RFC 9457 problem for a request body or parameter the service refused: 400 naming the
// field (the error's JSON pointer, api/ifmessage.hpp), or the status its code implies.
api::Response badRequest(const Error& error);
// What the escalations answered, as a response: a problem from 400 on, else the JSON body;
// with X-IF-Trace-ID when `traceId` is given.
api::Response answerOf(const EscalationAnswer& answer, const std::string& traceId);
// 403 naming what only an operator may do, unless the request's token is an operator's
// ([[api.tokens]] admin = true).
inline std::optional<api::Response>
notOperator(const ApiServices& services, const api::Request& request, std::string_view only) {
    if (services.admins.contains(request.agent)) return std::nullopt;
    return api::problem(403, {}, fmt::format("only an operator's token (admin) may {}", only),
                        {{"field", "Authorization"}});
}
// The SHA-256 of `bytes`, in lower-case hex (what the witness keeps of a context or a file).
std::string sha256Hex(std::string_view bytes);

} // namespace sb::app
