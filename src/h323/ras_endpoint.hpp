#pragma once
// The RAS client on the wire: a UDP socket towards one gatekeeper, the RasClient's datagrams
// carried both ways and its deadlines kept with one timer. It is the calls' Admissions. A
// registration that is lost (refused, withdrawn, or the gatekeeper stopped answering) is tried
// again after registerAgain, until it holds. Runs on the worker that owns its io_context.

#include "core/result.hpp"
#include "h323/admissions.hpp"
#include "h323/ras_client.hpp"
#include "net/timer.hpp"
#include "net/udp_socket.hpp"

#include <asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string_view>

namespace sb::h323 {

class RasEndpoint final : public Admissions {
public:
    // Binds `local` (its port goes into the client's rasAddress when that has none) and starts
    // discovery or registration with the gatekeeper at `gatekeeper`. That may be the discovery
    // group (ras::kDiscoveryGroup): the GRQ is multicast, from `local`'s interface when it names
    // one, and what follows goes to the gatekeeper that confirms it.
    static Result<std::unique_ptr<RasEndpoint>>
    start(asio::io_context& context, const asio::ip::udp::endpoint& local,
          const asio::ip::udp::endpoint& gatekeeper, RasClient::Config config,
          RasClient::Events events, std::chrono::seconds registerAgain = std::chrono::seconds(10));
    ~RasEndpoint();
    RasEndpoint(const RasEndpoint&) = delete;
    RasEndpoint& operator=(const RasEndpoint&) = delete;

    // The client, for what Admissions does not say; call rearm() after using it.
    RasClient& client() noexcept { return *client_; }
    void rearm();

    void admit(const CallIds& call, ras::Aliases destination,
               std::optional<ras::TransportAddress> address, bool answering,
               std::uint32_t bandwidth, Admitted done) override;
    void changeBandwidth(const CallIds& call, bool answering, std::uint32_t bandwidth) override;
    void disengage(const CallIds& call, bool answering) override;

private:
    RasEndpoint(asio::io_context& context, std::shared_ptr<net::UdpSocket> socket,
                asio::ip::udp::endpoint gatekeeper, std::chrono::seconds registerAgain);

    std::shared_ptr<net::UdpSocket> socket_;
    asio::ip::udp::endpoint gatekeeper_;
    std::unique_ptr<RasClient> client_;
    net::Timer timer_, registerAgainTimer_;
    std::chrono::seconds registerAgain_;
};

} // namespace sb::h323
