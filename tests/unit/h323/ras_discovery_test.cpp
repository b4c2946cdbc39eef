// Gatekeeper discovery by multicast (H.323 §7.2.1): in a network namespace of the test's own,
// an endpoint that knows no gatekeeper multicasts its GRQ to the discovery group; of the two
// gatekeepers listening there, the one it names confirms, to the RAS address in the request,
// the other stays silent; the endpoint then registers with the one that confirmed, at the
// address its GCF gave.
#include "h323/gatekeeper_server.hpp"
#include "h323/ras/addresses.hpp"
#include "h323/ras_endpoint.hpp"
#include "support/network_namespace.hpp"

#include <gtest/gtest.h>

namespace sb::h323 {
namespace {

using namespace std::chrono_literals;

TEST(RasDiscovery, AnEndpointFindsItsGatekeeperByMulticastAndRegistersThere) {
    ASSERT_TRUE(test::enterNamespace());
    asio::io_context context;
    const auto loopback = asio::ip::make_address_v4("127.0.0.1");
    Gatekeeper::Config ours, other;
    other.identifier = u"elsewhere";
    auto gatekeeper = GatekeeperServer::start(context, {loopback, 0}, ours);
    auto elsewhere = GatekeeperServer::start(context, {loopback, 0}, other);
    ASSERT_TRUE(gatekeeper && elsewhere);
    ASSERT_TRUE((*gatekeeper)->listenForDiscovery(loopback, ras::kDiscoveryGroup));
    ASSERT_TRUE((*elsewhere)->listenForDiscovery(loopback, ras::kDiscoveryGroup));

    RasClient::Config config;
    config.aliases = {h225::DialedDigits{"1001"}};
    config.callSignalAddress = {{127, 0, 0, 1}, 1720};
    config.gatekeeperIdentifier = u"switchboard";
    std::optional<ras::TransportAddress> found;
    std::optional<ras::Identifier> registered;
    std::vector<std::string> lost;
    RasClient::Events events;
    events.discovered = [&](const ras::TransportAddress& at) { found = at; };
    events.registered = [&](const ras::Identifier& id) { registered = id; };
    events.unregistered = [&](std::string why) { lost.push_back(std::move(why)); };
    auto endpoint =
        RasEndpoint::start(context, {loopback, 0}, ras::kDiscoveryGroup, config, events);
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    for (int turn = 0; turn < 200 && !registered; ++turn)
        context.run_for(10ms);

    ASSERT_TRUE(registered);
    const auto gk = (*gatekeeper)->localEndpoint();
    EXPECT_EQ(found, (ras::TransportAddress{gk.address().to_v4().to_bytes(), gk.port()}));
    EXPECT_EQ((*gatekeeper)->gatekeeper().registrations().size(), 1u);
    EXPECT_EQ((*elsewhere)->gatekeeper().registrations().size(), 0u);
    EXPECT_TRUE(lost.empty()) << lost.front(); // no GRJ from the other one
}

} // namespace
} // namespace sb::h323
