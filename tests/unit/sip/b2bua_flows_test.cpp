// Call flows through the B2BUA that the interop tests cannot stage with sipp: refusals (483,
// 482, 420, 503, 404), the 200 that crosses a CANCEL, and a second fork answering. Virtual
// time, a recording sender, messages parsed back to assert on.
#include "sip/b2bua.hpp"
#include "support/recording_sender.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;
using Clock = net::TimerWheel::Clock;

using Recorder = test::RecordingSender;
using test::parsed;

class B2buaFlows : public ::testing::Test {
protected:
    B2buaFlows() : wheel_([this] { return now_; }, 10ms) { make({}); }

    void make(CallLimits limits) {
        B2buaOptions o;
        o.timers.t1 = 50ms;
        o.limits = limits;
        o.limits.sessionExpiresS = 0;
        o.routes = RouteTable::make({{"^bob$", "", "sip:bob@127.0.0.1:5090", "", {}}}).value();
        o.listeners = {{Transport::udp, asio::ip::make_address("127.0.0.1"), 5060}};
        b2bua_.emplace(wheel_, sender_, std::move(o));
    }

    // The caller's INVITE, from 127.0.0.1:5070.
    void invite(std::string_view user = "bob", std::string_view extra = "",
                std::string_view branch = "z9hG4bKa1", std::string_view callId = "c1") {
        deliver(fmt::format("INVITE sip:{}@127.0.0.1:5060 SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch={}\r\n"
                            "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\nTo: <sip:{}@127.0.0.1>\r\n"
                            "Call-ID: {}\r\nCSeq: 1 INVITE\r\n"
                            "Contact: <sip:alice@127.0.0.1:5070>\r\n{}Content-Length: 0\r\n\r\n",
                            user, branch, user, callId, extra),
                5070);
    }
    void cancel() {
        deliver("CANCEL sip:bob@127.0.0.1:5060 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa1\r\n"
                "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n"
                "Call-ID: c1\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n",
                5070);
    }
    // The callee's response to `request`, with its To tag.
    void respond(const Message& request, int status, std::string_view tag = "b1") {
        std::string text = fmt::format("SIP/2.0 {} Whatever\r\n", status);
        for (const auto& v : request.vias())
            text += fmt::format("Via: {}\r\n", v.text);
        text += fmt::format("From: {}\r\nTo: {};tag={}\r\nCall-ID: {}\r\nCSeq: {} {}\r\n"
                            "Contact: <sip:bob@127.0.0.1:5090>\r\nContent-Length: 0\r\n\r\n",
                            request.from().text, request.to().text, tag, request.callId(),
                            request.cseq().number, request.cseq().method);
        deliver(text, 5090);
    }
    void deliver(const std::string& text, std::uint16_t port) {
        InboundMessage source{
            "", Transport::udp, asio::ip::make_address("127.0.0.1"), port, {}, 5060, 0};
        b2bua_->receive(parsed(text), source);
    }
    int lastStatusToCaller() { return parsed(sender_.replies.back()).status(); }
    // Every message sent towards the callee, in order, by method.
    std::vector<std::string> methodsToCallee() {
        std::vector<std::string> out;
        for (const auto& m : sender_.sent) {
            auto p = parsed(m);
            out.emplace_back(p.isRequest() ? p.method() : std::to_string(p.status()));
        }
        return out;
    }
    void drain() {
        now_ += 10s;
        wheel_.advance();
    }
    void expectIdle() {
        drain();
        EXPECT_EQ(b2bua_->stats().calls, 0u);
        EXPECT_EQ(b2bua_->stats().dialogs, 0u);
        EXPECT_EQ(b2bua_->transactions().active(), 0u);
    }

    Clock::time_point now_ = Clock::now();
    net::TimerWheel wheel_;
    Recorder sender_;
    std::optional<B2bua> b2bua_;
};

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

} // namespace
} // namespace sb::sip
