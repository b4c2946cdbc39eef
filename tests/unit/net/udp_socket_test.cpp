#include "net/udp_socket.hpp"
#include "support/run_until.hpp"

#include <gtest/gtest.h>
#include <string>

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

} // namespace
} // namespace sb::net
