#include "video/datagram_socket.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace sb::video {
namespace {

struct Resolved {
    sockaddr_storage address{};
    socklen_t length = 0;
    int family = AF_INET;
};

Result<Resolved> resolve(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int status = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); status)
        return fail(Errc::config, fmt::format("{}: {}", host, gai_strerror(status)));
    Resolved r;
    std::memcpy(&r.address, found->ai_addr, found->ai_addrlen);
    r.length = found->ai_addrlen;
    r.family = found->ai_family;
    freeaddrinfo(found);
    return r;
}

} // namespace

DatagramSocket::~DatagramSocket() {
    if (fd_ >= 0) ::close(fd_);
}

DatagramSocket::DatagramSocket(DatagramSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {}

DatagramSocket& DatagramSocket::operator=(DatagramSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

Result<DatagramSocket> DatagramSocket::bind(const std::string& address) {
    auto where = resolve(address, 0);
    if (!where) return fail(where.error());
    DatagramSocket socket(::socket(where->family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (socket.fd_ < 0 ||
        ::bind(socket.fd_, reinterpret_cast<const sockaddr*>(&where->address), where->length) < 0)
        return fail(Errc::io,
                    fmt::format("a video socket on {}: {}", address, std::strerror(errno)));
    return socket;
}

Result<DatagramSocket> DatagramSocket::to(const std::string& host, std::uint16_t port) {
    auto where = resolve(host, port);
    if (!where) return fail(where.error());
    DatagramSocket socket(::socket(where->family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (socket.fd_ < 0)
        return fail(Errc::io, fmt::format("a video socket: {}", std::strerror(errno)));
    if (auto connected = socket.connect(host, port); !connected) return fail(connected.error());
    return socket;
}

Result<void> DatagramSocket::connect(const std::string& host, std::uint16_t port) {
    auto where = resolve(host, port);
    if (!where) return fail(where.error());
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&where->address), where->length) < 0)
        return fail(Errc::io, fmt::format("video to {}:{}: {}", host, port, std::strerror(errno)));
    return {};
}

void DatagramSocket::send(std::span<const std::uint8_t> datagram) {
    // A connected UDP socket reports an earlier datagram's ICMP port unreachable on a later
    // send, which then sends nothing (Linux udp(7)): that one is sent again.
    for (int attempt = 0; attempt < 2; ++attempt)
        if (::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL) >= 0 ||
            errno != ECONNREFUSED)
            return;
}

std::optional<std::size_t> DatagramSocket::receive(std::span<std::uint8_t> buffer) {
    for (;;) {
        const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n >= 0) return static_cast<std::size_t>(n);
        // ECONNREFUSED: an earlier send met no listener; the error is the socket's, not this
        // read's, and the next read goes on.
        if (errno != ECONNREFUSED && errno != EINTR) return std::nullopt;
    }
}

std::uint16_t DatagramSocket::localPort() const {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) < 0) return 0;
    return ntohs(address.ss_family == AF_INET6
                     ? reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port
                     : reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

} // namespace sb::video
