#include "net/udp_socket.hpp"

#include "core/log.hpp"

#include <exception>
#include <fmt/format.h>

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

UdpSocket::~UdpSocket() {
    std::error_code ignored;
    socket_.close(ignored);
}

void UdpSocket::start(Handler handler) {
    handler_ = std::move(handler);
    receive();
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
                try {
                    self->handler_(std::span<std::byte>(self->buffer_.data(), n), self->from_);
                } catch (const std::exception& e) {
                    SB_WARN_RATE_LIMITED(log::get("net"), "UDP {} handler threw: {}",
                                         describe(self->local_), e.what());
                } catch (...) {
                    SB_WARN_RATE_LIMITED(log::get("net"), "UDP {} handler threw",
                                         describe(self->local_));
                }
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
