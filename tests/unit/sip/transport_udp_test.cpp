#include "sip/transport.hpp"
#include "support/run_until.hpp"

#include <array>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <gtest/gtest.h>
#include <vector>

namespace sb::sip {
namespace {

using sb::test::runUntil;

const std::string kRequest = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n";

void udpRoundTrip(const char* loopback) {
    asio::io_context io;
    TransportLayer t(io);
    ASSERT_TRUE(t.listen({Transport::udp, loopback, 0}));
    const auto bound = t.listeners().at(0);
    ASSERT_NE(bound.port, 0);
    EXPECT_EQ(bound.transport, Transport::udp);

    std::vector<InboundMessage> got;
    t.onMessage([&](InboundMessage&& m) {
        t.reply(m, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
        got.push_back(std::move(m));
    });

    const auto address = asio::ip::make_address(loopback);
    asio::ip::udp::socket client(io, asio::ip::udp::endpoint(address, 0));
    client.send_to(asio::buffer(kRequest), asio::ip::udp::endpoint(address, bound.port));

    std::array<char, 2048> buf{};
    std::size_t n = 0;
    asio::ip::udp::endpoint from;
    client.async_receive_from(asio::buffer(buf), from,
                              [&](const std::error_code& ec, std::size_t size) {
                                  if (!ec) n = size;
                              });
    ASSERT_TRUE(runUntil(io, [&] { return n > 0; }));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].bytes, kRequest);
    EXPECT_EQ(got[0].transport, Transport::udp);
    EXPECT_EQ(got[0].connectionId, 0u);
    EXPECT_EQ(got[0].remoteAddress, address);
    EXPECT_EQ(got[0].remotePort, client.local_endpoint().port());
    EXPECT_EQ(got[0].localPort, bound.port);
    EXPECT_EQ(std::string(buf.data(), n), "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(from.port(), bound.port);
    EXPECT_EQ(t.stats().messagesIn, 1u);
    EXPECT_EQ(t.stats().messagesOut, 1u);
}

TEST(TransportUdp, RoundTripIpv4) {
    udpRoundTrip("127.0.0.1");
}
TEST(TransportUdp, RoundTripIpv6) {
    udpRoundTrip("::1");
}

TEST(TransportUdp, OversizedDatagramIsDroppedAndCounted) {
    asio::io_context io;
    TransportLimits limits;
    limits.maxMessageBytes = 100;
    TransportLayer t(io, limits);
    ASSERT_TRUE(t.listen({Transport::udp, "127.0.0.1", 0}));
    std::vector<std::string> got;
    t.onMessage([&](InboundMessage&& m) { got.push_back(m.bytes); });
    const asio::ip::udp::endpoint server(asio::ip::make_address("127.0.0.1"),
                                         t.listeners()[0].port);
    asio::ip::udp::socket client(io, asio::ip::udp::endpoint(asio::ip::udp::v4(), 0));
    client.send_to(asio::buffer(std::string(200, 'x')), server);
    client.send_to(asio::buffer(kRequest), server);
    ASSERT_TRUE(runUntil(io, [&] { return !got.empty(); }));
    EXPECT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], kRequest);
    EXPECT_EQ(t.stats().oversized, 1u);
}

TEST(TransportUdp, SendBetweenTwoLayersAndThrowingHandlerIsContained) {
    asio::io_context io;
    TransportLayer a(io), b(io);
    ASSERT_TRUE(a.listen({Transport::udp, "::1", 0}));
    ASSERT_TRUE(b.listen({Transport::udp, "::1", 0}));
    int calls = 0;
    std::vector<std::string> got;
    b.onMessage([&](InboundMessage&& m) {
        if (++calls == 1) throw std::runtime_error("SIP layer bug");
        got.push_back(m.bytes);
    });
    const auto bAddr = asio::ip::make_address("::1");
    const auto bPort = b.listeners()[0].port;
    ASSERT_TRUE(a.send(Transport::udp, bAddr, bPort, "first"));
    ASSERT_TRUE(a.send(Transport::udp, bAddr, bPort, kRequest));
    ASSERT_TRUE(runUntil(io, [&] { return !got.empty(); }));
    EXPECT_EQ(got[0], kRequest);
    // No IPv4 socket: sending to an IPv4 address is an error, not a crash.
    auto r = a.send(Transport::udp, asio::ip::make_address("127.0.0.1"), 5060, kRequest);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("IPv4"), std::string::npos) << r.error().message;
}

TEST(TransportUdp, ListenErrorsNameAddressAndPort) {
    asio::io_context io;
    TransportLayer t(io);
    ASSERT_TRUE(t.listen({Transport::udp, "127.0.0.1", 0}));
    const auto port = t.listeners()[0].port;
    auto r = t.listen({Transport::udp, "127.0.0.1", port});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << r.error().message;
    auto bad = t.listen({Transport::udp, "not-an-ip", 5060});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("not-an-ip"), std::string::npos);
    auto tls = t.listen({Transport::tls, "127.0.0.1", 0});
    ASSERT_FALSE(tls);
    EXPECT_EQ(tls.error().code, Errc::config);
}

} // namespace
} // namespace sb::sip
