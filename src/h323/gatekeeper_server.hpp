#pragma once
// The gatekeeper on the wire: RAS on a UDP socket (1719 by default, H.225.0 §7.7), each
// datagram decoded and handed to the Gatekeeper, its answer sent back to where the request
// came from (or to the replyAddress it names, §7.11.1 for LRQ), what cannot be read answered
// with UnknownMessageResponse, and registrations expired each second. It may also listen for
// discovery on the multicast group (H.323 §7.2.1): a GRQ or LRQ that arrives there is
// answered from the RAS socket, to the address the request names, and only when the answer
// is a confirmation: every gatekeeper of the group hears a multicast request, and those that
// would refuse it stay silent rather than each send a reject. Runs on the worker that owns
// its io_context.

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

    // Joins the discovery group (ras::kDiscoveryGroup, or a test's own) on the interface whose
    // address is `interface`.
    Result<void> listenForDiscovery(const asio::ip::address_v4& interface,
                                    const asio::ip::udp::endpoint& group);

    const Gatekeeper& gatekeeper() const noexcept { return gatekeeper_; }
    const asio::ip::udp::endpoint& localEndpoint() const noexcept {
        return socket_->localEndpoint();
    }

private:
    GatekeeperServer(asio::io_context& context, std::shared_ptr<net::UdpSocket> socket,
                     Gatekeeper::Config config);
    void onDatagram(std::span<const std::uint8_t> datagram, const asio::ip::udp::endpoint& from);
    void onDiscovery(std::span<const std::uint8_t> datagram, const asio::ip::udp::endpoint& from);
    void tick();

    asio::io_context& context_;
    std::shared_ptr<net::UdpSocket> socket_, discovery_;
    Gatekeeper gatekeeper_;
    net::Timer expiry_;
};

} // namespace sb::h323
