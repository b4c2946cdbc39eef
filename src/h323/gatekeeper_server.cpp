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
    : context_(context), socket_(std::move(socket)), gatekeeper_(std::move(config)),
      expiry_(context) {}

GatekeeperServer::~GatekeeperServer() {
    socket_->close();
    if (discovery_) discovery_->close();
}

Result<void> GatekeeperServer::listenForDiscovery(const asio::ip::address_v4& interface,
                                                  const asio::ip::udp::endpoint& group) {
    auto socket = net::UdpSocket::joinGroup(context_, group, interface);
    if (!socket) return fail(socket.error());
    if (discovery_) discovery_->close();
    discovery_ = std::move(*socket);
    discovery_->start([this](std::span<std::byte> datagram, const asio::ip::udp::endpoint& from) {
        onDiscovery({reinterpret_cast<const std::uint8_t*>(datagram.data()), datagram.size()},
                    from);
    });
    return {};
}

void GatekeeperServer::onDiscovery(std::span<const std::uint8_t> datagram,
                                   const asio::ip::udp::endpoint& from) {
    auto message = ras::decode(datagram); // what cannot be read is not answered to a group
    if (!message) return;
    const auto* grq = std::get_if<ras::GatekeeperRequest>(&*message);
    const auto* lrq = std::get_if<ras::LocationRequest>(&*message);
    if (!grq && !lrq) return;
    const auto answer = gatekeeper_.handle(*message, Gatekeeper::Clock::now());
    if (!answer || !(std::holds_alternative<ras::GatekeeperConfirm>(*answer) ||
                     std::holds_alternative<ras::LocationConfirm>(*answer)))
        return;
    const auto& named = grq ? grq->rasAddress : lrq->replyAddress;
    const auto to = named.port != 0 ? endpointOf(named) : from;
    const auto bytes = ras::encode(*answer);
    (void)socket_->sendTo(std::as_bytes(std::span(bytes)), to);
}

void GatekeeperServer::onDatagram(std::span<const std::uint8_t> datagram,
                                  const asio::ip::udp::endpoint& from) {
    std::optional<ras::RasMessage> answer;
    auto to = from;
    if (auto message = ras::decode(datagram)) {
        std::optional<Gatekeeper::Source> source;
        if (from.address().is_v4()) source = from.address().to_v4().to_bytes();
        answer = gatekeeper_.handle(*message, Gatekeeper::Clock::now(), source);
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
