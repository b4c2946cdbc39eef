#include "video/discovery.hpp"

#include "core/random.hpp"

#include <array>
#include <asio/ip/multicast.hpp>
#include <asio/ip/udp.hpp>
#include <asio/steady_timer.hpp>
#include <fmt/format.h>
#include <memory>

namespace sb::video {
namespace {

// One browse: its socket, its deadline, what came; kept alive by its own handlers.
struct Browse : std::enable_shared_from_this<Browse> {
    Browse(asio::io_context& context, std::string service, Browsed done)
        : socket(context), timer(context), service(std::move(service)), done(std::move(done)) {}

    void receive() {
        socket.async_receive(
            asio::buffer(buffer),
            [self = shared_from_this()](const std::error_code& error, std::size_t n) {
                if (error) return; // closed when the time was up
                if (auto instances =
                        mdns::readResponse(std::span(self->buffer).first(n), self->service))
                    for (auto& instance : *instances) // one responder's bad answer spoils nothing
                        if (std::find(self->found.begin(), self->found.end(), instance) ==
                            self->found.end())
                            self->found.push_back(std::move(instance));
                self->receive();
            });
    }

    asio::ip::udp::socket socket;
    asio::steady_timer timer;
    std::string service;
    Browsed done;
    std::array<std::uint8_t, 9000> buffer{}; // RFC 6762 §17: a response fits 9000 octets
    std::vector<mdns::Instance> found;
};

} // namespace

void browseMdns(asio::io_context& context, const std::string& service,
                std::chrono::milliseconds wait, const std::string& interfaceAddress, Browsed done) {
    auto browse = std::make_shared<Browse>(context, service, std::move(done));
    std::error_code error;
    browse->socket.open(asio::ip::udp::v4(), error);
    // RFC 6762 §11: TTL 255; loopback on, so that a responder on this host answers too.
    if (!error) browse->socket.set_option(asio::ip::multicast::enable_loopback(true), error);
    if (!error) browse->socket.set_option(asio::ip::multicast::hops(255), error);
    if (!error && !interfaceAddress.empty()) {
        const auto outgoing = asio::ip::make_address_v4(interfaceAddress, error);
        if (!error)
            browse->socket.set_option(asio::ip::multicast::outbound_interface(outgoing), error);
    }
    // §6.7: a query from a port other than 5353 is answered by unicast, with its id echoed.
    const auto query = mdns::browseQuery(service, static_cast<std::uint16_t>(threadRandom()()));
    if (!error)
        browse->socket.send_to(asio::buffer(query),
                               {asio::ip::make_address_v4(mdns::kGroup), mdns::kPort}, 0, error);
    if (error) return browse->done(fail(Errc::io, fmt::format("mDNS query: {}", error.message())));
    browse->receive();
    browse->timer.expires_after(wait);
    browse->timer.async_wait([browse](const std::error_code&) {
        std::error_code ignored;
        browse->socket.close(ignored);
        browse->done(std::move(browse->found));
    });
}

} // namespace sb::video
