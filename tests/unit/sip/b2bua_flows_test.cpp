// Call flows through the B2BUA that the interop tests cannot stage with sipp: refusals (483,
// 482, 420, 503, 404), the 200 that crosses a CANCEL, and a second fork answering. Virtual
// time, a recording sender, messages parsed back to assert on.
#include "support/b2bua_harness.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;
using test::parsed;

using B2buaFlows = test::B2buaHarness;

TEST_F(B2buaFlows, MaxForwardsZeroIs483) {
    invite("bob", "Max-Forwards: 0\r\n");
    EXPECT_EQ(lastStatusToCaller(), 483);
    EXPECT_TRUE(sender_.sent.empty());
    expectIdle();
}

TEST_F(B2buaFlows, OurOwnBranchInViaIs482) {
    invite("bob", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-sb0123\r\n");
    EXPECT_EQ(lastStatusToCaller(), 482);
    EXPECT_EQ(b2bua_->stats().rejectedLoop, 1u);
    expectIdle();
}

TEST_F(B2buaFlows, UnknownRequiredExtensionIs420WithUnsupported) {
    invite("bob", "Require: foo, 100rel\r\n");
    auto answer = parsed(sender_.replies.back());
    EXPECT_EQ(answer.status(), 420);
    EXPECT_EQ(answer.header(HeaderId::unsupported), "foo");
    expectIdle();
}

TEST_F(B2buaFlows, NoRouteIs404) {
    invite("carol");
    EXPECT_EQ(lastStatusToCaller(), 404);
    EXPECT_EQ(b2bua_->stats().rejectedNoRoute, 1u);
    expectIdle();
}

TEST_F(B2buaFlows, CallLimitIs503WithRetryAfter) {
    make({.maxCalls = 1, .maxCallsPerSource = 10, .retryAfterS = 7});
    invite("bob");
    ASSERT_EQ(b2bua_->stats().calls, 1u);
    invite("bob", "", "z9hG4bKa2", "c2");
    auto answer = parsed(sender_.replies.back());
    EXPECT_EQ(answer.status(), 503);
    EXPECT_EQ(answer.header(HeaderId::retry_after), "7");
    EXPECT_EQ(b2bua_->stats().rejectedOverload, 1u);
}

TEST_F(B2buaFlows, PerSourceLimitIs503) {
    make({.maxCalls = 10, .maxCallsPerSource = 1});
    invite("bob");
    invite("bob", "", "z9hG4bKa2", "c2");
    EXPECT_EQ(lastStatusToCaller(), 503);
}

// RFC 3261 §9.1: the callee's 200 crosses our CANCEL; the call must not stay up.
TEST_F(B2buaFlows, TwoHundredCrossingTheCancelIsAckedAndByed) {
    invite("bob");
    auto outbound = parsed(sender_.sent.back());
    respond(outbound, 180);
    cancel();
    EXPECT_EQ(lastStatusToCaller(), 487);
    ASSERT_EQ(sender_.sent.size(), 2u);
    EXPECT_EQ(parsed(sender_.sent[1]).method(), "CANCEL");
    respond(outbound, 200); // crossed the CANCEL
    auto methods = methodsToCallee();
    ASSERT_GE(methods.size(), 4u);
    EXPECT_EQ(methods[methods.size() - 2], "ACK");
    EXPECT_EQ(methods.back(), "BYE");
    auto bye = parsed(sender_.sent.back());
    respond(bye, 200);
    respond(parsed(sender_.sent[1]), 200); // the callee's 200 for our CANCEL
    expectIdle();
}

// RFC 3261 §13.2.2.4: a 2xx from a second fork makes a dialog we do not want.
TEST_F(B2buaFlows, SecondForkAnsweringIsAckedAndByed) {
    invite("bob");
    auto outbound = parsed(sender_.sent.back());
    respond(outbound, 200, "fork1");
    const auto sentBefore = sender_.sent.size();
    respond(outbound, 200, "fork2");
    ASSERT_EQ(sender_.sent.size(), sentBefore + 2);
    auto ack = parsed(sender_.sent[sentBefore]);
    auto bye = parsed(sender_.sent[sentBefore + 1]);
    EXPECT_EQ(ack.method(), "ACK");
    EXPECT_EQ(ack.to().tag(), "fork2");
    EXPECT_EQ(bye.method(), "BYE");
    EXPECT_EQ(bye.to().tag(), "fork2");
    EXPECT_EQ(b2bua_->stats().calls, 1u); // the call stays up on fork1
}

// RFC 3261 §18.1.1: Via and Contact name an address the peer can reach.
TEST_F(B2buaFlows, ViaAndContactCarryTheAdvertisedHost) {
    make({}, [](B2buaOptions& o) { o.listeners[0].advertise = "sip.example.com"; });
    invite("bob");
    auto outbound = parsed(sender_.sent.back());
    EXPECT_EQ(outbound.vias()[0].host, "sip.example.com");
    EXPECT_EQ(outbound.vias()[0].port, 5060);
    EXPECT_NE(outbound.header(HeaderId::contact)->find("sip:sb@sip.example.com:5060"),
              std::string_view::npos);
}

TEST_F(B2buaFlows, AWildcardListenerAdvertisesTheAddressTheRouteToThePeerLeavesFrom) {
    make({}, [](B2buaOptions& o) { o.listeners[0].address = asio::ip::make_address("0.0.0.0"); });
    invite("bob"); // the callee is at 127.0.0.1: loopback is the way there
    auto outbound = parsed(sender_.sent.back());
    EXPECT_EQ(outbound.vias()[0].host, "127.0.0.1");
}

} // namespace
} // namespace sb::sip
