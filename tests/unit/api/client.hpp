#pragma once
// Test clients for the API server: HTTP over a Beast tcp_stream (or TLS), raw bytes for
// malformed requests, and a WebSocket subscriber. Every operation is asynchronous on the
// client's own io_context and bounded in time: a hung server fails the test, never hangs it.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace sb::api::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using HttpResponse = http::response<http::string_body>;

// Polls a condition another thread makes true (a server counter), up to `limit`.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

// Runs `io` until `done` or `limit`.
inline bool runUntil(asio::io_context& io, const bool& done,
                     std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!done) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.run_one_for(10ms);
    }
    return true;
}

// A client-side TLS context trusting exactly one certificate file.
inline asio::ssl::context trustingContext(const std::string& caFile) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(caFile);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    return ctx;
}

template <bool Tls>
class BasicClient {
public:
    using Stream = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

    explicit BasicClient(std::uint16_t port, asio::ssl::context* tls = nullptr)
        : stream_(make(tls)) {
        bool done = false;
        beast::get_lowest_layer(stream_).expires_after(5s);
        beast::get_lowest_layer(stream_).async_connect(
            tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](beast::error_code e) {
                ec_ = e;
                done = true;
            });
        connected_ = runUntil(io_, done) && !ec_;
        if constexpr (Tls) {
            if (!connected_) return;
            done = false;
            stream_.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) {
                ec_ = e;
                done = true;
            });
            connected_ = runUntil(io_, done) && !ec_;
        }
    }

    bool connected() const { return connected_; }
    beast::error_code error() const { return ec_; }

    bool sendRaw(std::string_view bytes) {
        bool done = false;
        beast::get_lowest_layer(stream_).expires_after(5s);
        asio::async_write(stream_, asio::buffer(bytes), [&](beast::error_code e, std::size_t) {
            ec_ = e;
            done = true;
        });
        return runUntil(io_, done) && !ec_;
    }

    std::optional<HttpResponse> readResponse(std::chrono::milliseconds limit = 5000ms) {
        HttpResponse response;
        bool done = false;
        beast::get_lowest_layer(stream_).expires_after(limit);
        http::async_read(stream_, buffer_, response, [&](beast::error_code e, std::size_t) {
            ec_ = e;
            done = true;
        });
        if (!runUntil(io_, done, limit + 1000ms) || ec_) return std::nullopt;
        return response;
    }

    std::optional<HttpResponse>
    request(http::verb method, const std::string& target,
            const std::vector<std::pair<std::string, std::string>>& headers = {},
            std::string body = {}) {
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        for (auto& [name, value] : headers)
            req.set(name, value);
        if (!body.empty() || method == http::verb::post) {
            req.body() = std::move(body);
            req.prepare_payload();
        }
        bool done = false;
        beast::get_lowest_layer(stream_).expires_after(5s);
        http::async_write(stream_, req, [&](beast::error_code e, std::size_t) {
            ec_ = e;
            done = true;
        });
        if (!runUntil(io_, done) || ec_) return std::nullopt;
        return readResponse();
    }

    // Reads and discards until the server closes (true) or `limit` passes (false).
    bool waitClosed(std::chrono::milliseconds limit = 5000ms) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        char scratch[4096];
        for (;;) {
            bool done = false;
            beast::get_lowest_layer(stream_).expires_at(deadline);
            stream_.async_read_some(asio::buffer(scratch), [&](beast::error_code e, std::size_t) {
                ec_ = e;
                done = true;
            });
            if (!runUntil(io_, done, limit + 1000ms)) return false;
            if (ec_ == beast::error::timeout) return false;
            if (ec_) return true;
        }
    }

private:
    Stream make(asio::ssl::context* tls) {
        if constexpr (Tls)
            return Stream(beast::tcp_stream(io_), *tls);
        else
            return Stream(io_);
    }

    asio::io_context io_;
    Stream stream_;
    beast::flat_buffer buffer_;
    beast::error_code ec_;
    bool connected_ = false;
};

using Client = BasicClient<false>;
using TlsClient = BasicClient<true>;

template <bool Tls>
class BasicWsClient {
public:
    using Next = std::conditional_t<Tls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

    // Connects and performs the opening handshake; `authorization` is a whole header value.
    BasicWsClient(std::uint16_t port, const std::string& target,
                  std::optional<std::string> authorization, asio::ssl::context* tls = nullptr)
        : ws_(make(tls)) {
        bool done = false;
        auto& tcp = beast::get_lowest_layer(ws_);
        tcp.expires_after(5s);
        tcp.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code e) {
                              ec_ = e;
                              done = true;
                          });
        if (!runUntil(io_, done) || ec_) return;
        if constexpr (Tls) {
            done = false;
            ws_.next_layer().async_handshake(asio::ssl::stream_base::client,
                                             [&](beast::error_code e) {
                                                 ec_ = e;
                                                 done = true;
                                             });
            if (!runUntil(io_, done) || ec_) return;
        }
        tcp.expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        if (authorization)
            ws_.set_option(websocket::stream_base::decorator(
                [value = *authorization](websocket::request_type& request) {
                    request.set(http::field::authorization, value);
                }));
        done = false;
        ws_.async_handshake(handshakeResponse_, "127.0.0.1", target, [&](beast::error_code e) {
            ec_ = e;
            done = true;
        });
        open_ = runUntil(io_, done) && !ec_;
    }

    bool open() const { return open_; }
    int handshakeStatus() const { return handshakeResponse_.result_int(); }
    beast::error_code error() const { return ec_; }

    // The next text message, or nullopt on close, error or `limit`.
    std::optional<std::string> read(std::chrono::milliseconds limit = 5000ms) {
        bool done = false;
        beast::flat_buffer buffer;
        ws_.async_read(buffer, [&](beast::error_code e, std::size_t) {
            ec_ = e;
            done = true;
        });
        if (!runUntil(io_, done, limit)) {
            // Abandon the read: close the socket and let the operation finish aborted.
            beast::get_lowest_layer(ws_).close();
            runUntil(io_, done, 1000ms);
            ec_ = beast::error::timeout;
            return std::nullopt;
        }
        if (ec_) return std::nullopt;
        return beast::buffers_to_string(buffer.data());
    }

    // Sends a text message; false if it could not be written within `limit`.
    bool write(const std::string& text, std::chrono::milliseconds limit = 5000ms) {
        bool done = false;
        ws_.text(true);
        ws_.async_write(asio::buffer(text), [&](beast::error_code e, std::size_t) {
            ec_ = e;
            done = true;
        });
        return runUntil(io_, done, limit) && !ec_;
    }

    websocket::close_reason closeReason() const { return ws_.reason(); }

private:
    websocket::stream<Next> make(asio::ssl::context* tls) {
        if constexpr (Tls)
            return websocket::stream<Next>(io_, *tls);
        else
            return websocket::stream<Next>(io_);
    }

    asio::io_context io_;
    websocket::stream<Next> ws_;
    websocket::response_type handshakeResponse_;
    beast::error_code ec_;
    bool open_ = false;
};

using WsClient = BasicWsClient<false>;
using WssClient = BasicWsClient<true>;

} // namespace sb::api::test
