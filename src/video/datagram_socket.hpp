#pragma once
// A UDP socket for a video thread: it sends with blocking calls and reads what has arrived
// without waiting, so that one thread can encode, send, and take the receiver's feedback
// between frames. (The media workers' sockets are Asio's; a video thread has no event loop.)

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace sb::video {

class DatagramSocket {
public:
    DatagramSocket() = default;
    ~DatagramSocket();
    DatagramSocket(DatagramSocket&& other) noexcept;
    DatagramSocket& operator=(DatagramSocket&& other) noexcept;

    // Bound to `address` (an IP literal) on a port the system picks.
    static Result<DatagramSocket> bind(const std::string& address);
    // Unbound, the family of `host`'s address; connect() follows.
    static Result<DatagramSocket> to(const std::string& host, std::uint16_t port);
    // Sends go to host:port, and only its datagrams are received.
    Result<void> connect(const std::string& host, std::uint16_t port);

    // A datagram the network refuses (no one listening yet: ICMP port unreachable) is lost as
    // it would be on the way.
    void send(std::span<const std::uint8_t> datagram);
    // The next datagram that has arrived, into `buffer`: its size, or nullopt when none has.
    std::optional<std::size_t> receive(std::span<std::uint8_t> buffer);
    std::uint16_t localPort() const;

private:
    explicit DatagramSocket(int fd) : fd_(fd) {}
    int fd_ = -1;
};

} // namespace sb::video
