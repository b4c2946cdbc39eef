#pragma once
// The API's HTTP/1.1 and WebSocket server (Boost.Beast). Beast runs on Boost.Asio, the rest of
// the gateway on standalone Asio, so the server runs an io_context of its own on a thread of
// its own. Handlers are called on that thread; they may answer at once or from any other
// thread through their Respond (http_types.hpp).
//
// One request at a time per connection (pipelined requests wait in the buffer), keep-alive,
// limits on header and body sizes (431, 413), a time limit on reading a request and on writing
// a response (slow clients are cut off), a connection limit (503), and TLS when a certificate
// and key are given.

#include "api/event_hub.hpp"
#include "api/http_types.hpp"
#include "api/router.hpp"
#include "api/tokens.hpp"
#include "core/result.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace sb::api {

struct ServerState;

class HttpServer {
public:
    struct Options {
        std::string address = "127.0.0.1";
        std::uint16_t port = 0; // 0: the system picks (see port())
        // Both set: HTTPS and WSS (PEM files; the certificate file may hold the chain).
        std::string certificate, privateKey;
        std::size_t maxBodyBytes = 1 << 20;
        std::size_t maxHeaderBytes = 16 << 10;
        // A client must send a whole request (or read a whole response) within this; also the
        // keep-alive idle limit between requests.
        std::chrono::seconds idleTimeout{30};
        // A handler that has not answered by then gets a 503 sent for it.
        std::chrono::seconds handlerTimeout{30};
        std::size_t maxConnections = 256; // HTTP and WebSocket; over it: 503 and close
        std::string serverName = "Switchboard";
        EventHub::Options events;
    };

    // Routes and tokens are fixed from here on.
    HttpServer(Options options, Router router, TokenTable tokens);
    ~HttpServer(); // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds, listens and starts the thread. Errc::config for a bad address or unusable TLS
    // files, Errc::io if the address cannot be bound; calling it twice is Errc::config.
    Result<void> start();
    // The bound port (after start()).
    std::uint16_t port() const noexcept { return port_; }
    bool tls() const noexcept;
    // Closes the listener and every connection and joins the thread. Responses and events
    // arriving later are dropped. Idempotent; the server cannot be started again.
    void stop();

    // The event hub behind Router::addEvents routes; publish() from any thread.
    EventHub& events() noexcept { return *hub_; }

    // Open connections (HTTP and WebSocket); thread-safe.
    std::size_t connections() const noexcept;

private:
    void accept();
    void admit(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context io_{1};
    boost::asio::ip::tcp::acceptor acceptor_{io_};
    std::shared_ptr<ServerState> state_;
    std::shared_ptr<EventHub> hub_;
    std::uint16_t port_ = 0;
    bool started_ = false;
    std::future<void> finished_; // ready when the thread's loop has returned
    std::thread thread_;
};

} // namespace sb::api
