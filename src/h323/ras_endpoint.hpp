#pragma once
// The RAS client on the wire: a UDP socket towards one gatekeeper, the RasClient's datagrams
// carried both ways and its deadlines kept with one timer. Runs on the worker that owns its
// io_context.

#include "core/result.hpp"
#include "h323/ras_client.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"

#include <asio/io_context.hpp>
#include <memory>

namespace sb::h323 {

class RasEndpoint {
public:
    // Binds `local` (its port goes into the client's rasAddress when that has none) and starts
    // discovery or registration with the gatekeeper at `gatekeeper`. That may be the discovery
    // group (ras::kDiscoveryGroup): the GRQ is multicast, from `local`'s interface when it names
    // one, and what follows goes to the gatekeeper that confirms it.
    static Result<std::unique_ptr<RasEndpoint>> start(asio::io_context& context,
                                                      const asio::ip::udp::endpoint& local,
                                                      const asio::ip::udp::endpoint& gatekeeper,
                                                      RasClient::Config config,
                                                      RasClient::Events events);
    ~RasEndpoint();
    RasEndpoint(const RasEndpoint&) = delete;
    RasEndpoint& operator=(const RasEndpoint&) = delete;

    // The client, for admission, disengage and unregistration; call rearm() after using it.
    RasClient& client() noexcept { return *client_; }
    void rearm();

private:
    RasEndpoint(asio::io_context& context, std::shared_ptr<net::UdpSocket> socket,
                asio::ip::udp::endpoint gatekeeper);

    std::shared_ptr<net::UdpSocket> socket_;
    asio::ip::udp::endpoint gatekeeper_;
    std::unique_ptr<RasClient> client_;
    net::Timer timer_;
};

} // namespace sb::h323
