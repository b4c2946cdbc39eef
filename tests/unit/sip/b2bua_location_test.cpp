// Calls routed to names (RFC 3263): the B2BUA's INVITE waits for DNS, goes to the first server,
// and moves on to the next on a 503 or a timeout (§4.3); a call cancelled while DNS looks, or
// to a name DNS does not know, ends cleanly. DNS answers from memory.
#include "support/b2bua_harness.hpp"
#include "support/memory_dns.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;
using test::parsed;

class B2buaLocation : public test::B2buaHarness {
protected:
    B2buaLocation() {
        make({}, [this](B2buaOptions& o) {
            o.dns = &dns_;
            o.routes =
                RouteTable::make({{"^bob$", "", "sip:bob@callee.example", "", {}, "", ""}}).value();
        });
        dns_.srvs["_sip._udp.callee.example"] = {{10, 0, 5090, "one.callee.example"},
                                                 {20, 0, 5091, "two.callee.example"}};
        dns_.hosts["one.callee.example"] = {{asio::ip::make_address("127.0.0.2")}, 60s};
        dns_.hosts["two.callee.example"] = {{asio::ip::make_address("127.0.0.3")}, 60s};
    }
    std::string where(std::size_t sent) {
        const auto& d = sender_.destinations.at(sent);
        return fmt::format("{}:{}", d.address.to_string(), d.port);
    }

    test::MemoryDns dns_;
};

TEST_F(B2buaLocation, TheInviteGoesToTheFirstServerOnceDnsHasAnswered) {
    invite();
    EXPECT_TRUE(sender_.sent.empty());
    EXPECT_EQ(lastStatusToCaller(), 100);
    dns_.deliver();
    ASSERT_EQ(sender_.sent.size(), 1u);
    auto outbound = parsed(sender_.sent[0]);
    EXPECT_EQ(outbound.method(), "INVITE");
    EXPECT_EQ(outbound.requestUri().text, "sip:bob@callee.example");
    EXPECT_EQ(where(0), "127.0.0.2:5090");
    respond(outbound, 200);
    EXPECT_EQ(lastStatusToCaller(), 200);
    EXPECT_EQ(b2bua_->stats().callsAnswered, 1u);
}

TEST_F(B2buaLocation, A503MovesTheInviteToTheNextServer) {
    invite();
    dns_.deliver();
    auto first = parsed(sender_.sent.back());
    respond(first, 503);
    // The 503 is ACKed (§17.1.1.3), and the INVITE goes again as a new transaction.
    ASSERT_EQ(sender_.sent.size(), 3u);
    EXPECT_EQ(parsed(sender_.sent[1]).method(), "ACK");
    auto second = parsed(sender_.sent[2]);
    EXPECT_EQ(second.method(), "INVITE");
    EXPECT_EQ(where(2), "127.0.0.3:5091");
    EXPECT_NE(second.vias().front().branch, first.vias().front().branch);
    EXPECT_EQ(second.cseq().number, first.cseq().number + 1);
    EXPECT_EQ(second.callId(), first.callId());
    respond(second, 200, "b2");
    EXPECT_EQ(lastStatusToCaller(), 200);
    EXPECT_EQ(b2bua_->stats().failovers, 1u);
}

TEST_F(B2buaLocation, AServerThatNeverAnswersIsLeftAfterTimerB) {
    invite();
    dns_.deliver();
    now_ += 3500ms; // Timer B: 64 × T1 = 3.2 s
    wheel_.advance();
    ASSERT_FALSE(sender_.sent.empty());
    EXPECT_EQ(parsed(sender_.sent.back()).method(), "INVITE");
    EXPECT_EQ(where(sender_.sent.size() - 1), "127.0.0.3:5091");
    EXPECT_EQ(b2bua_->stats().failovers, 1u);
    // When the last server fails too, the caller hears the timeout.
    now_ += 3500ms;
    wheel_.advance();
    EXPECT_EQ(lastStatusToCaller(), 408);
    expectIdle();
}

TEST_F(B2buaLocation, ACallCancelledWhileDnsLooksEndsAndSendsNothing) {
    invite();
    cancel();
    EXPECT_EQ(lastStatusToCaller(), 487);
    EXPECT_EQ(b2bua_->stats().calls, 0u);
    dns_.deliver();
    EXPECT_TRUE(sender_.sent.empty());
    expectIdle();
}

TEST_F(B2buaLocation, ANameDnsDoesNotKnowIs502NamingIt) {
    dns_.srvs.clear();
    invite();
    dns_.deliver();
    auto answer = parsed(sender_.replies.back());
    EXPECT_EQ(answer.status(), 502);
    EXPECT_NE(answer.reason().find("callee.example"), std::string_view::npos) << answer.reason();
    EXPECT_TRUE(sender_.sent.empty());
    expectIdle();
}

TEST_F(B2buaLocation, APlacedCallToANameRingsOnceDnsHasAnswered) {
    std::vector<OutboundCallEvent> events;
    auto observe = [&](std::uint64_t, const OutboundCallEvent& e) { events.push_back(e); };
    OutboundCallSpec spec;
    spec.target = "sip:expert@callee.example";
    auto placed = b2bua_->placeCall(spec, observe);
    ASSERT_TRUE(placed) << placed.error().message;
    spec.target = "sip:expert@nowhere.example";
    auto lost = b2bua_->placeCall(spec, observe);
    ASSERT_TRUE(lost) << lost.error().message;
    EXPECT_TRUE(sender_.sent.empty());
    dns_.deliver();
    ASSERT_EQ(sender_.sent.size(), 1u);
    EXPECT_EQ(where(0), "127.0.0.2:5090");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, OutboundCallEvent::Kind::ended);
    EXPECT_EQ(events[0].status, 502);
    respond(parsed(sender_.sent[0]), 486);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[1].status, 486);
    expectIdle();
}

} // namespace
} // namespace sb::sip
