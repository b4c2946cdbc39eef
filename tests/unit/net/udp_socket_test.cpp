#include "net/udp_socket.hpp"
#include "support/run_until.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace sb::net {
namespace {

std::span<const std::byte> bytes(std::string_view s) {
    return std::as_bytes(std::span(s.data(), s.size()));
}

void roundTrip(const char* loopback) {
    asio::io_context io;
    const auto address = asio::ip::make_address(loopback);
    auto a = UdpSocket::bind(io, {address, 0});
    auto b = UdpSocket::bind(io, {address, 0});
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_TRUE(b) << b.error().message;
    ASSERT_NE((*a)->localEndpoint().port(), 0);

    std::string got;
    asio::ip::udp::endpoint from;
    (*b)->start([&](std::span<const std::byte> d, const asio::ip::udp::endpoint& f) {
        got.assign(reinterpret_cast<const char*>(d.data()), d.size());
        from = f;
    });
    ASSERT_TRUE((*a)->sendTo(bytes("hello"), (*b)->localEndpoint()));
    EXPECT_TRUE(test::runUntil(io, [&] { return !got.empty(); }));
    EXPECT_EQ(got, "hello");
    EXPECT_EQ(from, (*a)->localEndpoint());
    (*b)->close();
    (*a)->close();
    EXPECT_FALSE((*a)->sendTo(bytes("x"), (*b)->localEndpoint()));
}

TEST(UdpSocket, RoundTripIpv4) {
    roundTrip("127.0.0.1");
}
TEST(UdpSocket, RoundTripIpv6) {
    roundTrip("::1");
}

TEST(UdpSocket, BindErrorNamesAddressAndPort) {
    asio::io_context io;
    auto a = UdpSocket::bind(io, {asio::ip::make_address("127.0.0.1"), 0});
    ASSERT_TRUE(a);
    const auto port = (*a)->localEndpoint().port();
    auto b = UdpSocket::bind(io, {asio::ip::make_address("127.0.0.1"), port});
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
        << b.error().message;
}

TEST(UdpSocket, ReceivesADatagramOfTheFullBufferSize) {
    asio::io_context io;
    auto a = UdpSocket::bind(io, {asio::ip::make_address("::1"), 0});
    auto b = UdpSocket::bind(io, {asio::ip::make_address("::1"), 0});
    ASSERT_TRUE(a && b);
    std::size_t size = 0;
    (*b)->start(
        [&](std::span<const std::byte> d, const asio::ip::udp::endpoint&) { size = d.size(); });
    const std::string big(60000, 'x');
    ASSERT_TRUE((*a)->sendTo(bytes(big), (*b)->localEndpoint()));
    EXPECT_TRUE(test::runUntil(io, [&] { return size != 0; }));
    EXPECT_EQ(size, big.size());
}

// Batched (recvmmsg): datagrams queued before the loop runs arrive in order, each whole (a
// large one too) and from its sender, over several system calls and turns; a handler that
// closes the socket gets no more.
TEST(UdpSocket, BatchedReceiveDeliversEachDatagramInOrderFromItsSender) {
    for (const char* loopback : {"127.0.0.1", "::1"}) {
        asio::io_context io;
        const auto address = asio::ip::make_address(loopback);
        auto a = UdpSocket::bind(io, {address, 0});
        auto c = UdpSocket::bind(io, {address, 0});
        auto b = UdpSocket::bind(io, {address, 0});
        ASSERT_TRUE(a && b && c);
        std::vector<std::string> got;
        std::vector<asio::ip::udp::endpoint> from;
        (*b)->start(
            [&](std::span<const std::byte> d, const asio::ip::udp::endpoint& f) {
                got.emplace_back(reinterpret_cast<const char*>(d.data()), d.size());
                from.push_back(f);
                if (got.back() == "stop") (*b)->close();
            },
            4);
        const std::string big(60000, 'x');
        for (int n = 0; n < 40; ++n) {
            const auto& sender = n % 2 ? *c : *a;
            const std::string text = n == 7 ? big : std::to_string(n);
            ASSERT_TRUE(sender->sendTo(bytes(text), (*b)->localEndpoint()));
        }
        ASSERT_TRUE((*a)->sendTo(bytes("stop"), (*b)->localEndpoint()));
        ASSERT_TRUE((*a)->sendTo(bytes("after"), (*b)->localEndpoint()));
        EXPECT_TRUE(test::runUntil(io, [&] { return got.size() == 41; })) << loopback;
        ASSERT_EQ(got.size(), 41u);
        for (int n = 0; n < 40; ++n) {
            EXPECT_EQ(got[n], n == 7 ? big : std::to_string(n)) << loopback;
            EXPECT_EQ(from[n], (n % 2 ? *c : *a)->localEndpoint()) << loopback;
        }
        io.restart();
        io.poll();
        EXPECT_EQ(got.size(), 41u) << "nothing after the handler closed the socket";
    }
}

} // namespace
} // namespace sb::net
