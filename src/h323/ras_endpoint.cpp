#include "h323/ras_endpoint.hpp"

namespace sb::h323 {

Result<std::unique_ptr<RasEndpoint>>
RasEndpoint::start(asio::io_context& context, const asio::ip::udp::endpoint& local,
                   const asio::ip::udp::endpoint& gatekeeper, RasClient::Config config,
                   RasClient::Events events, std::chrono::seconds registerAgain) {
    auto socket = net::UdpSocket::bind(context, local);
    if (!socket) return fail(socket.error());
    const auto bound = (*socket)->localEndpoint();
    if (config.rasAddress.port == 0 && bound.address().is_v4()) {
        config.rasAddress.ip = bound.address().to_v4().to_bytes();
        config.rasAddress.port = bound.port();
    }
    if (gatekeeper.address().is_multicast() && bound.address().is_v4() &&
        !bound.address().is_unspecified()) {
        if (auto through = (*socket)->sendMulticastThrough(bound.address().to_v4()); !through)
            return fail(through.error());
    }
    std::unique_ptr<RasEndpoint> endpoint(
        new RasEndpoint(context, std::move(*socket), gatekeeper, registerAgain));
    auto* self = endpoint.get();
    auto discovered = std::move(events.discovered);
    events.discovered = [self,
                         discovered = std::move(discovered)](const ras::TransportAddress& at) {
        self->gatekeeper_ = {asio::ip::address_v4(at.ip), at.port};
        if (discovered) discovered(at);
    };
    auto unregistered = std::move(events.unregistered);
    events.unregistered = [self, unregistered = std::move(unregistered)](std::string why) {
        if (unregistered) unregistered(std::move(why));
        self->registerAgainTimer_.after(self->registerAgain_, [self] {
            if (self->client_->isRegistered()) return;
            self->client_->start(RasClient::Clock::now());
            self->rearm();
        });
    };
    auto send = std::move(events.send);
    events.send = [self, send = std::move(send)](std::vector<std::uint8_t> bytes) {
        (void)self->socket_->sendTo(std::as_bytes(std::span(bytes)), self->gatekeeper_);
        if (send) send(std::move(bytes)); // an observer's copy (tests, capture)
    };
    endpoint->client_ = std::make_unique<RasClient>(std::move(config), std::move(events));
    endpoint->socket_->start(
        [self](std::span<std::byte> datagram, const asio::ip::udp::endpoint& from) {
            // Only the gatekeeper speaks to us (any, while discovery multicasts its GRQ, or when
            // it is our own on a wildcard address, which answers from one of ours): another
            // host's URQ, DRQ or confirmation would unregister us, end calls or answer for it.
            const auto& gatekeeper = self->gatekeeper_.address();
            if (!gatekeeper.is_multicast() && !gatekeeper.is_unspecified() &&
                from.address() != gatekeeper)
                return;
            self->client_->receive(
                {reinterpret_cast<const std::uint8_t*>(datagram.data()), datagram.size()},
                RasClient::Clock::now());
            self->rearm();
        });
    endpoint->client_->start(RasClient::Clock::now());
    endpoint->rearm();
    return endpoint;
}

RasEndpoint::RasEndpoint(asio::io_context& context, std::shared_ptr<net::UdpSocket> socket,
                         asio::ip::udp::endpoint gatekeeper, std::chrono::seconds registerAgain)
    : socket_(std::move(socket)), gatekeeper_(std::move(gatekeeper)), timer_(context),
      registerAgainTimer_(context), registerAgain_(registerAgain) {}

RasEndpoint::~RasEndpoint() {
    socket_->close();
}

void RasEndpoint::rearm() {
    const auto next = client_->nextDeadline();
    if (!next) return timer_.cancel();
    const auto delay = *next - RasClient::Clock::now();
    timer_.after(std::max(delay, RasClient::Clock::duration::zero()), [this] {
        client_->tick(RasClient::Clock::now());
        rearm();
    });
}

void RasEndpoint::admit(const CallIds& call, ras::Aliases destination,
                        std::optional<ras::TransportAddress> address, bool answering,
                        std::uint32_t bandwidth, Admitted done) {
    client_->admit(call.callIdentifier, call.callReference, call.conferenceID,
                   std::move(destination), address, answering, bandwidth, std::move(done),
                   RasClient::Clock::now());
    rearm();
}

void RasEndpoint::changeBandwidth(const CallIds& call, bool answering, std::uint32_t bandwidth) {
    client_->changeBandwidth(call.callIdentifier, call.callReference, call.conferenceID, answering,
                             bandwidth, RasClient::Clock::now());
    rearm();
}

void RasEndpoint::disengage(const CallIds& call, bool answering) {
    client_->disengage(call.callIdentifier, call.callReference, call.conferenceID, answering,
                       RasClient::Clock::now());
    rearm();
}

} // namespace sb::h323
