#pragma once
// A stand-in for a phone's RTP socket in media tests: a plain UDP socket on loopback that sends
// datagrams and picks up what has arrived, without an event loop of its own.

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace sb::test {

inline const asio::ip::address kLoopback = asio::ip::make_address("127.0.0.1");

struct Phone {
    explicit Phone(asio::io_context& io) : socket(io, asio::ip::udp::endpoint(kLoopback, 0)) {}
    asio::ip::udp::endpoint endpoint() const { return socket.local_endpoint(); }
    void send(std::span<const std::byte> bytes, std::uint16_t port) {
        socket.send_to(asio::buffer(bytes.data(), bytes.size()),
                       asio::ip::udp::endpoint(kLoopback, port));
    }
    std::optional<std::vector<std::byte>> receive() {
        if (socket.available() == 0) return std::nullopt;
        std::vector<std::byte> buffer(2048);
        asio::ip::udp::endpoint from;
        const auto n = socket.receive_from(asio::buffer(buffer), from);
        buffer.resize(n);
        return buffer;
    }
    asio::ip::udp::socket socket;
};

} // namespace sb::test
