// TCP and TLS through TransportLayer, over real loopback sockets, all on the test thread's
// io_context.

#include "net/tls_context.hpp"
#include "sip/transport.hpp"
#include "support/run_until.hpp"

#include <array>
#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <unistd.h>
#include <vector>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

using sb::test::runUntil;

std::string request(std::string_view callId, std::string_view body = "") {
    return "OPTIONS sip:bob@example.com SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK" +
           std::string(callId) + "\r\nCall-ID: " + std::string(callId) +
           "\r\nCSeq: 1 OPTIONS\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string(body);
}

const std::string kOk = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";

// A plain TCP peer that records what it reads and whether the server closed.
struct RawClient {
    RawClient(asio::io_context& io, std::uint16_t port, const char* address = "127.0.0.1")
        : socket(io) {
        socket.connect({asio::ip::make_address(address), port});
        read();
    }
    void read() {
        socket.async_read_some(asio::buffer(buf), [this](const std::error_code& ec, std::size_t n) {
            if (ec) {
                closed = true;
                socket.close(); // as a real peer does on end of stream
                return;
            }
            received.append(buf.data(), n);
            read();
        });
    }
    void write(std::string_view bytes) { asio::write(socket, asio::buffer(bytes)); }
    asio::ip::tcp::socket socket;
    std::array<char, 4096> buf{};
    std::string received;
    bool closed = false;
};

struct Server {
    explicit Server(asio::io_context& io, TransportLimits limits = {},
                    std::optional<TlsFiles> tls = std::nullopt,
                    Transport transport = Transport::tcp, const char* address = "127.0.0.1")
        : layer(io, limits, std::move(tls)) {
        auto r = layer.listen({transport, address, 0});
        EXPECT_TRUE(r) << r.error().message;
        port = r ? layer.listeners().back().port : 0;
        layer.onMessage([this](InboundMessage&& m) { messages.push_back(std::move(m)); });
        layer.onStreamError([this](const InboundMessage& peer, const Error& e) {
            errors.push_back(e);
            if (e.code == Errc::too_large) {
                layer.reply(peer, "SIP/2.0 513 Message Too Large\r\nContent-Length: 0\r\n\r\n");
            }
        });
    }
    TransportLayer layer;
    std::uint16_t port = 0;
    std::vector<InboundMessage> messages;
    std::vector<Error> errors;
};

TEST(TransportTcp, TwoMessagesInOneWriteIpv4AndIpv6) {
    for (const char* address : {"127.0.0.1", "::1"}) {
        asio::io_context io;
        Server server(io, {}, std::nullopt, Transport::tcp, address);
        RawClient client(io, server.port, address);
        const auto a = request("a", "hello"), b = request("b");
        client.write(a + b);
        ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 2; })) << address;
        EXPECT_EQ(server.messages[0].bytes, a);
        EXPECT_EQ(server.messages[1].bytes, b);
        EXPECT_NE(server.messages[0].connectionId, 0u);
        EXPECT_EQ(server.messages[0].connectionId, server.messages[1].connectionId);
        EXPECT_EQ(server.messages[0].transport, Transport::tcp);
        EXPECT_EQ(server.messages[0].remotePort, client.socket.local_endpoint().port());
        EXPECT_EQ(server.messages[0].localPort, server.port);
        server.layer.reply(server.messages[1], kOk);
        ASSERT_TRUE(runUntil(io, [&] { return client.received == kOk; }));
        EXPECT_EQ(server.layer.stats().connectionsOpen, 1u);
    }
}

TEST(TransportTcp, OneMessageSplitByteByByte) {
    asio::io_context io;
    Server server(io);
    RawClient client(io, server.port);
    const auto m = "\r\n" + request("split", "v=0\r\n");
    for (char c : m) {
        client.write(std::string_view(&c, 1));
        io.restart();
        io.poll();
    }
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 1; }));
    EXPECT_EQ(server.messages[0].bytes, m.substr(2)); // leading CRLF skipped
    EXPECT_TRUE(server.errors.empty());
}

// Framing remembers how far it looked (no empty line before there; the length a whole header
// section announced), so that a message in small pieces is not scanned again at every read:
// a ping, then two messages with bodies, each split where it may be.
TEST(TransportTcp, APingAndTwoMessagesSplitByteByByte) {
    asio::io_context io;
    Server server(io);
    RawClient client(io, server.port);
    const auto first = request("first", "v=0\r\n"), second = request("second", "v=1\r\n");
    const auto m = "\r\n\r\n" + first + second;
    for (char c : m) {
        client.write(std::string_view(&c, 1));
        io.restart();
        io.poll();
    }
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 2; }));
    EXPECT_EQ(server.messages[0].bytes, first);
    EXPECT_EQ(server.messages[1].bytes, second);
    EXPECT_EQ(client.received, "\r\n"); // the pong
    EXPECT_TRUE(server.errors.empty());
}

TEST(TransportTcp, AHeaderSectionThatNeverEndsIsRefusedOnceOverTheLimit) {
    asio::io_context io;
    TransportLimits limits;
    limits.maxMessageBytes = 1024;
    Server server(io, limits);
    RawClient client(io, server.port);
    client.write("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n");
    for (int i = 0; i < 110 && !client.closed; ++i) {
        client.write("X-Pad: 12\r\n");
        io.restart();
        io.poll();
    }
    ASSERT_TRUE(runUntil(io, [&] { return client.closed; }));
    EXPECT_EQ(client.received, "SIP/2.0 513 Message Too Large\r\nContent-Length: 0\r\n\r\n");
    EXPECT_TRUE(server.messages.empty());
}

TEST(TransportTcp, OversizedMessageIsAnsweredAndClosed) {
    asio::io_context io;
    TransportLimits limits;
    limits.maxMessageBytes = 1024;
    Server server(io, limits);
    RawClient client(io, server.port);
    client.write(request("big", std::string(2000, 'x')));
    ASSERT_TRUE(runUntil(io, [&] { return client.closed; }));
    EXPECT_EQ(client.received, "SIP/2.0 513 Message Too Large\r\nContent-Length: 0\r\n\r\n");
    ASSERT_EQ(server.errors.size(), 1u);
    EXPECT_EQ(server.errors[0].code, Errc::too_large);
    EXPECT_TRUE(server.messages.empty());
    EXPECT_EQ(server.layer.stats().framingErrors, 1u);
    EXPECT_EQ(server.layer.stats().oversized, 1u);
    EXPECT_TRUE(runUntil(io, [&] { return server.layer.stats().connectionsOpen == 0; }));
}

TEST(TransportTcp, MissingContentLengthClosesTheConnection) {
    asio::io_context io;
    Server server(io);
    RawClient client(io, server.port);
    client.write("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n");
    ASSERT_TRUE(runUntil(io, [&] { return client.closed; }));
    ASSERT_EQ(server.errors.size(), 1u);
    EXPECT_NE(server.errors[0].message.find("Content-Length is required"), std::string::npos);
    EXPECT_EQ(server.layer.stats().connectionsOpen, 0u);
}

TEST(TransportTcp, SlowPeerIsCutOff) {
    asio::io_context io;
    TransportLimits limits;
    limits.messageTimeout = 200ms;
    Server server(io, limits);
    RawClient client(io, server.port);
    const auto m = request("slow", "0123456789");
    client.write(m.substr(0, m.size() / 2));
    ASSERT_TRUE(runUntil(io, [&] { return client.closed; }));
    EXPECT_TRUE(server.messages.empty());
    EXPECT_EQ(server.layer.stats().slowPeersCut, 1u);
    EXPECT_EQ(server.layer.stats().connectionsOpen, 0u);
}

TEST(TransportTcp, APeerThatSaysNothingIsCutOff) {
    asio::io_context io;
    TransportLimits limits;
    limits.messageTimeout = 200ms;
    Server server(io, limits);
    RawClient client(io, server.port);
    ASSERT_TRUE(runUntil(io, [&] { return client.closed; }));
    EXPECT_EQ(server.layer.stats().slowPeersCut, 1u);
    EXPECT_EQ(server.layer.stats().connectionsOpen, 0u);
}

TEST(TransportTcp, PeerSendingCompleteMessagesIsNotCut) {
    asio::io_context io;
    TransportLimits limits;
    limits.messageTimeout = 200ms;
    Server server(io, limits);
    RawClient client(io, server.port);
    // Each message finishes quickly, though the connection lives longer than the timeout.
    for (int i = 0; i < 4; ++i) {
        const auto m = request("m" + std::to_string(i));
        client.write(m.substr(0, 10));
        io.restart();
        io.run_for(20ms);
        client.write(m.substr(10));
        io.restart();
        io.run_for(60ms);
    }
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 4; }));
    EXPECT_FALSE(client.closed);
    EXPECT_EQ(server.layer.stats().slowPeersCut, 0u);
}

TEST(TransportTcp, IdleConnectionIsClosed) {
    asio::io_context io;
    TransportLimits limits;
    limits.idleTimeout = std::chrono::seconds(1);
    Server server(io, limits);
    RawClient client(io, server.port);
    client.write(request("once"));
    ASSERT_TRUE(runUntil(
        io, [&] { return server.messages.size() == 1; }, 1s));
    const auto& from = server.messages.front();
    EXPECT_TRUE(server.layer.connected(Transport::tcp, from.remoteAddress, from.remotePort));
    ASSERT_TRUE(runUntil(
        io, [&] { return client.closed; }, 1900ms));
    EXPECT_EQ(server.layer.stats().idleClosed, 1u);
    // The B2BUA then reaches that peer at its next hop instead (RFC 3261 §12.2.1.1).
    EXPECT_FALSE(server.layer.connected(Transport::tcp, from.remoteAddress, from.remotePort));
    EXPECT_TRUE(server.layer.connected(Transport::udp, from.remoteAddress, from.remotePort));
}

TEST(TransportTcp, KeepAlivePingIsAnsweredWithPong) {
    asio::io_context io;
    Server server(io);
    RawClient client(io, server.port);
    client.write("\r\n\r\n");
    ASSERT_TRUE(runUntil(io, [&] { return client.received == "\r\n"; }));
    client.write(request("after-ping"));
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 1; }));
    EXPECT_EQ(server.messages[0].bytes, request("after-ping"));
    EXPECT_FALSE(client.closed);
}

// Inbound connections take seven eighths of the limit; the rest stay for ours.
TEST(TransportTcp, ConnectionsOverTheLimitAreRefused) {
    asio::io_context io;
    TransportLimits limits;
    limits.maxConnections = 8;
    Server server(io, limits);
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 7; ++i) {
        clients.push_back(std::make_unique<RawClient>(io, server.port));
        clients.back()->write(request("m" + std::to_string(i)));
    }
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 7; }));
    RawClient refused(io, server.port);
    ASSERT_TRUE(runUntil(io, [&] { return refused.closed; }));
    EXPECT_EQ(server.layer.stats().connectionsRefused, 1u);
    for (const auto& c : clients)
        EXPECT_FALSE(c->closed);
    // Ours still connects: to a listener of its own.
    Server other(io);
    ASSERT_TRUE(server.layer.send(Transport::tcp, asio::ip::make_address("127.0.0.1"), other.port,
                                  request("ours")));
    ASSERT_TRUE(runUntil(io, [&] { return other.messages.size() == 1; }));
}

TEST(TransportTcp, ThrowingHandlerClosesOnlyThatConnection) {
    asio::io_context io;
    Server server(io);
    server.layer.onMessage([&](InboundMessage&& m) {
        if (m.bytes.find("Call-ID: boom") != std::string::npos) throw std::runtime_error("bug");
        server.messages.push_back(std::move(m));
    });
    RawClient bad(io, server.port), good(io, server.port);
    bad.write(request("boom"));
    ASSERT_TRUE(runUntil(io, [&] { return bad.closed; }));
    good.write(request("fine"));
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 1; }));
    EXPECT_FALSE(good.closed);
}

TEST(TransportTcp, TwoSendsToOnePeerShareOneConnection) {
    asio::io_context io;
    Server server(io);
    TransportLayer client(io);
    std::vector<InboundMessage> responses;
    client.onMessage([&](InboundMessage&& m) { responses.push_back(std::move(m)); });
    const auto address = asio::ip::make_address("127.0.0.1");
    ASSERT_TRUE(client.send(Transport::tcp, address, server.port, request("one")));
    ASSERT_TRUE(client.send(Transport::tcp, address, server.port, request("two")));
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 2; }));
    EXPECT_EQ(server.messages[0].connectionId, server.messages[1].connectionId);
    EXPECT_EQ(client.stats().connectionsOpen, 1u);
    // The response comes back on the same connection and is framed like any inbound message.
    server.layer.reply(server.messages[0], kOk);
    ASSERT_TRUE(runUntil(io, [&] { return responses.size() == 1; }));
    EXPECT_EQ(responses[0].bytes, kOk);
    ASSERT_TRUE(client.send(Transport::tcp, address, server.port, request("three")));
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 3; }));
    EXPECT_EQ(server.messages[2].connectionId, server.messages[0].connectionId);
    EXPECT_EQ(client.stats().connectionsOpen, 1u);
    EXPECT_EQ(server.layer.stats().connectionsOpen, 1u);
}

// ---------------------------------------------------------------------------------------------
// TLS

class TransportTls : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("sb-transport-tls-" + std::to_string(::getpid()));
        cert_ = (dir_ / "cert.pem").string();
        key_ = (dir_ / "key.pem").string();
        auto r = net::generateSelfSigned(cert_, key_, "localhost");
        ASSERT_TRUE(r) << r.error().message;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    TlsFiles files() const {
        TlsFiles f;
        f.certificate = cert_;
        f.privateKey = key_;
        f.caFile = cert_;
        return f;
    }
    std::filesystem::path dir_;
    std::string cert_, key_;
};

TEST_F(TransportTls, RoundTripAndABadHandshakeDoesNotDisturbTheServer) {
    asio::io_context io;
    TransportLimits limits;
    limits.messageTimeout = 500ms; // also bounds the handshake
    Server server(io, limits, files(), Transport::tls);
    ASSERT_NE(server.port, 0);

    // A peer that speaks plain text to the TLS port fails its handshake and is closed.
    RawClient garbage(io, server.port);
    garbage.write(request("not-tls"));
    ASSERT_TRUE(runUntil(io, [&] { return garbage.closed; }));
    // A peer that connects and says nothing is cut off once the handshake time is over.
    RawClient silent(io, server.port);
    ASSERT_TRUE(runUntil(io, [&] { return silent.closed; }));

    TransportLayer client(io, {}, files());
    std::vector<InboundMessage> responses;
    client.onMessage([&](InboundMessage&& m) { responses.push_back(std::move(m)); });
    const auto address = asio::ip::make_address("127.0.0.1");
    ASSERT_TRUE(client.send(Transport::tls, address, server.port, request("secure"), "localhost"));
    ASSERT_TRUE(client.send(Transport::tls, address, server.port, request("secure2"), "localhost"));
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 2; }));
    EXPECT_EQ(server.messages[0].bytes, request("secure"));
    EXPECT_EQ(server.messages[0].transport, Transport::tls);
    EXPECT_EQ(server.messages[0].connectionId, server.messages[1].connectionId);
    server.layer.reply(server.messages[0], kOk);
    ASSERT_TRUE(runUntil(io, [&] { return responses.size() == 1; }));
    EXPECT_EQ(responses[0].bytes, kOk);
    EXPECT_EQ(responses[0].transport, Transport::tls);
    EXPECT_EQ(server.layer.stats().connectionsOpen, 1u);
}

TEST_F(TransportTls, ClientVerifiesTheServerIpAddressAndRejectsAWrongName) {
    asio::io_context io;
    Server server(io, {}, files(), Transport::tls, "::1");
    TransportLayer client(io, {}, files());
    const auto address = asio::ip::make_address("::1");
    // No name: the certificate's IP:::1 SAN is checked.
    ASSERT_TRUE(client.send(Transport::tls, address, server.port, request("by-ip")));
    ASSERT_TRUE(runUntil(io, [&] { return server.messages.size() == 1; }));
    // A name the certificate does not carry: the handshake fails, nothing is delivered.
    TransportLayer other(io, {}, files());
    ASSERT_TRUE(other.send(Transport::tls, address, server.port, request("x"), "evil.example"));
    ASSERT_TRUE(runUntil(io, [&] { return other.stats().connectionsOpen == 0; }));
    io.restart();
    io.run_for(50ms);
    EXPECT_EQ(server.messages.size(), 1u);
}

TEST_F(TransportTls, KeepAlivePingOverTls) {
    asio::io_context io;
    Server server(io, {}, files(), Transport::tls);
    auto context = net::makeClientTlsContext([&] {
        net::TlsClientOptions o;
        o.caFile = cert_;
        return o;
    }());
    ASSERT_TRUE(context);
    asio::ssl::stream<asio::ip::tcp::socket> tls(io, **context);
    tls.next_layer().connect({asio::ip::make_address("127.0.0.1"), server.port});
    bool done = false;
    std::error_code result;
    tls.async_handshake(asio::ssl::stream_base::client, [&](const std::error_code& ec) {
        result = ec;
        done = true;
    });
    ASSERT_TRUE(runUntil(io, [&] { return done; }));
    ASSERT_FALSE(result) << result.message();
    done = false;
    asio::async_write(tls, asio::buffer(std::string_view("\r\n\r\n")),
                      [&](const std::error_code&, std::size_t) {});
    std::array<char, 16> buf{};
    std::size_t n = 0;
    tls.async_read_some(asio::buffer(buf), [&](const std::error_code& ec, std::size_t size) {
        n = ec ? 0 : size;
        done = true;
    });
    ASSERT_TRUE(runUntil(io, [&] { return done; }));
    EXPECT_EQ(std::string(buf.data(), n), "\r\n");
}

} // namespace
} // namespace sb::sip
