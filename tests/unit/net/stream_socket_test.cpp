#include "net/stream_socket.hpp"
#include "net/tls_context.hpp"
#include "support/run_until.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>
#include <utility>

namespace sb::net {
namespace {

TlsClientOptions trusting(std::string caFile) {
    TlsClientOptions o;
    o.caFile = std::move(caFile);
    return o;
}

std::string text(std::span<const std::byte> d) {
    return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// An echo server that closes (after writing) when it sees "bye".
struct Echo {
    std::vector<std::shared_ptr<StreamConnection>> conns;
    void attach(std::shared_ptr<StreamListener>& l) {
        l->start([this](const std::shared_ptr<StreamConnection>& c) {
            auto* raw = c.get();
            conns.push_back(c);
            c->start({.onReady = {},
                      .onData =
                          [raw](std::span<const std::byte> d) {
                              raw->write(text(d));
                              if (text(d).find("bye") != std::string::npos) raw->closeAfterWrites();
                          },
                      .onClosed = {}});
        });
    }
};

struct Client {
    std::string received;
    bool ready = false, closed = false;
    std::error_code closedWith;
    StreamConnection::Handlers handlers() {
        return {.onReady = [this] { ready = true; },
                .onData = [this](std::span<const std::byte> d) { received += text(d); },
                .onClosed =
                    [this](const std::error_code& ec) {
                        closed = true;
                        closedWith = ec;
                    }};
    }
};

void echoRoundTrip(const char* loopback, std::shared_ptr<asio::ssl::context> serverTls,
                   const std::shared_ptr<asio::ssl::context>& clientTls, std::string serverName) {
    asio::io_context io;
    auto listener =
        StreamListener::listen(io, {asio::ip::make_address(loopback), 0}, std::move(serverTls));
    ASSERT_TRUE(listener) << listener.error().message;
    Echo echo;
    echo.attach(*listener);

    Client client;
    auto c = StreamConnection::outbound(io, clientTls, std::move(serverName));
    c->write("hello "); // queued before connecting
    c->connect((*listener)->localEndpoint(), client.handlers());
    c->write("bye");
    ASSERT_TRUE(test::runUntil(io, [&] { return client.closed; }));
    EXPECT_TRUE(client.ready);
    EXPECT_EQ(client.received, "hello bye");
    // The server ends its side: end of stream (TLS: without close_notify, see stream_socket.cpp).
    EXPECT_TRUE(client.closedWith == asio::error::eof ||
                client.closedWith == asio::ssl::error::stream_truncated)
        << client.closedWith.message();
    EXPECT_EQ(c->isTls(), clientTls != nullptr);
}

TEST(StreamSocket, TcpEchoIpv4) {
    echoRoundTrip("127.0.0.1", nullptr, nullptr, "");
}
TEST(StreamSocket, TcpEchoIpv6) {
    echoRoundTrip("::1", nullptr, nullptr, "");
}

TEST(StreamSocket, TlsEcho) {
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("sb-stream-" + std::to_string(::getpid()));
    const auto cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
    ASSERT_TRUE(generateSelfSigned(cert, key, "localhost"));
    auto server = makeServerTlsContext(cert, key);
    auto client = makeClientTlsContext(trusting(cert));
    ASSERT_TRUE(server && client);
    echoRoundTrip("127.0.0.1", *server, *client, "localhost");
    echoRoundTrip("::1", *server, *client, ""); // verified against the IP address SAN
    fs::remove_all(dir);
}

TEST(StreamSocket, TlsClientRejectsAnUntrustedServer) {
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("sb-stream-bad-" + std::to_string(::getpid()));
    ASSERT_TRUE(generateSelfSigned((dir / "c1.pem").string(), (dir / "k1.pem").string(), "a"));
    ASSERT_TRUE(generateSelfSigned((dir / "c2.pem").string(), (dir / "k2.pem").string(), "b"));
    auto server = makeServerTlsContext((dir / "c1.pem").string(), (dir / "k1.pem").string());
    auto client = makeClientTlsContext(trusting((dir / "c2.pem").string()));
    ASSERT_TRUE(server && client);

    asio::io_context io;
    auto listener = StreamListener::listen(io, {asio::ip::make_address("127.0.0.1"), 0}, *server);
    ASSERT_TRUE(listener);
    Echo echo;
    echo.attach(*listener);
    Client c;
    auto conn = StreamConnection::outbound(io, *client, "localhost");
    conn->connect((*listener)->localEndpoint(), c.handlers());
    ASSERT_TRUE(test::runUntil(io, [&] { return c.closed; }));
    EXPECT_FALSE(c.ready);
    EXPECT_TRUE(c.closedWith);
    fs::remove_all(dir);
}

TEST(StreamSocket, ConnectFailureIsReported) {
    asio::io_context io;
    // Bind a port and close it, so that nothing listens there.
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto ep = a.local_endpoint();
    a.close();
    Client c;
    auto conn = StreamConnection::outbound(io, nullptr, "");
    conn->connect(ep, c.handlers());
    ASSERT_TRUE(test::runUntil(io, [&] { return c.closed; }));
    EXPECT_EQ(c.closedWith, asio::error::connection_refused);
}

TEST(StreamSocket, ListenErrorNamesAddressAndPort) {
    asio::io_context io;
    auto a = StreamListener::listen(io, {asio::ip::make_address("::1"), 0}, nullptr);
    ASSERT_TRUE(a);
    const auto port = (*a)->localEndpoint().port();
    auto b = StreamListener::listen(io, {asio::ip::make_address("::1"), port}, nullptr);
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find("[::1]:" + std::to_string(port)), std::string::npos)
        << b.error().message;
}

} // namespace
} // namespace sb::net
