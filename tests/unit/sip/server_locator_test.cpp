#include "sip/server_locator.hpp"
#include "support/memory_dns.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

asio::ip::address ip(const char* text) {
    return asio::ip::make_address(text);
}

struct Locate : testing::Test {
    test::MemoryDns dns;
    LocatorOptions options;
    std::optional<ServerLocator> locator;

    Locate() { dns.hosts["sip1.example.com"] = {{ip("192.0.2.1")}, 60s}; }

    // Locates `uri` and delivers every DNS answer; the result, however it came.
    Result<ServerLocator::Destinations> locate(std::string_view uri,
                                               std::optional<Transport> forced = std::nullopt) {
        if (!locator) locator.emplace(dns, options);
        std::optional<Result<ServerLocator::Destinations>> later;
        auto now = locator->locate(uri, forced, [&](auto result) { later = std::move(result); });
        if (now) return *now;
        dns.deliver();
        EXPECT_TRUE(later) << "no answer for " << uri;
        return later ? *later : fail(Errc::io, "no answer");
    }
};

std::string show(const Destination& d) {
    return fmt::format("{} {}:{}{}", transportName(d.transport), d.address.to_string(), d.port,
                       d.tlsServerName.empty() ? "" : " " + d.tlsServerName);
}

std::vector<std::string> show(const Result<ServerLocator::Destinations>& result) {
    std::vector<std::string> out;
    if (!result) return {"error: " + result.error().message};
    for (const auto& d : *result)
        out.push_back(show(d));
    return out;
}

using Lines = std::vector<std::string>;

TEST_F(Locate, AnAddressNeedsNoDns) {
    EXPECT_EQ(show(locate("sip:bob@192.0.2.7:5070;transport=tcp")), Lines{"tcp 192.0.2.7:5070"});
    EXPECT_EQ(show(locate("sips:[2001:db8::1]")), Lines{"tls 2001:db8::1:5061"});
    EXPECT_TRUE(dns.asked.empty());
}

TEST_F(Locate, FollowsNaptrToSrvToAddressesInNaptrOrder) {
    // RFC 3263 §4.1: the lowest order wins; its SRV name gives port and host.
    dns.naptrs["example.com"] = {{20, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"},
                                 {10, 10, "S", "SIP+D2T", "", "_sip._tcp.example.com"}};
    dns.srvs["_sip._tcp.example.com"] = {{0, 0, 5070, "sip1.example.com"}};
    dns.srvs["_sip._udp.example.com"] = {{0, 0, 5080, "sip1.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@example.com")), Lines{"tcp 192.0.2.1:5070"});
    EXPECT_EQ(dns.asked,
              (Lines{"NAPTR example.com", "SRV _sip._tcp.example.com", "A sip1.example.com"}));
}

TEST_F(Locate, TakesTheNextNaptrWhenASrvNameHasNoServers) {
    dns.naptrs["example.com"] = {{10, 10, "s", "SIP+D2T", "", "_sip._tcp.example.com"},
                                 {20, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"}};
    dns.srvs["_sip._udp.example.com"] = {{0, 0, 5080, "sip1.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@example.com")), Lines{"udp 192.0.2.1:5080"});
}

TEST_F(Locate, IgnoresNaptrServicesWeDoNotSpeakAndNonTerminalFlags) {
    dns.naptrs["example.com"] = {{5, 10, "s", "SIP+D2W", "", "_sip._ws.example.com"},
                                 {6, 10, "a", "SIP+D2T", "", "_sip._tcp.example.com"},
                                 {7, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"}};
    dns.srvs["_sip._udp.example.com"] = {{0, 0, 5080, "sip1.example.com"}};
    dns.srvs["_sip._tcp.example.com"] = {{0, 0, 5070, "sip1.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@example.com")), Lines{"udp 192.0.2.1:5080"});
}

TEST_F(Locate, ASipsUriUsesOnlyTlsAndTheTlsServerNameIsTheDomain) {
    // §4.1: a sips URI may only use SIPS+D2T; RFC 5922 §4: the certificate names the domain.
    dns.naptrs["example.com"] = {{10, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"},
                                 {20, 10, "s", "SIPS+D2T", "", "_sips._tcp.example.com"}};
    dns.srvs["_sip._udp.example.com"] = {{0, 0, 5080, "sip1.example.com"}};
    dns.srvs["_sips._tcp.example.com"] = {{0, 0, 5061, "sip1.example.com"}};
    EXPECT_EQ(show(locate("sips:bob@Example.COM")), Lines{"tls 192.0.2.1:5061 example.com"});
}

TEST_F(Locate, WithoutNaptrQueriesSrvForEachTransportInOurOrder) {
    dns.srvs["_sip._tcp.example.com"] = {{0, 0, 5070, "sip1.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@example.com")), Lines{"tcp 192.0.2.1:5070"});
    EXPECT_EQ(dns.asked, (Lines{"NAPTR example.com", "SRV _sip._udp.example.com",
                                "SRV _sip._tcp.example.com", "A sip1.example.com"}));
}

TEST_F(Locate, WithoutSrvUsesTheHostsAddressesAtTheDefaultPort) {
    dns.hosts["example.com"] = {{ip("2001:db8::5"), ip("192.0.2.5")}, 60s};
    EXPECT_EQ(show(locate("sip:bob@example.com")),
              (Lines{"udp 2001:db8::5:5060", "udp 192.0.2.5:5060"}));
    dns.asked.clear();
    EXPECT_EQ(show(locate("sips:bob@example.com")),
              (Lines{"tls 2001:db8::5:5061 example.com", "tls 192.0.2.5:5061 example.com"}));
}

TEST_F(Locate, AnExplicitPortSkipsNaptrAndSrv) {
    dns.naptrs["sip1.example.com"] = {{10, 10, "s", "SIP+D2T", "", "_sip._tcp.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@sip1.example.com:5099")), Lines{"udp 192.0.2.1:5099"});
    EXPECT_EQ(dns.asked, Lines{"A sip1.example.com"});
}

TEST_F(Locate, ATransportWithoutAPortAsksOnlyThatTransportsSrv) {
    dns.srvs["_sip._tcp.example.com"] = {{0, 0, 5070, "sip1.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@example.com;transport=tcp")), Lines{"tcp 192.0.2.1:5070"});
    EXPECT_EQ(dns.asked, (Lines{"SRV _sip._tcp.example.com", "A sip1.example.com"}));
    // A route's transport overrides the URI's.
    dns.asked.clear();
    dns.hosts["example.net"] = {{ip("192.0.2.9")}, 60s};
    EXPECT_EQ(show(locate("sip:bob@example.net;transport=udp", Transport::tcp)),
              Lines{"tcp 192.0.2.9:5060"});
    EXPECT_EQ(dns.asked, (Lines{"SRV _sip._tcp.example.net", "A example.net"}));
}

TEST_F(Locate, ListsEverySrvTargetLowestPriorityFirstForFailover) {
    dns.hosts["sip2.example.com"] = {{ip("192.0.2.2"), ip("192.0.2.3")}, 60s};
    dns.srvs["_sip._udp.example.com"] = {{20, 0, 5062, "sip2.example.com"},
                                         {10, 0, 5061, "sip1.example.com"},
                                         {30, 0, 5063, "missing.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@example.com")),
              (Lines{"udp 192.0.2.1:5061", "udp 192.0.2.2:5062", "udp 192.0.2.3:5062"}));
}

TEST_F(Locate, PicksWithinAPriorityByWeight) {
    // RFC 2782: weight 99 against weight 1 comes first about 98 times in 100.
    dns.hosts["sip2.example.com"] = {{ip("192.0.2.2")}, 0s}; // a zero TTL: never cached
    dns.hosts["sip1.example.com"].ttl = 0s;
    dns.srvs["_sip._udp.example.com"] = {{10, 1, 5060, "sip1.example.com"},
                                         {10, 99, 5060, "sip2.example.com"}};
    int heavyFirst = 0;
    for (int i = 0; i < 500; ++i) {
        auto result = locate("sip:bob@example.com");
        ASSERT_TRUE(result) << result.error().message;
        ASSERT_EQ(result->size(), 2u);
        heavyFirst += (*result)[0].address == ip("192.0.2.2");
    }
    EXPECT_GT(heavyFirst, 400);
    EXPECT_LT(heavyFirst, 500);
}

TEST_F(Locate, ASrvTargetOfDotMeansNoServiceThere) {
    dns.srvs["_sip._udp.example.com"] = {{0, 0, 0, "."}};
    dns.srvs["_sip._tcp.example.com"] = {{0, 0, 5070, "sip1.example.com"}};
    EXPECT_EQ(show(locate("sip:bob@example.com")), Lines{"tcp 192.0.2.1:5070"});
}

TEST_F(Locate, CachesAnswersForTheirTtlAndSharesALookupInFlight) {
    dns.srvs["_sip._udp.example.com"] = {{0, 0, 5070, "sip1.example.com"}};
    locator.emplace(dns, options);
    std::vector<Result<ServerLocator::Destinations>> answers;
    for (int i = 0; i < 2; ++i)
        EXPECT_FALSE(locator->locate("sip:bob@example.com", std::nullopt,
                                     [&](auto result) { answers.push_back(std::move(result)); }));
    dns.deliver();
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(show(answers[0]), show(answers[1]));
    const auto asked = dns.asked.size();
    EXPECT_EQ(show(locate("sip:alice@EXAMPLE.com.")), Lines{"udp 192.0.2.1:5070"});
    EXPECT_EQ(dns.asked.size(), asked);
    EXPECT_EQ(locator->stats().cacheHits, 1u);
}

TEST_F(Locate, ANameWithNoServerIsAnErrorNamingTheLastQuery) {
    auto result = locate("sip:bob@nowhere.example");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::not_found);
    EXPECT_NE(result.error().message.find("nowhere.example"), std::string::npos);
    // Remembered for a while (negative caching): asked again at once, without DNS.
    const auto asked = dns.asked.size();
    EXPECT_FALSE(locate("sip:bob@nowhere.example"));
    EXPECT_EQ(dns.asked.size(), asked);
}

TEST_F(Locate, KeepsOnlyTransportsAndFamiliesWeHave) {
    options.ipv6 = false;
    options.transports = {Transport::udp};
    dns.hosts["v6only.example.com"] = {{ip("2001:db8::5")}, 60s};
    auto v6 = locate("sip:bob@v6only.example.com");
    ASSERT_FALSE(v6);
    EXPECT_EQ(v6.error().code, Errc::unsupported);
    auto tls = locate("sip:bob@sip1.example.com;transport=tls");
    ASSERT_FALSE(tls);
    EXPECT_EQ(tls.error().code, Errc::unsupported);
    // No NAPTR: only the transports we speak are queried.
    dns.asked.clear();
    EXPECT_EQ(show(locate("sip:bob@sip1.example.com")), Lines{"udp 192.0.2.1:5060"});
    EXPECT_EQ(dns.asked, (Lines{"NAPTR sip1.example.com", "SRV _sip._udp.sip1.example.com",
                                "A sip1.example.com"}));
}

TEST_F(Locate, ABadUriIsRefusedWithoutDns) {
    auto result = locate("http://example.com");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::invalid_input);
    EXPECT_TRUE(dns.asked.empty());
}

} // namespace
} // namespace sb::sip
