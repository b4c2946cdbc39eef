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

// §8.2.6.2: every final response to a request without a To tag carries one of ours.
TEST_F(B2buaFlows, MaxForwardsZeroIs483) {
    invite("bob", "Max-Forwards: 0\r\n");
    EXPECT_EQ(lastStatusToCaller(), 483);
    EXPECT_FALSE(parsed(sender_.replies.back()).to().tag().empty());
    EXPECT_TRUE(sender_.sent.empty());
    expectIdle();
}

// RFC 3261 §8.1.1.8: without a Contact our BYE would have nowhere to go.
TEST_F(B2buaFlows, AnInviteWithoutAContactIs400NamingIt) {
    deliver("INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa1\r\n"
            "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n"
            "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
            5070);
    auto refused = parsed(sender_.replies.back());
    EXPECT_EQ(refused.status(), 400);
    EXPECT_EQ(refused.reason(), "Bad Request (Contact: missing header)");
    EXPECT_FALSE(refused.to().tag().empty());
    EXPECT_TRUE(sender_.sent.empty());
    expectIdle();
}

TEST_F(B2buaFlows, OurOwnBranchInViaIs482) {
    invite("bob", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-sb0123\r\n");
    EXPECT_EQ(lastStatusToCaller(), 482);
    EXPECT_FALSE(parsed(sender_.replies.back()).to().tag().empty());
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

// RFC 3261 §15: the caller may BYE its early dialog. Its INVITE still gets a final response
// (487, §15.1.2), the callee a CANCEL, and the call ends when the callee's INVITE does.
TEST_F(B2buaFlows, TheCallersByeOnItsEarlyDialogEndsTheCall) {
    invite("bob");
    auto outbound = parsed(sender_.sent.back());
    respond(outbound, 180);
    const std::string ourTag(parsed(sender_.replies.back()).to().tag());
    deliver(callerRequest("BYE", 2, ourTag), 5070);
    std::vector<int> finals; // to the caller: the BYE's and the INVITE's
    for (const auto& r : sender_.replies)
        if (auto p = parsed(r); p.status() >= 200) finals.push_back(p.status());
    EXPECT_EQ(finals, (std::vector<int>{200, 487}));
    auto cancel = parsed(sender_.sent.back());
    ASSERT_EQ(cancel.method(), "CANCEL");
    respond(cancel, 200);
    respond(outbound, 487);
    expectIdle();
}

// RFC 3261 §9.1: a callee that rang and then went silent (its network gone) never answers our
// CANCEL's INVITE; 64×T1 later the INVITE is given up and the call ends.
TEST_F(B2buaFlows, ACalleeThatNeverAnswersTheCancelDoesNotKeepTheCall) {
    make({.noAnswerTimeout = 5s});
    invite("bob");
    respond(parsed(sender_.sent.back()), 180);
    drain(); // the no-answer timer: 408 to the caller, CANCEL to the callee
    EXPECT_EQ(lastStatusToCaller(), 408);
    EXPECT_EQ(parsed(sender_.sent.back()).method(), "CANCEL");
    for (int i = 0; i < 5; ++i) // 64×T1 is 3.2 s here
        drain();
    expectIdle();
}

} // namespace
} // namespace sb::sip
