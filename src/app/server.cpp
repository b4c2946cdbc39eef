#include "app/server.hpp"

#include "core/log.hpp"

#include <asio/post.hpp>
#include <csignal>
#include <fmt/format.h>
#include <iostream>
#include <utility>

namespace sb::app {
namespace {

spdlog::logger& logger() {
    return log::get("app");
}

// "udp 127.0.0.1:5060", "tls [::1]:5061"
std::string describe(const ListenConfig& listen) {
    const bool v6 = listen.address.find(':') != std::string::npos;
    return fmt::format("{} {}{}{}:{}", sip::transportName(listen.transport), v6 ? "[" : "",
                       listen.address, v6 ? "]" : "", listen.port);
}

} // namespace

Server::Server(Config config) : config_(std::move(config)) {}

Server::~Server() = default;

Result<void> Server::start() {
    if (started_) return fail(Errc::config, "the server is already started");
    if (auto applied = applyLogConfig(); !applied) return applied;
    logger().info("starting (data dir '{}')", config_.dataDir);
    watchSignals();

    // Subsystems come up here, in dependency order, each as a start<Subsystem>() step that
    // returns its error. shutdown() undoes them in reverse order; a step that fails must leave
    // nothing half-open, and the destructor releases what the earlier steps acquired.
    if (auto sip = startSip(); !sip) return sip;

    started_ = true;
    logger().info("started");
    return {};
}

void Server::run() {
    if (!started_) return;
    logger().info("running; stop with SIGINT or SIGTERM");
    context_.run();
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
        shutdown(signal == SIGINT ? "SIGINT received" : "SIGTERM received");
    });
}

Result<void> Server::startSip() {
    // The SIP transports and the responder are not wired in yet: nothing is opened. Say so
    // rather than pretend.
    const auto& sip = config_.sip;
    for (const auto& listen : sip.listen)
        logger().info("SIP listener configured, not opened yet: {}", describe(listen));
    logger().debug("SIP limits: max_message_bytes={} max_headers={} max_line_bytes={} "
                   "message_timeout_ms={} idle_timeout_s={} max_connections={}",
                   sip.maxMessageBytes, sip.maxHeaders, sip.maxLineBytes, sip.messageTimeoutMs,
                   sip.idleTimeoutS, sip.maxConnections);
    return {};
}

void Server::shutdown(std::string_view reason) {
    if (stopping_) return;
    stopping_ = true;
    logger().info("shutting down ({})", reason);
    // Take the subsystems down here, in the reverse order of start().
    if (signals_) {
        std::error_code ignored;
        signals_->cancel(ignored);
    }
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
    logger().info("switchboard {} (configuration: {})", options.version,
                  options.configFile ? options.configFile->string() : "built-in default");
    Server server(std::move(config).value());
    if (auto started = server.start(); !started) {
        std::cerr << started.error().message << '\n';
        return started.error().code == Errc::config ? 2 : 1;
    }
    server.run();
    return 0;
}

} // namespace sb::app
