#include "h323/gatekeeper_server.hpp"

#include "core/log.hpp"

namespace sb::h323 {
namespace {

ras::TransportAddress transportOf(const asio::ip::udp::endpoint& endpoint) {
    ras::TransportAddress address;
    if (endpoint.address().is_v4()) address.ip = endpoint.address().to_v4().to_bytes();
    address.port = endpoint.port();
    return address;
}

asio::ip::udp::endpoint endpointOf(const ras::TransportAddress& address) {
    return {asio::ip::address_v4(address.ip), address.port};
}

} // namespace

Result<std::unique_ptr<GatekeeperServer>>
GatekeeperServer::start(asio::io_context& context, const asio::ip::udp::endpoint& local,
                        Gatekeeper::Config config) {
    auto socket = net::UdpSocket::bind(context, local);
    if (!socket) return fail(socket.error());
    if (config.rasAddress.port == 0) config.rasAddress = transportOf((*socket)->localEndpoint());
    std::unique_ptr<GatekeeperServer> server(
        new GatekeeperServer(context, std::move(*socket), std::move(config)));
    server->socket_->start(
        [s = server.get()](std::span<std::byte> datagram, const asio::ip::udp::endpoint& from) {
            s->onDatagram({reinterpret_cast<const std::uint8_t*>(datagram.data()), datagram.size()},
                          from);
        });
    server->tick();
    return server;
}

GatekeeperServer::GatekeeperServer(asio::io_context& context,
                                   std::shared_ptr<net::UdpSocket> socket,
                                   Gatekeeper::Config config)
    : socket_(std::move(socket)), gatekeeper_(std::move(config)), expiry_(context) {}

GatekeeperServer::~GatekeeperServer() {
    socket_->close();
}

void GatekeeperServer::onDatagram(std::span<const std::uint8_t> datagram,
                                  const asio::ip::udp::endpoint& from) {
    std::optional<ras::RasMessage> answer;
    auto to = from;
    if (auto message = ras::decode(datagram)) {
        answer = gatekeeper_.handle(*message, Gatekeeper::Clock::now());
        if (const auto* lrq = std::get_if<ras::LocationRequest>(&*message))
            to = endpointOf(lrq->replyAddress);
    } else {
        log::get("h323").debug("gatekeeper: a RAS datagram from {} not understood: {}",
                               from.address().to_string(), message.error().message);
        if (auto umr = ras::notUnderstood(datagram)) answer = std::move(*umr);
    }
    if (!answer) return;
    const auto bytes = ras::encode(*answer);
    (void)socket_->sendTo(std::as_bytes(std::span(bytes)), to);
}

void GatekeeperServer::tick() {
    gatekeeper_.expire(Gatekeeper::Clock::now());
    expiry_.after(std::chrono::seconds(1), [this] { tick(); });
}

} // namespace sb::h323
