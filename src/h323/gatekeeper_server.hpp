#pragma once
// The gatekeeper on the wire: RAS on a UDP socket (1719 by default, H.225.0 §7.7), each
// datagram decoded and handed to the Gatekeeper, its answer sent back to where the request
// came from (or to the replyAddress it names, §7.11.1 for LRQ), what cannot be read answered
// with UnknownMessageResponse, and registrations expired each second. Runs on the worker that
// owns its io_context.

#include "core/result.hpp"
#include "h323/gatekeeper.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"

#include <asio/io_context.hpp>
#include <memory>

namespace sb::h323 {

class GatekeeperServer {
public:
    static Result<std::unique_ptr<GatekeeperServer>> start(asio::io_context& context,
                                                           const asio::ip::udp::endpoint& local,
                                                           Gatekeeper::Config config);
    ~GatekeeperServer();
    GatekeeperServer(const GatekeeperServer&) = delete;
    GatekeeperServer& operator=(const GatekeeperServer&) = delete;

    const Gatekeeper& gatekeeper() const noexcept { return gatekeeper_; }
    const asio::ip::udp::endpoint& localEndpoint() const noexcept {
        return socket_->localEndpoint();
    }

private:
    GatekeeperServer(asio::io_context& context, std::shared_ptr<net::UdpSocket> socket,
                     Gatekeeper::Config config);
    void onDatagram(std::span<const std::uint8_t> datagram, const asio::ip::udp::endpoint& from);
    void tick();

    std::shared_ptr<net::UdpSocket> socket_;
    Gatekeeper gatekeeper_;
    net::Timer expiry_;
};

} // namespace sb::h323
