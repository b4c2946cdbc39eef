#pragma once
// What the server's sessions share (internal to server.cpp and its session templates). Owned
// by shared_ptr so that a session destroyed during io_context teardown still finds it; so it
// holds no I/O object itself. Everything but the atomics is used on the API thread only.

#include "api/event_hub.hpp"
#include "api/post_gate.hpp"
#include "api/request_dispatch.hpp"
#include "api/router.hpp"
#include "api/server.hpp"
#include "api/tokens.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <spdlog/logger.h>
#include <unordered_map>

namespace sb::api {

// A session the server can cut off when it stops.
class Closable {
public:
    virtual ~Closable() = default;
    virtual void closeNow() = 0;
};

struct ServerState {
    ServerState(boost::asio::io_context& io, HttpServer::Options o, Router r, TokenTable t);

    HttpServer::Options options;
    Limits limits;
    Router router;
    TokenTable tokens;
    std::shared_ptr<EventHub> hub;
    // Respond's way onto the API thread; shared with every Respond, which may outlive all else.
    std::shared_ptr<PostGate> gate;
    std::optional<boost::asio::ssl::context> tls;
    spdlog::logger& log;

    bool stopping = false;
    std::atomic<std::size_t> connections{0};
    std::size_t rejecting = 0; // connections being answered 503
    std::uint64_t nextId = 0;
    std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> live;
};

// Counts one connection for as long as it lives; moves from the HTTP session to the WebSocket
// session on upgrade.
class ConnectionSlot {
public:
    ConnectionSlot() = default;
    explicit ConnectionSlot(ServerState* state) : state_(state) { ++state_->connections; }
    ConnectionSlot(ConnectionSlot&& other) noexcept
        : state_(std::exchange(other.state_, nullptr)) {}
    ConnectionSlot& operator=(ConnectionSlot&&) = delete;
    ~ConnectionSlot() {
        if (state_) --state_->connections;
    }

private:
    ServerState* state_ = nullptr;
};

// Formats an endpoint as "address:port", "[v6]:port".
std::string endpointText(const boost::asio::ip::tcp::endpoint& endpoint);

} // namespace sb::api
