#include "app/escalation_service.hpp"

#include "app/default_experts.hpp" // generated from deploy/experts.json (CMakeLists.txt)
#include "app/default_policy.hpp"  // generated from deploy/policy.toml
#include "cluster/pg_escalations.hpp"
#include "cluster/pg_limits.hpp"
#include "core/clock.hpp"
#include "core/file.hpp"
#include "core/json_text.hpp"
#include "core/log.hpp"
#include "core/trace.hpp"
#include "video/ndi_runtime.hpp"
#include "witness/store_factory.hpp"

#include <cctype>
#include <chrono>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace sb::app {
namespace {

using nlohmann::json;

spdlog::logger& logger() {
    return log::get("app");
}

// How late the signed head covering an ended escalation may be stored (witness/sealer.hpp).
constexpr std::chrono::milliseconds kSealInterval{1000};

Result<guard::Policy> readPolicy(const std::string& file) {
    if (file.empty()) return guard::Policy::parse(generated::kDefaultPolicyToml, "policy.toml");
    return guard::Policy::load(file);
}

} // namespace

EscalationService::EscalationService(asio::io_context& context, const Config& config)
    : context_(context), config_(config), storeCheck_(context) {}

EscalationService::~EscalationService() {
    stop();
}

namespace {

// [escalations] witness_log or instance with "{hostname}" replaced by this machine's name (a
// pod's, under Kubernetes), its characters outside a name's made '_'.
std::string expandName(std::string name) {
    if (const auto at = name.find("{hostname}"); at != std::string::npos) {
        char host[256] = {};
        (void)gethostname(host, sizeof host - 1);
        std::string own = host;
        for (char& c : own)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
        name.replace(at, 10, own);
    }
    return name.substr(0, 48);
}

} // namespace

Result<std::unique_ptr<EscalationService>>
EscalationService::start(asio::io_context& context, net::TimerWheel& timers, const Config& config,
                         room::Rooms& rooms,
                         std::function<void(api::MetricsText&)> gatewayMetrics) {
    const auto& e = config.escalations;
    std::unique_ptr<EscalationService> s(new EscalationService(context, config));
    auto policy = readPolicy(e.policy);
    if (!policy) return fail(Errc::config, policy.error().message);
    s->guard_.replace(std::move(policy).value());

    // The folders of the files we make; a failure shows when the file is opened.
    std::error_code ignored;
    if (e.storage.starts_with("sqlite:"))
        std::filesystem::create_directories(
            std::filesystem::path(e.storage.substr(7)).parent_path(), ignored);
    std::filesystem::create_directories(std::filesystem::path(e.signingKey).parent_path(), ignored);
    const std::string instance = expandName(e.instance);
    auto store =
        witness::openStore(e.storage, e.witnessLog.empty() ? instance : expandName(e.witnessLog));
    if (!store) return fail(store.error());
    auto log = witness::WitnessLog::open(context, std::move(store).value());
    if (!log) return fail(log.error());
    s->witness_ = std::move(log).value();
    s->checkStoreLater();
    auto signer = witness::Signer::loadOrCreate(e.signingKey);
    if (!signer) return fail(signer.error());
    s->signer_ = std::move(signer).value();
    auto documents = registry::openDocumentStore(e.storage);
    if (!documents) return fail(documents.error());
    s->startupDocuments_ = std::move(documents).value();
    if (auto loaded = s->loadRegistry(); !loaded) return fail(loaded.error());
    // From now on the control loop runs: the store moves to a thread of its own.
    s->documents_ =
        std::make_unique<registry::OffloadedStore>(context, std::move(s->startupDocuments_));

    if (config.webrtc.enabled && config.api.enabled) {
        bridge::WebRtcPeers::Options w;
        if (!config.webrtc.stunServer.empty()) w.stunServer = config.webrtc.stunServer;
        w.stunPort = config.webrtc.stunPort;
        if (const auto& c = config.webrtc; !c.turnServer.empty()) {
            using Transport = webrtc::IceAgent::Options::Turn::Transport;
            w.turn = {c.turnServer, c.turnPort, c.turnUsername, c.turnPassword,
                      c.turnTransport == "tcp"   ? Transport::tcp
                      : c.turnTransport == "tls" ? Transport::tls
                                                 : Transport::udp};
            w.relayOnly = c.relayOnly;
        }
        w.maxMessageSize = config.webrtc.maxMessageSize;
        auto peers = bridge::WebRtcPeers::start(context, std::move(w));
        if (!peers) return fail(peers.error());
        s->webrtc_ = std::move(peers).value();
    }

    if (config.video.enabled) { // sources that an agent brings into its escalation's call
        video::VideoOptions v;
        v.preset = config.video.preset;
        v.codec = config.video.codec == "h265" ? video::Codec::h265 : video::Codec::h264;
        v.encoder = config.video.encoder;
        v.vaapiDevice = config.video.vaapiDevice;
        v.address = config.media.address;
        for (const auto& source : config.video.sources)
            v.sources.push_back({source.name, source.url});
        // NDI's own configuration, for the runtime this process may load (never after start-up).
        if (auto ndi =
                video::configureNdi(std::filesystem::path(config.dataDir) / "ndi",
                                    config.video.ndiExtraIps, config.video.ndiDiscoveryServers);
            !ndi)
            return fail(Errc::config, ndi.error().message);
        s->video_ = std::make_unique<video::VideoLegs>(context, std::move(v));
        s->browses_ = std::make_unique<video::BrowseThreads>(context);
        rooms.provide("video", *s->video_);
    }

    EscalationOptions options;
    if (!instance.empty()) {
        auto limits = cluster::PgLimits::open(context, e.storage, instance);
        if (!limits) return fail(limits.error());
        s->sharedLimits_ = std::move(limits).value();
        options.sharedLimits = s->sharedLimits_.get();
        options.instance = instance;
        if (auto shared = s->shareEscalations(e.storage, instance); !shared)
            return fail(shared.error());
        options.recorded = [records = s->records_.get()](const json& record, const json& request) {
            records->record(record.value("id", ""), record.value("agent", ""),
                            record.value("state", ""), record.value("trace_id", ""), record,
                            request);
        };
        logger().info("cluster: instance {}; the guard's limits and the escalations' records are "
                      "the cluster's",
                      instance);
    }
    options.defaultRing = std::chrono::seconds(e.ringSeconds);
    options.keptEnded = e.keptEnded;
    options.evidenceHeldMost = config.webrtc.evidenceHeldBytes;
    options.mediaSrtp = config.media.srtp;
    if (s->webrtc_) options.bridges.insert("webrtc");
    if (s->video_) {
        options.bridges.insert("video");
        options.knowsVideoSource = [video = s->video_.get()](std::string_view name) {
            return video->knows(name);
        };
        options.retuneVideo = [video = s->video_.get()](room::LegId leg, std::string_view preset) {
            return video->setPreset(leg, preset);
        };
    }
    auto* http = &s->http_;
    s->escalations_ = std::make_unique<Escalations>(
        context, timers, rooms, s->registry_, s->guard_, *s->witness_, std::move(options),
        [http, records = s->records_.get()](const json& message, const std::string& key,
                                            const std::string& agent) {
            std::string text = jsonText(message);
            if (records) records->publish(text, key, agent); // for streams on other instances
            if (*http) (*http)->events().publish(std::move(text), key, agent);
        });
    s->sealer_ = std::make_unique<witness::Sealer>(timers, *s->witness_, *s->signer_, kSealInterval,
                                                   [] { return unixTimeMs(); });
    s->escalations_->onSealed([sealer = s->sealer_.get()] { sealer->ask(); });
    if (auto api = s->startApi(std::move(gatewayMetrics)); !api) return fail(api.error());
    if (s->records_) s->records_->startClaiming(); // up: gone instances' escalations are ours
    logger().info("escalations: {} expert(s), {} chain(s), {} policy rule(s), witness log of {} "
                  "entries in {}",
                  s->registry_.experts().size(), s->registry_.chains().size(),
                  s->guard_.policy().rules.size(), s->witness_->size(),
                  e.storage.starts_with("sqlite:") ? e.storage : "PostgreSQL");
    return s;
}

// The escalations as the cluster sees them: other instances' events to this one's streams,
// hang-ups asked of this one, and the escalations of instances that are gone to report.
Result<void> EscalationService::shareEscalations(const std::string& storage,
                                                 const std::string& instance) {
    cluster::PgEscalations::Handlers handlers;
    handlers.event = [this](std::string message, std::string key, std::string agent) {
        if (http_) http_->events().publish(std::move(message), std::move(key), std::move(agent));
    };
    handlers.command = [this](const json& command) { carryOut(command); };
    handlers.orphans = [this](std::vector<cluster::PgEscalations::Row> rows) {
        if (!escalations_) { // a claim under way as this instance stopped (stopClaiming)
            for (const auto& r : rows)
                logger().error("escalation {} of instance {}, claimed as this one stopped, is "
                               "marked failed and not rung again",
                               r.id, r.instance);
            return;
        }
        for (auto& r : rows)
            escalations_->takeOver({std::move(r.id), std::move(r.agent), std::move(r.instance),
                                    std::move(r.traceId), std::move(r.record), std::move(r.request),
                                    r.hangUpAsked});
    };
    handlers.document = [this](const std::string& kind, const std::string& id,
                               const std::optional<std::string>& body) {
        applyDocument(kind, id, body);
    };
    handlers.registry = [this](const cluster::PgEscalations::Documents& stored) {
        applyRegistry(stored);
    };
    auto records = cluster::PgEscalations::open(context_, storage, instance, std::move(handlers));
    if (!records) return fail(records.error());
    records_ = std::move(records).value();
    return {};
}

// An operation on one of this instance's escalations that another instance took (its API
// answered 202; escalation_routes.cpp, askElsewhere): carried out as if asked here, and a
// refusal reported on the agent's stream.
void EscalationService::carryOut(const json& command) {
    if (!escalations_) return;
    const auto op = command.value("op", "");
    const auto id = command.value("id", "");
    const auto agent = command.value("agent", "");
    const auto arg = [&](const char* name) { return command.value(name, ""); };
    auto report = [this, id, agent, op](const EscalationAnswer& answer) {
        if (answer.status >= 300) escalations_->reportRefused(id, agent, op, answer);
    };
    if (op == "hangup")
        escalations_->hangUp(id, agent, report);
    else if (op == "add_party")
        escalations_->addParty(id, agent, arg("uri"), report);
    else if (op == "add_video")
        escalations_->addVideo(id, agent, arg("source"), report);
    else if (op == "video_preset")
        escalations_->setVideoPreset(id, agent, arg("preset"), report);
    else if (op == "context")
        escalations_->contextUpdate(id, agent, arg("summary"), arg("context"), arg("sha256"),
                                    report);
    else
        logger().warn("cluster: a command of another instance that this one does not know: {}",
                      jsonText(command));
}

// A registry document that an instance of the cluster changed (this one's own changes come
// back too, and change nothing).
void EscalationService::applyDocument(const std::string& kind, const std::string& id,
                                      const std::optional<std::string>& body) {
    Result<void> applied;
    if (kind == "expert") {
        if (!body) {
            if (registry_.expert(id)) applied = registry_.removeExpert(id);
        } else if (auto expert = registry::parseExpert(*body)) {
            applied = registry_.upsertExpert(std::move(expert).value());
        } else {
            applied = fail(expert.error());
        }
    } else if (kind == "chain") {
        if (!body) {
            if (registry_.chain(id)) applied = registry_.removeChain(id);
        } else if (auto chain = registry::parseChain(*body)) {
            applied = registry_.upsertChain(std::move(chain).value());
        } else {
            applied = fail(chain.error());
        }
    }
    if (!applied)
        logger().warn("registry: the cluster's change of {} {} cannot be applied: {}", kind, id,
                      applied.error().message);
}

// The registry as stored, read again after the cluster's connection was lost (the changes
// NOTIFYed meanwhile never came): what it holds applied, what it lacks removed. Chains go
// before the experts they name, and after them when they come back.
void EscalationService::applyRegistry(const cluster::PgEscalations::Documents& stored) {
    static const std::map<std::string, std::string> kNone;
    const auto of = [&](const char* kind) -> const std::map<std::string, std::string>& {
        const auto found = stored.find(kind);
        return found == stored.end() ? kNone : found->second;
    };
    const auto& experts = of("expert");
    const auto& chains = of("chain");
    std::vector<std::string> goneChains, goneExperts;
    for (const auto* chain : registry_.chains())
        if (!chains.contains(chain->id)) goneChains.push_back(chain->id);
    for (const auto* expert : registry_.experts())
        if (!experts.contains(expert->id)) goneExperts.push_back(expert->id);
    for (const auto& id : goneChains)
        applyDocument("chain", id, std::nullopt);
    for (const auto& [id, body] : experts)
        applyDocument("expert", id, body);
    for (const auto& [id, body] : chains)
        applyDocument("chain", id, body);
    for (const auto& id : goneExperts)
        applyDocument("expert", id, std::nullopt);
}

// The registry as stored; an empty one is seeded with the configured (or demo) experts.
Result<void> EscalationService::loadRegistry() {
    auto experts = startupDocuments_->all("expert");
    if (!experts) return fail(experts.error());
    auto chains = startupDocuments_->all("chain");
    if (!chains) return fail(chains.error());
    for (const auto& [id, body] : *experts) {
        auto expert = registry::parseExpert(body);
        if (!expert)
            return fail(Errc::config, "stored expert " + id + ": " + expert.error().message);
        if (auto ok = registry_.upsertExpert(std::move(expert).value()); !ok) return ok;
    }
    for (const auto& [id, body] : *chains) {
        auto chain = registry::parseChain(body);
        if (!chain) return fail(Errc::config, "stored chain " + id + ": " + chain.error().message);
        if (auto ok = registry_.upsertChain(std::move(chain).value()); !ok) return ok;
    }
    if (!experts->empty() || !chains->empty()) return {};

    const auto& file = config_.escalations.experts;
    auto text = file.empty() ? Result<std::string>(std::string(generated::kDefaultExpertsJson))
                             : readNamedFile(file, "experts file");
    if (!text) return fail(text.error());
    const std::string source = file.empty() ? "experts.json" : file;
    auto list = api::parseJson(*text);
    if (!list || !list->is_array())
        return fail(Errc::config, source + ": expected a JSON array of experts");
    for (std::size_t i = 0; i < list->size(); ++i) {
        auto expert = registry::expertFromJson((*list)[i]);
        if (!expert)
            return fail(Errc::config, fmt::format("{}: /{}{}", source, i, expert.error().message));
        const std::string id = expert->id;
        if (auto ok = startupDocuments_->put("expert", id, jsonText(toJson(*expert))); !ok)
            return ok;
        if (auto ok = registry_.upsertExpert(std::move(expert).value()); !ok) return ok;
        logger().info("registry: added expert {} from {}", id, source);
    }
    return {};
}

Result<void> EscalationService::startApi(std::function<void(api::MetricsText&)> gatewayMetrics) {
    const auto& a = config_.api;
    if (!a.enabled) return {};
    std::vector<api::TokenEntry> entries;
    for (const auto& t : a.tokens)
        entries.push_back({t.agent, t.sha256});
    auto tokens = api::TokenTable::create(entries);
    if (!tokens) return fail(Errc::config, "api.tokens: " + tokens.error().message);

    services_ = std::make_unique<ApiServices>(
        ApiServices{context_,
                    *escalations_,
                    registry_,
                    *documents_,
                    *witness_,
                    *signer_,
                    [this, gatewayMetrics = std::move(gatewayMetrics)] {
                        api::MetricsText metrics;
                        gatewayMetrics(metrics);
                        addMetrics(metrics);
                        return metrics.text();
                    },
                    [this] { return notReady(); },
                    {},
                    {},
                    webrtc_.get(),
                    nullptr,
                    config_.webrtc.evidenceMaxBytes,
                    std::filesystem::path(config_.dataDir) / "evidence",
                    std::chrono::seconds(config_.webrtc.grantSeconds),
                    video_.get(),
                    browses_.get(),
                    config_.video.mdnsInterface,
                    config_.video.ndiExtraIps,
                    records_.get()});
    for (const auto& t : a.tokens)
        if (t.admin) services_->admins.insert(t.agent);
    if (webrtc_) {
        std::error_code ignored; // a failure shows when an upload is spooled (507)
        std::filesystem::create_directories(services_->evidenceSpool, ignored);
        auto grants = std::make_shared<const api::Grants>();
        services_->grants = grants;
        tokens->acceptGrants(grants);
    }
    api::Router router;
    addEscalationRoutes(router, *services_);
    addRegistryRoutes(router, *services_);
    addWitnessRoutes(router, *services_);
    addOperationsRoutes(router, *services_);
    addWebRtcRoutes(router, *services_);
    addVideoRoutes(router, *services_);
    routes_ = router.routes();

    api::HttpServer::Options options;
    options.address = a.address;
    options.port = a.port;
    options.maxBodyBytes = a.maxBodyBytes;
    if (a.tls) {
        options.certificate = config_.tls.certificate;
        options.privateKey = config_.tls.privateKey;
    }
    http_ = std::make_unique<api::HttpServer>(std::move(options), std::move(router),
                                              std::move(tokens).value());
    if (auto started = http_->start(); !started) {
        http_.reset();
        return fail(Errc::io, fmt::format("api: cannot listen on {}:{}: {}", a.address, a.port,
                                          started.error().message));
    }
    const auto scheme = a.tls ? "https" : "http";
    logger().info("api: listening on {}://{}:{}", scheme, a.address, http_->port());
    if (std::any_of(a.tokens.begin(), a.tokens.end(),
                    [](const auto& t) { return t.sha256 == api::hashToken("demo-token"); })) {
        // The newcomer's first escalation, to the demo expert (the echo test).
        const auto base = fmt::format("{}://{}:{}", scheme, a.address, http_->port());
        logger().info(
            "try: curl -s {}/v1/escalations -H 'Authorization: Bearer demo-token' -H "
            "'Content-Type: application/json' -d '{{\"id\":\"m1\",\"performative\":\"escalate\","
            "\"sender\":\"demo-agent\",\"payload\":{{\"topic\":\"demo\",\"skills\":[\"echo\"],"
            "\"reason\":\"trying Switchboard\"}}}}'",
            base);
        logger().info("watch: python3 -m websockets 'ws://{}:{}/v1/events?access_token=demo-token'",
                      a.address, http_->port());
    }
    return {};
}

void EscalationService::reloadPolicy() {
    const auto& file = config_.escalations.policy;
    if (file.empty()) {
        logger().info("SIGHUP: the policy is the built-in one; nothing to reload");
        return;
    }
    if (!documents_) return;
    // Read on the store's thread: the control loop never waits on a disk (a policy on a slow
    // network mount would stall every call).
    documents_->readFile(file, "policy file", [this, file](Result<std::string> text) {
        auto policy = text ? guard::Policy::parse(*text, file) : fail(text.error());
        if (!policy) {
            logger().error("SIGHUP: the policy in force stays: {}", policy.error().message);
            return;
        }
        guard_.replace(std::move(policy).value());
        logger().info("SIGHUP: policy reloaded from {} ({} rules)", file,
                      guard_.policy().rules.size());
        witness_->append({newTraceId(),
                          unixTimeMs(),
                          "guard.policy_reloaded",
                          "operator",
                          {{"file", file}, {"rules", guard_.policy().rules.size()}}},
                         [](const Result<std::uint64_t>&) {});
    });
}

void EscalationService::witnessMembership(const std::string& traceId, std::string_view council,
                                          std::string_view who, bool joined) {
    witness_->append({traceId,
                      unixTimeMs(),
                      joined ? "council.member_joined" : "council.member_left",
                      "switchboard",
                      {{"council", std::string(council)}, {"member", std::string(who)}}},
                     [](const Result<std::uint64_t>&) {});
}

void EscalationService::witnessGatewayCall(const std::string& traceId, std::string_view from,
                                           std::string_view to,
                                           std::function<void(Result<void>)> done) {
    witness_->append({traceId,
                      unixTimeMs(),
                      "gateway.call_answered",
                      "switchboard",
                      {{"from", std::string(from)}, {"to", std::string(to)}}},
                     [done = std::move(done)](const Result<std::uint64_t>& index) {
                         if (!index) return done(fail(index.error()));
                         done({});
                     });
}

void EscalationService::checkStoreLater() {
    storeCheck_.expires_after(std::chrono::seconds(5));
    storeCheck_.async_wait([this](const std::error_code& ec) {
        if (ec) return; // stopped
        witness_->check([this](const Result<void>& answered) {
            const std::string silent = answered ? "" : answered.error().message;
            if (silent != storeSilent_) {
                if (silent.empty())
                    logger().info("the witness store answers again");
                else
                    logger().warn("the witness store does not answer: {}", silent);
            }
            storeSilent_ = silent;
            checkStoreLater();
        });
    });
}

void EscalationService::drain() {
    draining_ = true;
    // Gone instances' escalations are left to the instances that can ring them again.
    if (records_) records_->stopClaiming();
    if (escalations_) escalations_->drain();
}

std::size_t EscalationService::active() const {
    return escalations_ ? escalations_->stats().active : 0;
}

std::string EscalationService::notReady() const {
    if (draining_) return "draining: this instance is being stopped";
    // An escalation is acknowledged only once witnessed: a log whose store does not answer,
    // or whose last group of appends failed, cannot take any.
    if (!storeSilent_.empty()) return "the witness store does not answer: " + storeSilent_;
    if (witness_->stats().lastCommitFailed)
        return fmt::format("the witness log's last append failed ({} so far)",
                           witness_->stats().failures);
    return {};
}

void EscalationService::stop() {
    storeCheck_.cancel();
    if (http_) http_->stop();
    if (records_) records_->stopClaiming(); // none claimed that no one would report
    escalations_.reset();                   // hangs up every call of every escalation
    sealer_.reset();                        // seals what they asked for
    documents_.reset();                     // finishes the registry writes asked for
}

void EscalationService::addMetrics(api::MetricsText& m) const {
    const auto s = escalations_ ? escalations_->stats() : Escalations::Stats{};
    m.counter("switchboard_escalations_requested_total", "Escalation requests received.",
              double(s.requested));
    m.counter("switchboard_escalations_refused_total",
              "Escalations refused (policy, limits, no expert).", double(s.refused));
    m.counter("switchboard_escalations_agreed_total", "Escalations agreed to.", double(s.agreed));
    m.counter("switchboard_escalations_answered_total", "Escalations an expert answered.",
              double(s.answered));
    m.counter("switchboard_escalations_failed_total", "Escalations no expert answered.",
              double(s.failed));
    m.counter("switchboard_escalations_ended_total", "Answered escalations that ended.",
              double(s.ended));
    m.counter("switchboard_expert_calls_placed_total", "Calls placed to experts.",
              double(s.callsPlaced));
    m.counter("switchboard_escalations_taken_over_total",
              "Escalations in progress on a cluster's instance that died, reported failed here.",
              double(s.takenOver));
    m.gauge("switchboard_escalations_active", "Escalations ringing or answered now.",
            double(s.active));
    m.gauge("switchboard_evidence_held_bytes",
            "Evidence the escalations under way hold on disk (bounded by "
            "webrtc.evidence_held_bytes).",
            double(s.evidenceHeld));
    m.histogram("switchboard_escalation_setup_seconds",
                "Time from an escalation's request to its expert's answer.", s.setupSeconds);
    for (const auto& [kind, legs] : s.degraded)
        m.gauge("switchboard_legs_degraded",
                "Escalations' legs up but impaired now (a bridge's source or transport), by kind.",
                double(legs), {{"kind", kind}});
    const auto why = notReady();
    m.gauge("switchboard_ready", "1 while the gateway can take escalations (as /readyz says).",
            why.empty() ? 1 : 0);
    const auto& w = witness_->stats();
    m.histogram("switchboard_witness_append_seconds",
                "Time from a witness append to its acknowledgement (durable, or failed).",
                w.appendSeconds);
    m.gauge("switchboard_witness_store_up", "1 while the witness store answers its checks.",
            storeSilent_.empty() ? 1 : 0,
            {{"backend",
              config_.escalations.storage.starts_with("sqlite:") ? "sqlite" : "postgresql"}});
    m.gauge("switchboard_witness_entries", "Entries in the witness log.", double(witness_->size()));
    m.counter("switchboard_witness_commits_total", "Group commits of the witness log.",
              double(w.commits));
    m.counter("switchboard_witness_failures_total", "Witness appends that failed.",
              double(w.failures));
    if (webrtc_) {
        const auto& r = webrtc_->stats();
        m.gauge("switchboard_webrtc_sessions", "WebRTC peers' sessions live now.", double(r.legs));
        m.counter("switchboard_webrtc_sessions_total", "WebRTC peers that joined.",
                  double(r.joined));
        m.counter("switchboard_webrtc_active_total", "WebRTC sessions that became active.",
                  double(r.active));
        m.counter("switchboard_webrtc_failed_total", "WebRTC sessions that failed.",
                  double(r.failed));
    }
    if (http_) {
        m.gauge("switchboard_api_connections", "Open API connections.",
                double(http_->connections()));
        m.gauge("switchboard_api_event_subscribers", "WebSocket event subscribers.",
                double(http_->events().subscribers()));
    }
}

} // namespace sb::app
