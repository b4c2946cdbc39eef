#include "app/server.hpp"

#include "app/service_manager.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/stop_signals.hpp"
#include "h323/addresses.hpp"
#include "media/codec.hpp"
#include "net/tls_context.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <csignal>
#include <fmt/format.h>
#include <iostream>
#include <pthread.h>
#include <utility>

namespace sb::app {
namespace {

spdlog::logger& logger() {
    return log::get("app");
}

} // namespace

// The wheel's resolution: SIP timers are multiples of T1 (≥ 10 ms), so 10 ms late is harmless.
constexpr std::chrono::milliseconds kWheelTick{10};

Server::Server(Config config)
    : config_(std::move(config)), wheel_(&net::TimerWheel::Clock::now, kWheelTick) {
    wheel_.onWake([this] { keepWheelTurning(); });
}

Server::~Server() = default;

Result<void> Server::start() {
    if (started_) return fail(Errc::config, "the server is already started");
    if (auto applied = applyLogConfig(); !applied) return applied;
    logger().info("starting (data dir '{}')", config_.dataDir);
    watchSignals();
    watchStatsSignal();

    // Subsystems come up here, in dependency order, each as a start<Subsystem>() step that
    // returns its error. shutdown() undoes them in reverse order; a step that fails must leave
    // nothing half-open, and the destructor releases what the earlier steps acquired.
    if (auto sip = startSip(); !sip) return sip;
    if (auto h323 = startH323(); !h323) return h323;
    if (auto escalations = startEscalations(); !escalations) return escalations;
    // For the metrics: when this process began, and when its TLS certificate expires (read
    // once here: no disk on the control loop).
    startedUnix_ = unixTimeMs() / 1000;
    if (std::filesystem::exists(config_.tls.certificate)) {
        if (auto expiry = net::certificateExpiry(config_.tls.certificate))
            certificateExpiry_ = *expiry;
        else
            logger().warn("{}", expiry.error().message);
    }
    keepMediaFiguresFresh();

    started_ = true;
    logger().info("started");
    notifyServiceManager("READY=1\nSTATUS=running");
    return {};
}

void Server::run() {
    if (!started_) return;
    logger().info("running; stop with SIGINT or SIGTERM");
    // ARCHITECTURE.md "Errors": the control loop's catch-all boundary. A handler that throws
    // loses its own work only (an API request it served has been answered 500 by onControl);
    // the loop, and every call and escalation on it, goes on.
    while (!context_.stopped()) {
        try {
            context_.run();
        } catch (const std::exception& e) {
            ++handlerFailures_;
            logger().error("control loop: a handler threw: {}", e.what());
        } catch (...) {
            ++handlerFailures_;
            logger().error("control loop: a handler threw a non-standard exception");
        }
    }
    logger().info("stopped");
}

void Server::stop() {
    asio::post(context_, [this] { shutdown("stop requested"); });
}

Result<void> Server::applyLogConfig() {
    // The reader validated the names already; a failure here means the two disagree.
    if (!log::setDefaultLevel(config_.log.level))
        return fail(Errc::config, fmt::format("log.level: unknown level '{}'", config_.log.level));
    for (const auto& [module, level] : config_.log.modules) {
        if (!log::setLevel(module, level))
            return fail(Errc::config,
                        fmt::format("log.modules.{}: unknown level '{}'", module, level));
    }
    return {};
}

void Server::watchSignals() {
    signals_.emplace(context_, SIGINT, SIGTERM);
    signals_->async_wait([this](const std::error_code& ec, int signal) {
        if (ec) return; // cancelled by shutdown()
        // SIGTERM (systemd's stop, Kubernetes' before its SIGKILL) drains first; SIGINT, or
        // SIGTERM again while draining, stops at once.
        if (signal == SIGTERM && !drainUntil_ && config_.calls.drain.count() > 0 &&
            callsInProgress() > 0)
            return drain();
        shutdown(signal == SIGINT ? "SIGINT received" : "SIGTERM received");
    });
}

std::size_t Server::callsInProgress() const {
    return (b2bua_ ? b2bua_->stats().calls : 0) + (h323Endpoint_ ? h323Endpoint_->calls() : 0) +
           (escalations_ ? escalations_->active() : 0);
}

void Server::drain() {
    drainUntil_ = std::chrono::steady_clock::now() + config_.calls.drain;
    if (b2bua_) b2bua_->drain();
    if (escalations_) escalations_->drain();
    logger().info("SIGTERM received: draining; {} call(s) and escalation(s) in progress may go on "
                  "for {} s (SIGINT or SIGTERM again stops at once)",
                  callsInProgress(), config_.calls.drain.count());
    notifyServiceManager(
        fmt::format("STOPPING=1\nSTATUS=draining: {} in progress", callsInProgress()));
    watchSignals(); // for the second signal
    waitForDrain();
}

void Server::waitForDrain() {
    drainTimer_.expires_after(std::chrono::milliseconds(200));
    drainTimer_.async_wait([this](const std::error_code& ec) {
        if (ec || stopping_) return;
        const std::size_t left = callsInProgress();
        if (left == 0) return shutdown("SIGTERM received: drained");
        if (std::chrono::steady_clock::now() >= *drainUntil_)
            return shutdown(fmt::format("SIGTERM received: drain_s is over, hanging up {} "
                                        "call(s) and escalation(s)",
                                        left));
        waitForDrain();
    });
}

Result<void> Server::ensureTlsMaterial() {
    const auto& tls = config_.tls;
    const bool haveBoth =
        std::filesystem::exists(tls.certificate) && std::filesystem::exists(tls.privateKey);
    if (haveBoth || !tls.selfSigned) return {};
    // The embedded default listens on TLS with a self-signed pair made at first start.
    logger().info("generating a self-signed TLS certificate: {} and {}", tls.certificate,
                  tls.privateKey);
    return net::generateSelfSigned(tls.certificate, tls.privateKey, "localhost");
}

Result<void> Server::startSip() {
    const auto& sip = config_.sip;
    const bool anyTls = std::any_of(sip.listen.begin(), sip.listen.end(), [](const auto& l) {
        return l.transport == sip::Transport::tls;
    });
    std::optional<sip::TlsFiles> tlsFiles;
    if (anyTls) {
        if (auto ok = ensureTlsMaterial(); !ok) return ok;
        tlsFiles = sip::TlsFiles{config_.tls.certificate, config_.tls.privateKey, {}, true};
    }

    sip::ResponderOptions responderOptions;
    responderOptions.userAgent = sip.userAgent;
    responderOptions.limits = {sip.maxMessageBytes, sip.maxHeaders, sip.maxLineBytes};
    responder_ = std::make_unique<sip::StatelessResponder>(std::move(responderOptions));

    sip::TransportLimits limits;
    limits.maxMessageBytes = sip.maxMessageBytes;
    limits.messageTimeout = std::chrono::milliseconds(sip.messageTimeoutMs);
    limits.idleTimeout = std::chrono::seconds(sip.idleTimeoutS);
    limits.maxConnections = sip.maxConnections;
    sipTransport_ = std::make_unique<sip::TransportLayer>(context_, limits, tlsFiles);
    sipTransport_->onMessage([this](sip::InboundMessage&& m) { onSipMessage(std::move(m)); });
    sipTransport_->onStreamError([this](const sip::InboundMessage& peer, const Error& error) {
        // RFC 3261 §18.3: a stream message without a usable Content-Length is malformed. Answer
        // it from the headers received (400 naming Content-Length, or 513 when too large); the
        // transport closes the connection after the answer.
        if (auto answer = responder_->rejectMalformed(peer.bytes, error))
            sipTransport_->reply(peer, std::move(*answer));
    });
    for (const auto& listen : sip.listen) {
        if (auto ok = sipTransport_->listen(
                {listen.transport, listen.address, listen.port, listen.advertise});
            !ok)
            return ok;
    }
    sip::B2buaOptions b2buaOptions;
    b2buaOptions.userAgent = sip.userAgent;
    b2buaOptions.timers = {std::chrono::milliseconds(sip.t1Ms), std::chrono::milliseconds(sip.t2Ms),
                           std::chrono::milliseconds(sip.t4Ms)};
    b2buaOptions.limits = config_.calls;
    std::vector<sip::RouteRule> rules;
    for (const auto& r : config_.routes)
        rules.push_back(
            {r.user, r.domain, r.target, r.outboundProxy, r.transport, r.conference, r.srtp});
    auto routes = sip::RouteTable::make(std::move(rules));
    if (!routes) return fail(routes.error());
    routes_ = std::move(routes).value();
    b2buaOptions.routes = routes_;
    b2buaOptions.auth = config_.auth;
    b2buaOptions.listeners = sipTransport_->listeners();
    auto dns = net::AresResolver::make(context_, config_.dns);
    if (!dns) return fail(dns.error());
    dns_ = std::move(dns).value();
    b2buaOptions.dns = dns_.get();
    startMedia(b2buaOptions);
    bridgedRooms_ = std::make_unique<BridgedRooms>(media_.get());
    b2buaOptions.callRooms = bridgedRooms_.get();
    sipSender_ = std::make_unique<sip::TransportSender>(*sipTransport_);
    b2bua_ = std::make_unique<sip::B2bua>(wheel_, *sipSender_, std::move(b2buaOptions));
    bridgedRooms_->use(*b2bua_);
    if (routeConferences_) {
        routeLegs_ = std::make_unique<sip::RoomLegs>(*b2bua_, config_.escalations.from);
        routeConferences_->use(*routeLegs_);
        routeRooms_->provide("sip", *routeLegs_); // the gateway's routes from H.323 dial them
    }
    sipTransport_->onConnectFailed(
        [this](sip::Transport t, const asio::ip::address& address, std::uint16_t port) {
            b2bua_->transportFailed(t, address, port);
        });

    for (const auto& bound : sipTransport_->listeners())
        logger().info("SIP listening on {} {}:{}", sip::transportName(bound.transport),
                      bound.address.is_v6() ? "[" + bound.address.to_string() + "]"
                                            : bound.address.to_string(),
                      bound.port);
    return {};
}

void Server::startMedia(sip::B2buaOptions& b2buaOptions) {
    const auto& m = config_.media;
    // The escalation service puts each escalation's expert into a room of its own.
    const bool rooms =
        config_.api.enabled || config_.h323.enabled ||
        std::any_of(config_.routes.begin(), config_.routes.end(), [](const RouteConfig& r) {
            return !r.conference.empty() || r.target.starts_with("h323:");
        });
    if (!m.anchor && !rooms) return;
    // The media runs on the media workers; when both bridged calls and rooms have media, each
    // has half of the port range, shared among the workers.
    const auto address = asio::ip::make_address(m.address);
    const std::size_t workers =
        m.workers < 0 ? session::defaultMediaWorkers() : static_cast<std::size_t>(m.workers);
    session::PortRange roomPorts{m.portMin, m.portMax}, callPorts{};
    if (m.anchor) {
        callPorts = roomPorts;
        if (rooms) {
            const auto halves = session::splitPorts(roomPorts, 2);
            callPorts = halves.front();
            roomPorts = halves.back();
        } else {
            roomPorts = {};
        }
    }
    lanes_ =
        std::make_unique<session::MediaLanes>(context_, workers, address, roomPorts, callPorts);
    logger().info("media: {} worker(s); RTP ports {}-{} for rooms, {}-{} for bridged calls",
                  lanes_->workers(), roomPorts.first, roomPorts.last, callPorts.first,
                  callPorts.last);
    session::MediaOptions media;
    media.advertise = m.advertise;
    media.latching = m.latching;
    media.packetMs = m.packetMs;
    media.srtp = *sdp::srtpPolicyByName(m.srtp); // the reader let only the three names through
    for (const auto& name : m.codecs) {
        // The reader allowed only codecs we implement.
        const auto id =
            media::codecByName(name, name == "opus" ? 48000 : 8000, name == "opus" ? 2 : 1);
        const auto& t = media::traitsOf(*id);
        media.codecs.push_back({std::string(t.sdpName), t.rtpClock, t.sdpChannels});
    }
    if (rooms) {
        // Two graphs: the routes' rooms are keyed by B2BUA call ids, the escalations' by leg ids.
        const session::ConferenceOptions options{media, m.conferenceRate};
        // The routes' rooms take DTMF as RFC 4733 events too, which a gateway's call sends on
        // to its H.323 leg as user input (its SIP leg's INFO goes that way already).
        auto routeOptions = options;
        routeOptions.media.codecs.push_back({"telephone-event", 8000, 1});
        routeMedia_ = std::make_unique<session::WorkerGraph>(*lanes_, routeOptions);
        routeMedia_->onDigit([this](room::LegId leg, char digit, std::chrono::milliseconds held) {
            routeConferences_->heardDigit(leg, digit, held);
        });
        routeRooms_ = std::make_unique<room::Rooms>(*routeMedia_);
        routeConferences_ = std::make_unique<RouteConferences>(*routeRooms_);
        b2buaOptions.rooms = routeConferences_.get();
        roomMedia_ = std::make_unique<session::WorkerGraph>(*lanes_, options);
    }
    if (m.anchor) media_ = std::make_unique<session::MediaAnchor>(*lanes_, std::move(media));
}

Result<void> Server::startH323() {
    const auto& h = config_.h323;
    if (!h.enabled) return {};
    h323Legs_ = std::make_unique<h323::CallLegs>(
        [this](std::uint64_t call, const h323::h225::Setup& setup) { onH323Call(call, setup); });
    h323::Call::Config base;
    base.aliases = {h323::h225::H323Id{std::u16string(h.alias.begin(), h.alias.end())}};
    const asio::ip::tcp::endpoint local{asio::ip::make_address_v4(h.address), h.port};
    auto endpoint = h323::CallEndpoint::start(context_, local, base, h323Legs_->events());
    if (!endpoint)
        return fail(endpoint.error().code,
                    fmt::format("H.323 on {}:{}: {}", h.address, h.port, endpoint.error().message));
    h323Endpoint_ = std::move(endpoint).value();
    h323Legs_->use(*h323Endpoint_);
    if (routeRooms_) routeRooms_->provide("h323", *h323Legs_); // the gateway's routes dial them
    logger().info("H.323 calls on {}:{} join {}", h.address, h323Port(), h.conference);
    return startRas();
}

Result<void> Server::startRas() {
    const auto& h = config_.h323;
    const auto address = asio::ip::make_address_v4(h.address);
    asio::ip::udp::endpoint gatekeeper;
    if (h.gatekeeper.empty()) {
        h323::Gatekeeper::Config own;
        // No bandwidth limit of its own ([calls] limits the calls): 10^9 units, 100 Tbit/s.
        own.totalBandwidth = 1'000'000'000;
        auto server = h323::GatekeeperServer::start(context_, {address, h.rasPort}, std::move(own));
        if (!server)
            return fail(server.error().code, fmt::format("the gatekeeper on {}:{}: {}", h.address,
                                                         h.rasPort, server.error().message));
        gatekeeper_ = std::move(server).value();
        gatekeeper = gatekeeper_->localEndpoint();
        logger().info("our gatekeeper on {}:{}", h.address, gatekeeper.port());
    } else {
        gatekeeper = *h323::parseRasAddress(h.gatekeeper); // the configuration checked it
    }
    h323::RasClient::Config client;
    client.aliases = {h323::h225::H323Id{std::u16string(h.alias.begin(), h.alias.end())}};
    client.callSignalAddress = {address.to_bytes(), h323Port()};
    h323::RasClient::Events events;
    events.registered = [gatekeeper](const h323::ras::Identifier&) {
        logger().info("registered with the gatekeeper at {}:{}", gatekeeper.address().to_string(),
                      gatekeeper.port());
    };
    events.unregistered = [](const std::string& why) {
        logger().warn("not registered with the gatekeeper: {}", why);
    };
    events.dropped = [this](const h323::ras::Guid& call) { h323Legs_->dropped(call); };
    auto ras = h323::RasEndpoint::start(context_, {address, 0}, gatekeeper, std::move(client),
                                        std::move(events));
    if (!ras) return fail(ras.error());
    ras_ = std::move(ras).value();
    h323Legs_->admitThrough(*ras_);
    return {};
}

void Server::onH323Call(std::uint64_t call, const h323::h225::Setup& setup) {
    // The caller's trace id, when it is an escalation's call (h225/generic_data.hpp).
    std::string traceId;
    if (const auto* arrived = h323Endpoint_->call(call))
        for (const auto& [name, value] : arrived->peerTags())
            if (name == "Trace-ID") traceId = value;
    auto joined = [this, call](const Result<room::LegId>& leg) {
        if (leg) return;
        logger().info("H.323 call {} refused: {}", call, leg.error().message);
        h323Legs_->refuse(call, 47); // Q.850: resource unavailable
    };
    // The called alias goes where the routes send a SIP call to it (sip:ALIAS@our address): to
    // a conference, or on to a target (the gateway); one they do not route joins [h323]'s room.
    const auto route = routeOfH323(setup);
    if (route && route->conference.empty()) {
        logger().info("H.323 call {} goes on to {}", call, route->target);
        return routeConferences_->bridgeFrom(route->target, traceId, h323Legs_->adopt(call, true),
                                             joined);
    }
    routeConferences_->adopt(route ? route->conference : config_.h323.conference, traceId,
                             h323Legs_->adopt(call), joined);
}

std::optional<sip::RouteMatch> Server::routeOfH323(const h323::h225::Setup& setup) const {
    for (const auto& alias : setup.destinationAddress) {
        std::string name;
        if (const auto* digits = std::get_if<h323::h225::DialedDigits>(&alias))
            name = digits->digits;
        else if (const auto* id = std::get_if<h323::h225::H323Id>(&alias);
                 id && std::all_of(id->name.begin(), id->name.end(),
                                   [](char16_t c) { return c > 0x20 && c < 0x7f; }))
            name.assign(id->name.begin(), id->name.end());
        // An alias that cannot be a SIP user part is routed by none. (The URI refers to text.)
        const std::string text = fmt::format("sip:{}@{}", name, config_.h323.address);
        if (auto uri = sip::parseUri(text); uri && !name.empty())
            if (auto match = routes_.match(*uri)) return match;
    }
    return std::nullopt;
}

Result<void> Server::startEscalations() {
    if (!config_.api.enabled) return {};
    roomLegs_ = std::make_unique<sip::RoomLegs>(*b2bua_, config_.escalations.from);
    rooms_ = std::make_unique<room::Rooms>(*roomMedia_);
    rooms_->provide("sip", *roomLegs_);
    auto service = EscalationService::start(context_, wheel_, config_, *rooms_,
                                            [this](api::MetricsText& m) { gatewayMetrics(m); });
    if (!service) return fail(service.error());
    escalations_ = std::move(service).value();
    if (routeConferences_) // a gateway's call is answered once witnessed
        routeConferences_->recordGatewayCalls([this](const room::Room& room,
                                                     const std::string& from, const std::string& to,
                                                     room::Reply<void> done) {
            escalations_->witnessGatewayCall(room.traceId(), from, to, std::move(done));
        });
    if (routeConferences_) { // an escalation may name a council: a conference route's room
        councilLinks_ = std::make_unique<CouncilLinks>(*routeConferences_);
        rooms_->provide("council", *councilLinks_);
        routeConferences_->onCouncilEvent([this](const room::Room& room, room::LegId member,
                                                 const std::string& who, std::string_view what) {
            councilLinks_->heard(room.name(), member, who, what);
            if (what != "active_talker") // the membership; a talker changes too often
                escalations_->witnessMembership(room.traceId(), room.name(), who,
                                                what == "member_joined");
        });
        routeMedia_->onTalker([this](room::LegId leg) { routeConferences_->talker(leg); });
    }
    watchReloadSignal();
    return {};
}

void Server::watchReloadSignal() {
    reloadSignal_.emplace(context_, SIGHUP);
    reloadSignal_->async_wait([this](const std::error_code& ec, int) {
        if (ec) return;
        if (escalations_) escalations_->reloadPolicy();
        watchReloadSignal();
    });
}

void Server::gatewayMetrics(api::MetricsText& m) const {
    const auto calls = b2bua_->stats();
    m.gauge("switchboard_sip_calls", "SIP calls now.", double(calls.calls));
    m.gauge("switchboard_sip_dialogs", "SIP dialogs now.", double(calls.dialogs));
    m.gauge("switchboard_h323_calls", "H.323 calls now.",
            double(h323Endpoint_ ? h323Endpoint_->calls() : 0));
    m.gauge("switchboard_h323_admitted_calls",
            "H.323 calls a gatekeeper admitted and that are not yet disengaged.",
            double(h323Legs_ ? h323Legs_->admitted() : 0));
    if (gatekeeper_) {
        const auto& gk = gatekeeper_->gatekeeper();
        m.gauge("switchboard_gatekeeper_registrations", "Endpoints registered with our gatekeeper.",
                double(gk.registrations().size()));
        m.gauge("switchboard_gatekeeper_calls", "Calls our gatekeeper admitted, by side.",
                double(gk.calls()));
        // H.225.0 counts bandwidth in units of 100 bit/s; Prometheus wants base units.
        m.gauge("switchboard_gatekeeper_bandwidth_bits_per_second",
                "Bandwidth our gatekeeper granted.", double(gk.bandwidthInUse()) * 100);
    }
    m.gauge("switchboard_sip_transactions", "SIP transactions now.",
            double(b2bua_->transactions().active()));
    m.counter("switchboard_sip_calls_total", "SIP calls begun.", double(calls.callsTotal));
    m.counter("switchboard_control_handler_failures_total",
              "Handlers on the control loop that threw (each lost only its own work).",
              double(handlerFailures_));
    m.counter("switchboard_sip_calls_answered_total", "SIP calls answered.",
              double(calls.callsAnswered));
    m.counter("switchboard_sip_calls_failed_total", "SIP calls that failed.",
              double(calls.callsFailed));
    for (const auto& [status, count] : calls.failuresByStatus)
        m.counter("switchboard_sip_failures_total", "Final failure responses sent, by status.",
                  double(count), {{"status", std::to_string(status)}});
    m.gauge("switchboard_rtp_port_pairs_leased", "RTP/RTCP port pairs in use.",
            double(rtpPortsLeased()));
    m.gauge("switchboard_rtp_port_pairs", "RTP/RTCP port pairs there are ([media] port range).",
            double(lanes_ ? lanes_->portPairs() : 0));
    // The rooms' audio as their jitter buffers saw it (RFC 3550 §6.4.1's loss, counted as the
    // player found each packet missing), and what the mixer concealed.
    const auto& audio = conference().stats;
    m.counter("switchboard_rtp_packets_played_total",
              "RTP packets the rooms' jitter buffers played out.", double(audio.jitter.played));
    m.counter("switchboard_rtp_packets_lost_total",
              "RTP packets the rooms' jitter buffers found missing when their turn came.",
              double(audio.jitter.lost));
    m.counter("switchboard_audio_frames_total", "Audio frames the rooms' mixers took in.",
              double(audio.framesIn));
    m.counter("switchboard_audio_frames_concealed_total",
              "Audio frames the rooms' mixers concealed (lost or late packets).",
              double(audio.framesConcealed));
    m.gauge("switchboard_start_time_seconds", "When this process started, in Unix seconds.",
            double(startedUnix_));
    if (certificateExpiry_)
        m.gauge("switchboard_tls_certificate_expiry_timestamp_seconds",
                "When the TLS certificate ([tls] certificate) expires, in Unix seconds.",
                double(*certificateExpiry_));
    m.counter("switchboard_media_handler_failures_total",
              "Handlers on the media workers that threw (each lost only its own work).",
              double(lanes_ ? lanes_->handlerFailures() : 0));
    m.gauge("switchboard_conference_rooms",
            "Rooms with media now (conference routes and escalations).",
            double(conference().rooms));
    m.gauge("switchboard_bridged_call_rooms",
            "Rooms of bridged SIP calls open now (each a pass-through pair of two legs).",
            double(bridgedRooms_->stats().rooms));
    if (rooms_) {
        const auto& r = rooms_->stats();
        m.gauge("switchboard_rooms", "Escalation rooms open now.", double(r.rooms));
        m.gauge("switchboard_room_legs", "Legs of those rooms not yet closed.", double(r.legs));
        m.counter("switchboard_room_setups_undone_total",
                  "Legs whose set-up failed and was undone step by step.", double(r.undone));
    }
}

session::WorkerGraph::Figures Server::conference() const {
    session::WorkerGraph::Figures f;
    for (const auto* graph : {routeMedia_.get(), roomMedia_.get()})
        if (graph) f += graph->figures();
    return f;
}

void Server::refreshMediaFigures(std::function<void()> done) {
    // One after the other, each calling the next once its lanes have answered.
    auto rooms = [this, done = std::move(done)] {
        if (!routeMedia_) return done();
        routeMedia_->refresh([this, done] { roomMedia_->refresh(done); });
    };
    if (!media_) return rooms();
    media_->refresh(rooms);
}

std::size_t Server::rtpPortsLeased() const {
    return lanes_ ? lanes_->portsLeased() : 0;
}

void Server::onSipMessage(sip::InboundMessage&& message) {
    const auto& sip = config_.sip;
    auto parsed = sip::Message::parse(std::string(message.bytes),
                                      {sip.maxMessageBytes, sip.maxHeaders, sip.maxLineBytes});
    if (!parsed) {
        // 400 naming the header (505, 513), salvaged from the raw bytes; nothing for garbage.
        if (auto answer = responder_->rejectMalformed(message.bytes, parsed.error()))
            sipTransport_->reply(message, std::move(*answer));
        return;
    }
    message.bytes.clear(); // the transaction layer keeps the source, not the bytes twice
    b2bua_->receive(std::move(parsed).value(), message);
}

void Server::keepWheelTurning() {
    if (wheelTurning_ || wheel_.pending() == 0 || stopping_) return;
    wheelTurning_ = true;
    wheelTimer_.expires_after(kWheelTick);
    wheelTimer_.async_wait([this](const std::error_code& ec) {
        wheelTurning_ = false;
        if (ec) return;
        wheel_.advance();
        keepWheelTurning();
    });
}

void Server::keepMediaFiguresFresh() {
    // The workers' figures for /metrics, refreshed as often as a scrape comes (about 15 s).
    figuresTimer_.expires_after(std::chrono::seconds(5));
    figuresTimer_.async_wait([this](const std::error_code& ec) {
        if (ec || stopping_) return;
        refreshMediaFigures([this] { keepMediaFiguresFresh(); });
    });
}

void Server::watchStatsSignal() {
    statsSignal_.emplace(context_, SIGUSR1);
    statsSignal_->async_wait([this](const std::error_code& ec, int) {
        if (ec) return;
        refreshMediaFigures([this] { logger().info("{}", statsLine()); });
        watchStatsSignal();
    });
}

std::string Server::statsLine() const {
    if (!b2bua_) return "stats: sip not started";
    const auto calls = b2bua_->stats();
    const auto& tx = b2bua_->transactions().stats();
    auto media = media_ ? media_->stats() : session::MediaAnchor::Stats{};
    const auto conf = conference();
    const auto& rooms = conf.stats;
    media.streams += rooms.streams;
    std::string failures;
    for (const auto& [status, count] : calls.failuresByStatus)
        failures += fmt::format("{}{}:{}", failures.empty() ? "" : ",", status, count);
    return fmt::format(
        "stats: calls={} dialogs={} transactions={} call_rooms={} call_room_legs={} "
        "calls_total={} calls_answered={} "
        "calls_failed={} calls_cancelled={} calls_reaped={} rejected_overload={} rejected_loop={} "
        "rejected_no_route={} failovers={} dns_lookups={} dns_cache_hits={} dns_failures={} "
        "tx_server_created={} tx_client_created={} retransmissions_sent={} "
        "retransmissions_absorbed={} tx_timeouts={} tx_transport_errors={} ack_timeouts={} "
        "stray_responses={} merged_requests={} media_sessions={} rtp_ports={} rtp_in={} rtp_out={} "
        "rtp_malformed={} "
        "rtp_wrong_source={} srtp_rejected={} media_relayed={} media_transcoded={} "
        "media_dropped={} media_concealed={} conference_rooms={} conference_participants={} "
        "conference_ticks={} conference_relayed={} conference_transcoded={} conference_moves={} "
        "h323_calls={} h323_admitted={} gatekeeper_registrations={} gatekeeper_calls={} "
        "gatekeeper_bandwidth={} "
        "jitter_played={} jitter_lost={} jitter_late={} failures_by_status={} "
        "handler_failures={}",
        calls.calls, calls.dialogs, b2bua_->transactions().active(), bridgedRooms_->stats().rooms,
        bridgedRooms_->stats().legs, calls.callsTotal, calls.callsAnswered, calls.callsFailed,
        calls.callsCancelled, calls.callsReaped, calls.rejectedOverload, calls.rejectedLoop,
        calls.rejectedNoRoute, calls.failovers, calls.locator.lookups, calls.locator.cacheHits,
        calls.locator.failures, tx.serverCreated, tx.clientCreated, tx.retransmissionsSent,
        tx.retransmissionsAbsorbed, tx.timeouts, tx.transportErrors, tx.ackTimeouts,
        tx.strayResponses, tx.mergedRefused, media_ ? media_->sessions() : 0, rtpPortsLeased(),
        media.streams.rtpIn, media.streams.rtpOut, media.streams.malformed,
        media.streams.wrongSource, media.streams.srtpRejected, media.links.relayed,
        media.links.transcoded, media.links.dropped, media.links.concealed, conf.rooms,
        conf.participants, rooms.ticks, rooms.links.relayed, rooms.links.transcoded, rooms.moves,
        h323Endpoint_ ? h323Endpoint_->calls() : 0, h323Legs_ ? h323Legs_->admitted() : 0,
        gatekeeper_ ? gatekeeper_->gatekeeper().registrations().size() : 0,
        gatekeeper_ ? gatekeeper_->gatekeeper().calls() : 0,
        gatekeeper_ ? gatekeeper_->gatekeeper().bandwidthInUse() : 0, rooms.jitter.played,
        rooms.jitter.lost, rooms.jitter.late, failures.empty() ? "none" : failures,
        handlerFailures_ + (lanes_ ? lanes_->handlerFailures() : 0));
}

void Server::shutdown(std::string_view reason) {
    if (stopping_) return;
    stopping_ = true;
    logger().info("shutting down ({})", reason);
    notifyServiceManager("STOPPING=1\nSTATUS=shutting down");
    // The media workers stop first, so that the last figures are exact; what is still queued
    // for them is dropped, and their rooms go with the rest below.
    if (lanes_) lanes_->stop();
    logger().info("{}", statsLine());
    // Take the subsystems down here, in the reverse order of start().
    if (escalations_) escalations_->stop();
    if (sipTransport_) sipTransport_->close();
    std::error_code ignored;
    if (signals_) signals_->cancel(ignored);
    if (statsSignal_) statsSignal_->cancel(ignored);
    if (reloadSignal_) reloadSignal_->cancel(ignored);
    wheelTimer_.cancel();
    figuresTimer_.cancel();
    drainTimer_.cancel();
    // Handlers still queued for closed objects are dropped rather than run.
    context_.stop();
}

int serve(const ServeOptions& options) {
    auto config =
        options.configFile ? loadConfig(*options.configFile) : Result<Config>(defaultConfig());
    if (!config) {
        std::cerr << config.error().message << '\n';
        return 2;
    }
    if (options.checkOnly) {
        std::cout << (options.configFile ? options.configFile->string() : "the built-in default")
                  << ": good\n";
        return 0;
    }
    logger().info("switchboard {} (configuration: {})", options.version,
                  options.configFile ? options.configFile->string() : "built-in default");
    Server server(std::move(config).value());
    if (auto started = server.start(); !started) {
        std::cerr << started.error().message << '\n';
        return started.error().code == Errc::config ? 2 : 1;
    }
    server.run();
    // A signal can arrive twice (coreutils timeout, for one, signals both the child and its
    // process group). Once run() has returned, the Server's signal_set is about to go and with
    // it our handlers: hold further SIGINT/SIGTERM pending so that they die with the process
    // instead of killing it half-way through an orderly teardown.
    blockStopSignals();
    return 0;
}

} // namespace sb::app
