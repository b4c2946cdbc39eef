// a=candidate (RFC 8839 §5.1) as browsers and libraries write it: read, written back the same,
// and refused with the field named when it breaks the grammar or RFC 8445's bounds.
#include "webrtc/ice_candidate.hpp"

#include <gtest/gtest.h>

namespace sb::webrtc {
namespace {

TEST(IceCandidate, ReadsChromiumsHostCandidate) {
    auto c = readCandidate("candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host "
                           "generation 0 ufrag 7qqq network-id 1");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->foundation, "1467250027");
    EXPECT_EQ(c->component, 1);
    EXPECT_EQ(c->transport, "UDP");
    EXPECT_EQ(c->priority, 2122260223u);
    EXPECT_EQ(c->address, "192.168.0.196");
    EXPECT_EQ(c->port, 46243);
    EXPECT_EQ(c->type, CandidateType::host);
    ASSERT_EQ(c->extensions.size(), 3u);
    EXPECT_EQ(c->extensions[1], (std::pair<std::string, std::string>{"ufrag", "7qqq"}));
}

TEST(IceCandidate, ReadsRelatedAddressesMdnsNamesTcpAndIpv6) {
    auto srflx = readCandidate("842163049 1 udp 1677729535 203.0.113.7 62124 typ srflx raddr "
                               "192.168.0.196 rport 46243 generation 0 network-cost 10");
    ASSERT_TRUE(srflx) << srflx.error().message;
    EXPECT_EQ(srflx->type, CandidateType::srflx);
    EXPECT_EQ(srflx->relatedAddress, "192.168.0.196");
    EXPECT_EQ(srflx->relatedPort, 46243);
    auto mdns = readCandidate("3442447574 1 udp 2122262783 "
                              "3ff4a3b2-1b2e-4a3c-9d1e-0e0e0e0e0e0e.local 58452 typ host");
    ASSERT_TRUE(mdns) << mdns.error().message;
    auto tcp = readCandidate("1 1 TCP 1518280447 192.168.0.196 9 typ host tcptype active");
    ASSERT_TRUE(tcp) << tcp.error().message;
    EXPECT_EQ(tcp->extensions.front().second, "active");
    auto relay = readCandidate("a=candidate:4 1 udp 16777215 2001:db8::1 3478 typ relay raddr "
                               "2001:db8::2 rport 50000");
    ASSERT_TRUE(relay) << relay.error().message;
    EXPECT_EQ(relay->type, CandidateType::relay);
}

TEST(IceCandidate, WritesWhatItReads) {
    for (std::string_view line :
         {"1467250027 1 UDP 2122260223 192.168.0.196 46243 typ host generation 0",
          "842163049 2 UDP 1677729534 203.0.113.7 62125 typ srflx raddr 0.0.0.0 rport 0",
          "0 1 UDP 2122252543 10.0.0.5 56013 typ prflx"}) {
        auto c = readCandidate(line);
        ASSERT_TRUE(c) << line << ": " << c.error().message;
        EXPECT_EQ(writeCandidate(*c), line);
    }
}

TEST(IceCandidate, RefusesWhatBreaksTheGrammarNamingTheField) {
    auto why = [](std::string_view line) {
        auto c = readCandidate(line);
        return c ? std::string("accepted") : c.error().message;
    };
    EXPECT_EQ(why("1 1 udp 1 10.0.0.1 5000 typ"),
              "a=candidate: 7 fields, fewer than the 8 required");
    EXPECT_EQ(why("f#o 1 udp 1 10.0.0.1 5000 typ host"),
              "a=candidate: foundation 'f#o' is not 1 to 32 ice-chars");
    EXPECT_EQ(why(std::string(33, 'a') + " 1 udp 1 10.0.0.1 5000 typ host"),
              "a=candidate: foundation '" + std::string(33, 'a') + "' is not 1 to 32 ice-chars");
    EXPECT_EQ(why("1 257 udp 1 10.0.0.1 5000 typ host"),
              "a=candidate: component-id '257' is not 1 to 256");
    EXPECT_EQ(why("1 1 udp 2147483648 10.0.0.1 5000 typ host"),
              "a=candidate: priority '2147483648' is not 1 to 2^31-1");
    EXPECT_EQ(why("1 1 udp 0 10.0.0.1 5000 typ host"),
              "a=candidate: priority '0' is not 1 to 2^31-1");
    EXPECT_EQ(why("1 1 udp 1 10.0.0.1 65536 typ host"),
              "a=candidate: port '65536' is not 0 to 65535");
    EXPECT_EQ(why("1 1 udp 1 -bad- 5000 typ host"),
              "a=candidate: connection-address '-bad-' is not an address");
    EXPECT_EQ(why("1 1 udp 1 10.0.0.1 5000 type host"), "a=candidate: 'typ' expected, not 'type'");
    EXPECT_EQ(why("1 1 udp 1 10.0.0.1 5000 typ host generation"),
              "a=candidate: extension 'generation' has no value");
    EXPECT_EQ(why("1 1 udp 1 10.0.0.1 5000 typ host raddr"),
              "a=candidate: extension 'raddr' has no value");
    EXPECT_EQ(why("1 1 udp 1 10.0.0.1  5000 typ host"), "a=candidate: port '' is not 0 to 65535");
    EXPECT_EQ(why("1 1 udp 1 10.0.0.1 5000 typ srflx raddr x_y rport 1"),
              "a=candidate: raddr 'x_y' is not an address");
}

TEST(IceCandidate, AnUnknownTypeIsSkippableNotMalformed) {
    auto c = readCandidate("1 1 udp 1 10.0.0.1 5000 typ wormhole");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, Errc::unsupported);
}

} // namespace
} // namespace sb::webrtc
