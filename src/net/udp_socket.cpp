#include "net/udp_socket.hpp"

#include "core/log.hpp"

#include <asio/ip/multicast.hpp>
#include <asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fmt/format.h>
#include <sys/socket.h>

namespace sb::net {

namespace {
std::string describe(const asio::ip::udp::endpoint& ep) {
    const auto address = ep.address();
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), ep.port())
                           : fmt::format("{}:{}", address.to_string(), ep.port());
}
} // namespace

Result<std::shared_ptr<UdpSocket>> UdpSocket::bind(asio::io_context& context,
                                                   const asio::ip::udp::endpoint& local) {
    std::shared_ptr<UdpSocket> self(new UdpSocket(context));
    std::error_code ec;
    auto& s = self->socket_;
    auto failed = [&](const char* step) {
        return fail(Errc::io, fmt::format("cannot bind UDP {}: {} failed: {}", describe(local),
                                          step, ec.message()));
    };
    if (s.open(local.protocol(), ec); ec) return failed("open");
    if (local.address().is_v6()) {
        if (s.set_option(asio::ip::v6_only(true), ec); ec) return failed("IPV6_V6ONLY");
    }
    if (s.bind(local, ec); ec) return failed("bind");
    if (s.non_blocking(true, ec); ec) return failed("O_NONBLOCK");
    self->local_ = s.local_endpoint(ec);
    if (ec) return failed("getsockname");
    return self;
}

Result<std::shared_ptr<UdpSocket>> UdpSocket::joinGroup(asio::io_context& context,
                                                        const asio::ip::udp::endpoint& group,
                                                        const asio::ip::address_v4& interface) {
    std::shared_ptr<UdpSocket> self(new UdpSocket(context));
    std::error_code ec;
    auto& s = self->socket_;
    auto failed = [&](const char* step) {
        return fail(Errc::io,
                    fmt::format("cannot join UDP {} on {}: {} failed: {}", describe(group),
                                interface.to_string(), step, ec.message()));
    };
    if (!group.address().is_v4() || !group.address().is_multicast()) {
        ec = std::make_error_code(std::errc::invalid_argument);
        return failed("an IPv4 multicast group");
    }
    if (s.open(asio::ip::udp::v4(), ec); ec) return failed("open");
    if (s.set_option(asio::socket_base::reuse_address(true), ec); ec) return failed("SO_REUSEADDR");
    if (s.bind(group, ec); ec) return failed("bind");
    if (s.set_option(asio::ip::multicast::join_group(group.address().to_v4(), interface), ec); ec)
        return failed("IP_ADD_MEMBERSHIP");
    if (s.non_blocking(true, ec); ec) return failed("O_NONBLOCK");
    self->local_ = s.local_endpoint(ec);
    if (ec) return failed("getsockname");
    return self;
}

Result<void> UdpSocket::sendMulticastThrough(const asio::ip::address_v4& interface) {
    std::error_code ec;
    socket_.set_option(asio::ip::multicast::outbound_interface(interface), ec);
    if (ec)
        return fail(Errc::io, fmt::format("UDP {}: IP_MULTICAST_IF {} failed: {}", describe(local_),
                                          interface.to_string(), ec.message()));
    return {};
}

UdpSocket::UdpSocket(asio::io_context& context) : socket_(context) {}

UdpSocket::~UdpSocket() {
    std::error_code ignored;
    socket_.close(ignored);
}

// recvmmsg(2)'s arrays: a header, an address and a 64 KiB buffer per datagram.
struct UdpSocket::Batch {
    Batch(std::size_t n, std::size_t bytes)
        : headers(n), addresses(n), iovecs(n), buffers(n * bytes) {}
    std::vector<mmsghdr> headers;
    std::vector<sockaddr_storage> addresses;
    std::vector<iovec> iovecs;
    std::vector<std::byte> buffers;
};

void UdpSocket::start(Handler handler, std::size_t batch, std::size_t largest) {
    handler_ = std::move(handler);
    bufferBytes_ = std::min(largest, kLargestDatagram - 1) + 1;
    if (batch <= 1) {
        buffer_.resize(bufferBytes_);
        return receive();
    }
    batch_ = std::make_unique<Batch>(batch, bufferBytes_);
    awaitReadable();
}

void UdpSocket::deliver(std::span<std::byte> datagram) {
    try {
        handler_(datagram, from_);
    } catch (const std::exception& e) {
        SB_WARN_RATE_LIMITED(log::get("net"), "UDP {} handler threw: {}", describe(local_),
                             e.what());
    } catch (...) {
        SB_WARN_RATE_LIMITED(log::get("net"), "UDP {} handler threw", describe(local_));
    }
}

void UdpSocket::awaitReadable() {
    socket_.async_wait(asio::socket_base::wait_read,
                       [self = shared_from_this()](const std::error_code& ec) {
                           if (ec == asio::error::operation_aborted || !self->socket_.is_open()) {
                               self->handler_ = nullptr;
                               return;
                           }
                           self->drain();
                       });
}

void UdpSocket::drain() {
    // A turn's share: then the other handlers of the loop run before the rest is read.
    constexpr int kCallsPerTurn = 4;
    Batch& b = *batch_;
    const auto n = b.headers.size();
    for (int call = 0; call < kCallsPerTurn; ++call) {
        for (std::size_t i = 0; i < n; ++i) {
            b.iovecs[i] = {b.buffers.data() + i * bufferBytes_, bufferBytes_};
            b.headers[i] = {};
            b.headers[i].msg_hdr.msg_name = &b.addresses[i];
            b.headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            b.headers[i].msg_hdr.msg_iov = &b.iovecs[i];
            b.headers[i].msg_hdr.msg_iovlen = 1;
        }
        const int got = ::recvmmsg(socket_.native_handle(), b.headers.data(),
                                   static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
        if (got < 0) {
            const int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK) return awaitReadable(); // empty
            if (error == EINTR) continue;
            SB_WARN_RATE_LIMITED(log::get("net"), "UDP {} receive error: {}", describe(local_),
                                 std::strerror(error));
            // ICMP port unreachable surfaces as ECONNREFUSED on Linux, once, with datagrams
            // perhaps still queued behind it: read on. Anything else waits for the next one.
            if (error == ECONNREFUSED) continue;
            return awaitReadable();
        }
        for (int i = 0; i < got; ++i) {
            const auto& header = b.headers[static_cast<std::size_t>(i)];
            if (header.msg_hdr.msg_namelen > from_.capacity()) continue; // not IPv4 or IPv6
            std::memcpy(from_.data(), header.msg_hdr.msg_name, header.msg_hdr.msg_namelen);
            from_.resize(header.msg_hdr.msg_namelen);
            deliver(
                {b.buffers.data() + static_cast<std::size_t>(i) * bufferBytes_, header.msg_len});
            if (!socket_.is_open()) { // closed by the handler
                handler_ = nullptr;
                return;
            }
        }
        if (static_cast<std::size_t>(got) < n) return awaitReadable(); // read to the end
    }
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
        if (self->socket_.is_open()) self->drain();
    });
}

void UdpSocket::receive() {
    if (!socket_.is_open()) return;
    socket_.async_receive_from(
        asio::buffer(buffer_), from_,
        [self = shared_from_this()](const std::error_code& ec, std::size_t n) {
            if (ec == asio::error::operation_aborted || !self->socket_.is_open()) {
                self->handler_ = nullptr; // not in close(): it may run inside the handler
                return;
            }
            if (ec) {
                // ICMP port unreachable surfaces here as connection_refused on Linux: not fatal
                // for a server socket.
                SB_WARN_RATE_LIMITED(log::get("net"), "UDP {} receive error: {}",
                                     describe(self->local_), ec.message());
            } else if (self->handler_) {
                self->deliver(std::span<std::byte>(self->buffer_.data(), n));
            }
            self->receive();
        });
}

Result<void> UdpSocket::sendTo(std::span<const std::byte> datagram,
                               const asio::ip::udp::endpoint& to) {
    if (!socket_.is_open()) return fail(Errc::closed, "UDP socket is closed");
    std::error_code ec;
    socket_.send_to(asio::buffer(datagram.data(), datagram.size()), to, 0, ec);
    if (ec) {
        return fail(Errc::io, fmt::format("UDP send from {} to {} failed: {}", describe(local_),
                                          describe(to), ec.message()));
    }
    return {};
}

void UdpSocket::close() {
    std::error_code ignored;
    socket_.close(ignored);
}

} // namespace sb::net
