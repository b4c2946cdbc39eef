// The transaction layer's timers (RFC 3261 §17, RFC 6026), each driven in virtual time with
// T1 = 100 ms, T2 = 400 ms and T4 = 500 ms: when each retransmission goes, when each state
// ends, and what the transaction user hears.
#include "sip/transaction.hpp"
#include "support/recording_sender.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;
using Clock = net::TimerWheel::Clock;
using test::parsed;

// Records what the layer tells its user.
struct Recorder final : TransactionUser {
    std::vector<std::string> events;
    TransactionId lastServer = 0;
    void onRequest(TransactionId server, const Message& request, const InboundMessage&) override {
        lastServer = server;
        events.push_back(fmt::format("request {}", request.method()));
    }
    void onAck(const Message&, const InboundMessage&) override { events.emplace_back("ack"); }
    void onCancel(TransactionId, const Message&) override { events.emplace_back("cancel"); }
    void onResponse(TransactionId, const Message& response) override {
        events.push_back(fmt::format("response {}", response.status()));
    }
    void onClientFailure(TransactionId, ClientFailure failure) override {
        events.emplace_back(failure == ClientFailure::timeout ? "timeout" : "transport error");
    }
    void onAckTimeout(TransactionId) override { events.emplace_back("ack timeout"); }
};

class Transactions : public testing::Test {
protected:
    Transactions() : wheel_([this] { return now_; }, 10ms) {}

    // Moves virtual time to `offset` after the start.
    void at(std::chrono::milliseconds offset) {
        now_ = start_ + offset;
        wheel_.advance();
    }
    std::string request(std::string_view method, std::string_view branch,
                        std::string_view transport = "UDP") {
        return fmt::format("{} sip:bob@127.0.0.1:5090 SIP/2.0\r\n"
                           "Via: SIP/2.0/{} 127.0.0.1:5060;branch={}\r\n"
                           "From: <sip:alice@127.0.0.1>;tag=f1\r\nTo: <sip:bob@127.0.0.1>\r\n"
                           "Call-ID: tx1\r\nCSeq: 1 {}\r\nMax-Forwards: 70\r\n"
                           "Content-Length: 0\r\n\r\n",
                           method, transport, branch, method);
    }
    // A response to what we sent (the client side).
    void respond(const std::string& sent, int status, std::string_view tag = "t1") {
        auto r = parsed(sent);
        deliver(fmt::format("SIP/2.0 {} Whatever\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag={}\r\n"
                            "Call-ID: {}\r\nCSeq: {} {}\r\nContent-Length: 0\r\n\r\n",
                            status, r.vias()[0].text, r.from().text, r.to().text, tag, r.callId(),
                            r.cseq().number, r.cseq().method));
    }
    TransactionId send(std::string_view method, Transport transport = Transport::udp) {
        auto text = request(method, "z9hG4bK-c1", transport == Transport::udp ? "UDP" : "TCP");
        return layer_.sendRequest(parsed(text),
                                  {transport, asio::ip::make_address("127.0.0.1"), 5090, {}});
    }
    void deliver(const std::string& text, Transport transport = Transport::udp) {
        InboundMessage source{"",   transport, asio::ip::make_address("127.0.0.1"), 5090, {},
                              5060, 0};
        layer_.receive(parsed(text), source);
    }
    // The server side's final response to the request it last passed up.
    void answer(int status) {
        const Message* r = layer_.request(user_.lastServer);
        ASSERT_NE(r, nullptr);
        layer_.respond(user_.lastServer, status,
                       fmt::format("SIP/2.0 {} Whatever\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag=s1\r\n"
                                   "Call-ID: {}\r\nCSeq: {} {}\r\nContent-Length: 0\r\n\r\n",
                                   status, r->vias()[0].text, r->from().text, r->to().text,
                                   r->callId(), r->cseq().number, r->cseq().method));
    }
    std::size_t sent() const { return sender_.sent.size(); }
    std::size_t replies() const { return sender_.replies.size(); }

    Clock::time_point start_ = Clock::now(), now_ = start_;
    net::TimerWheel wheel_;
    test::RecordingSender sender_;
    Recorder user_;
    TransactionLayer layer_{wheel_, sender_, user_, {100ms, 400ms, 500ms}};
};

TEST_F(Transactions, TimerARetransmitsAnInviteDoublingAndTimerBEndsIt) {
    ASSERT_NE(send("INVITE"), 0u);
    EXPECT_EQ(sent(), 1u);
    // §17.1.1.2: again after T1, 2·T1, 4·T1, … (100, 300, 700, 1500, 3100, 6300 ms) …
    for (auto [time, count] : {std::pair{90ms, 1u},
                               {100ms, 2u},
                               {290ms, 2u},
                               {300ms, 3u},
                               {700ms, 4u},
                               {1500ms, 5u},
                               {3100ms, 6u},
                               {6300ms, 7u}}) {
        at(time);
        EXPECT_EQ(sent(), count) << "at " << time.count() << " ms";
    }
    // … until Timer B, 64·T1, reports a timeout.
    EXPECT_TRUE(user_.events.empty());
    at(6400ms);
    EXPECT_EQ(user_.events, std::vector<std::string>{"timeout"});
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, AProvisionalResponseStopsTimersAAndB) {
    send("INVITE");
    respond(sender_.sent[0], 180);
    at(20s);
    EXPECT_EQ(sent(), 1u);
    EXPECT_EQ(user_.events, std::vector<std::string>{"response 180"});
    EXPECT_EQ(layer_.active(), 1u); // Proceeding waits for the final response
}

TEST_F(Transactions, ANonSuccessFinalIsAckedAndTimerDAbsorbsItsRetransmissions) {
    send("INVITE");
    respond(sender_.sent[0], 486);
    ASSERT_EQ(sent(), 2u);
    auto ack = parsed(sender_.sent[1]);
    EXPECT_EQ(ack.method(), "ACK"); // §17.1.1.3: hop by hop, the INVITE's branch
    EXPECT_EQ(ack.vias()[0].branch, "z9hG4bK-c1");
    EXPECT_EQ(ack.to().tag(), "t1");
    // A retransmitted 486 is ACKed again, not passed up, until Timer D (32 s here: 64·T1).
    respond(sender_.sent[0], 486);
    EXPECT_EQ(sent(), 3u);
    EXPECT_EQ(user_.events, std::vector<std::string>{"response 486"});
    at(6300ms);
    EXPECT_EQ(layer_.active(), 1u);
    at(6400ms);
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, ASuccessIsAcceptedAndTimerMPassesUpEveryFurther2xx) {
    send("INVITE");
    respond(sender_.sent[0], 200);
    respond(sender_.sent[0], 200, "fork2"); // RFC 6026 §8.4: a fork's 2xx goes up too
    EXPECT_EQ(user_.events, (std::vector<std::string>{"response 200", "response 200"}));
    EXPECT_EQ(sent(), 1u); // the ACK for a 2xx is the TU's
    at(6300ms);
    EXPECT_EQ(layer_.active(), 1u);
    at(6400ms); // Timer M: 64·T1
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, OverTcpNothingIsRetransmittedButTimerBStillRuns) {
    send("INVITE", Transport::tcp);
    at(6300ms);
    EXPECT_EQ(sent(), 1u);
    at(6400ms);
    EXPECT_EQ(user_.events, std::vector<std::string>{"timeout"});
}

TEST_F(Transactions, TimerERetransmitsUpToT2AndTimerFEndsIt) {
    send("OPTIONS");
    // §17.1.2.2: T1, 2·T1, then every T2 (100, 300, 700, 1100, 1500 ms …).
    for (auto [time, count] :
         {std::pair{100ms, 2u}, {300ms, 3u}, {700ms, 4u}, {1100ms, 5u}, {1500ms, 6u}}) {
        at(time);
        EXPECT_EQ(sent(), count) << "at " << time.count() << " ms";
    }
    at(6300ms);
    EXPECT_TRUE(user_.events.empty());
    at(6400ms); // Timer F: 64·T1
    EXPECT_EQ(user_.events, std::vector<std::string>{"timeout"});
}

TEST_F(Transactions, AfterAProvisionalTimerERetransmitsEveryT2) {
    send("OPTIONS");
    respond(sender_.sent[0], 100);
    at(100ms); // Timer E was due: it goes, and from now on every T2
    EXPECT_EQ(sent(), 2u);
    at(490ms);
    EXPECT_EQ(sent(), 2u);
    at(500ms);
    EXPECT_EQ(sent(), 3u);
}

TEST_F(Transactions, TimerKAbsorbsRetransmittedFinalsForT4) {
    send("OPTIONS");
    respond(sender_.sent[0], 200);
    respond(sender_.sent[0], 200);
    EXPECT_EQ(user_.events, std::vector<std::string>{"response 200"});
    EXPECT_EQ(layer_.stats().retransmissionsAbsorbed, 1u);
    at(490ms);
    EXPECT_EQ(layer_.active(), 1u);
    at(500ms); // Timer K: T4
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, AnInviteServerSends100AtOnceAndAnswersARetransmissionWithIt) {
    deliver(request("INVITE", "z9hG4bK-s1"));
    ASSERT_EQ(replies(), 1u);
    EXPECT_EQ(parsed(sender_.replies[0]).status(), 100); // §17.2.1
    deliver(request("INVITE", "z9hG4bK-s1"));
    EXPECT_EQ(replies(), 2u);
    EXPECT_EQ(user_.events, std::vector<std::string>{"request INVITE"});
}

// §8.2.2.2: the same request (Call-ID, From tag, CSeq) on a second branch while the first is
// ongoing came by two paths: 482, with a To tag, and the TU sees it once. A later CSeq is new.
TEST_F(Transactions, AMergedRequestIs482) {
    deliver(request("INVITE", "z9hG4bK-s1"));
    deliver(request("INVITE", "z9hG4bK-s2"));
    auto refused = parsed(sender_.replies.back());
    EXPECT_EQ(refused.status(), 482);
    EXPECT_FALSE(refused.to().tag().empty());
    EXPECT_EQ(layer_.stats().mergedRefused, 1u);
    EXPECT_EQ(user_.events, std::vector<std::string>{"request INVITE"});
    // Once we refused it, the same request may come again (a proxy's failure route): taken.
    answer(486);
    deliver(request("INVITE", "z9hG4bK-s3"));
    EXPECT_EQ(user_.events.size(), 2u);
    auto later = request("INVITE", "z9hG4bK-s4");
    later.replace(later.find("CSeq: 1"), 7, "CSeq: 2");
    deliver(later);
    EXPECT_EQ(user_.events.size(), 3u);
    EXPECT_EQ(layer_.stats().mergedRefused, 1u);
}

// §18.2.2: a response whose connection has closed goes over a new one to the address the
// request came from, at the port of its Via's sent-by (5060 here; the request came from 5090).
TEST_F(Transactions, AResponseWhoseConnectionHasClosedGoesToTheViasSentByPort) {
    deliver(request("OPTIONS", "z9hG4bK-s1", "TCP"), Transport::tcp);
    sender_.disconnected = true;
    answer(200);
    ASSERT_EQ(sent(), 1u);
    EXPECT_EQ(parsed(sender_.sent[0]).status(), 200);
    EXPECT_EQ(sender_.destinations[0].transport, Transport::tcp);
    EXPECT_EQ(sender_.destinations[0].address, asio::ip::make_address("127.0.0.1"));
    EXPECT_EQ(sender_.destinations[0].port, 5060);
}

// §18.2.2 over UDP: to the request's source address at its Via's sent-by port (the request
// came from 5090, its Via says 5060), unless the Via asks for the source port (rport, RFC 3581).
TEST_F(Transactions, AUdpResponseGoesToTheSentByPortUnlessTheViaHasRport) {
    deliver(request("OPTIONS", "z9hG4bK-s1"));
    answer(200);
    ASSERT_EQ(sender_.replyPorts.size(), 1u);
    EXPECT_EQ(sender_.replyPorts.back(), 5060);
    auto symmetric = request("OPTIONS", "z9hG4bK-s2");
    symmetric.replace(symmetric.find(";branch"), 0, ";rport");
    symmetric.replace(symmetric.find("CSeq: 1"), 7, "CSeq: 2"); // a new request, not a merged one
    deliver(symmetric);
    answer(200);
    ASSERT_EQ(sender_.replyPorts.size(), 2u);
    EXPECT_EQ(sender_.replyPorts.back(), 5090);
    // A sent-by that is not where the request came from (a NAT): where it came from.
    auto natted = request("OPTIONS", "z9hG4bK-s3");
    natted.replace(natted.find("127.0.0.1:5060;branch"), 9, "192.168.1.20");
    natted.replace(natted.find("CSeq: 1"), 7, "CSeq: 3");
    deliver(natted);
    answer(200);
    ASSERT_EQ(sender_.replyPorts.size(), 3u);
    EXPECT_EQ(sender_.replyPorts.back(), 5090);
}

// §18.2.1 and RFC 3581 §4: the top Via of our responses says where the request came from.
TEST_F(Transactions, OurResponsesTopViaSaysWhereTheRequestCameFrom) {
    auto natted = request("INVITE", "z9hG4bK-s1");
    natted.replace(natted.find("127.0.0.1:5060;branch"), 15, "192.168.1.20:5062;rport;");
    deliver(natted);
    EXPECT_EQ(parsed(sender_.replies.back()).vias().front().text,
              "SIP/2.0/UDP 192.168.1.20:5062;rport=5090;branch=z9hG4bK-s1;received=127.0.0.1");
    answer(486); // the final too (100 Trying was the first)
    EXPECT_EQ(parsed(sender_.replies.back()).vias().front().text,
              "SIP/2.0/UDP 192.168.1.20:5062;rport=5090;branch=z9hG4bK-s1;received=127.0.0.1");
    deliver(request("OPTIONS", "z9hG4bK-s2")); // from where its Via says: as it came
    answer(200);
    EXPECT_EQ(parsed(sender_.replies.back()).vias().front().text,
              "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-s2");
    // rport in any case; a received of the client's own is replaced by ours.
    auto odd = request("OPTIONS", "z9hG4bK-s3");
    odd.replace(odd.find("127.0.0.1:5060;branch"), 15, "pc.example;RPORT;received=9.9.9.9;");
    odd.replace(odd.find("CSeq: 1"), 7, "CSeq: 3");
    deliver(odd);
    answer(200);
    EXPECT_EQ(parsed(sender_.replies.back()).vias().front().text,
              "SIP/2.0/UDP pc.example;rport=5090;branch=z9hG4bK-s3;received=127.0.0.1");
}

TEST_F(Transactions, TimerGRetransmitsANonSuccessFinalUntilTheAckAndTimerIEndsIt) {
    deliver(request("INVITE", "z9hG4bK-s1"));
    answer(486);
    EXPECT_EQ(replies(), 2u);
    // §17.2.1: Timer G at T1, 2·T1, then T2 (100, 300, 700 ms).
    at(100ms);
    EXPECT_EQ(replies(), 3u);
    at(300ms);
    EXPECT_EQ(replies(), 4u);
    at(700ms);
    EXPECT_EQ(replies(), 5u);
    deliver(request("ACK", "z9hG4bK-s1")); // the ACK for a non-2xx belongs to the transaction
    EXPECT_EQ(user_.events, std::vector<std::string>{"request INVITE"});
    at(1100ms);
    EXPECT_EQ(replies(), 5u);
    EXPECT_EQ(layer_.active(), 1u); // Confirmed absorbs further ACKs …
    at(1190ms);
    EXPECT_EQ(layer_.active(), 1u);
    at(1200ms); // … until Timer I (T4 after the ACK)
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, TimerHGivesUpOnAnAckThatNeverComes) {
    deliver(request("INVITE", "z9hG4bK-s1"));
    answer(486);
    at(6300ms);
    EXPECT_EQ(layer_.active(), 1u);
    at(6400ms); // Timer H: 64·T1
    EXPECT_EQ(layer_.active(), 0u);
    EXPECT_EQ(layer_.stats().ackTimeouts, 1u);
}

TEST_F(Transactions, A2xxIsRetransmittedUntilTheTuSeesItsAckElseTimerLReportsIt) {
    deliver(request("INVITE", "z9hG4bK-s1"));
    answer(200);
    at(100ms);
    EXPECT_EQ(replies(), 3u); // §13.3.1.4: the 2xx again after T1
    const TransactionId server = user_.lastServer;
    layer_.ackReceived(server);
    at(6300ms);
    EXPECT_EQ(replies(), 3u);
    EXPECT_EQ(layer_.active(), 1u); // RFC 6026 Accepted: retransmitted INVITEs absorbed
    at(6400ms);
    EXPECT_EQ(layer_.active(), 0u);
    EXPECT_TRUE(std::find(user_.events.begin(), user_.events.end(), "ack timeout") ==
                user_.events.end());

    deliver(request("INVITE", "z9hG4bK-s2"));
    answer(200);
    at(12900ms); // no ACK: Timer L (64·T1) ends it and tells the TU
    EXPECT_EQ(user_.events.back(), "ack timeout");
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, TimerJAnswersARetransmittedRequestWithTheSameFinal) {
    deliver(request("OPTIONS", "z9hG4bK-s1"));
    answer(200);
    deliver(request("OPTIONS", "z9hG4bK-s1"));
    EXPECT_EQ(replies(), 2u);
    EXPECT_EQ(sender_.replies[0], sender_.replies[1]);
    EXPECT_EQ(user_.events, std::vector<std::string>{"request OPTIONS"});
    at(6300ms);
    EXPECT_EQ(layer_.active(), 1u);
    at(6400ms); // Timer J: 64·T1 over UDP
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, ACancelWaitsForAProvisionalResponse) {
    const TransactionId invite = send("INVITE");
    EXPECT_EQ(layer_.cancel(invite), 0u); // §9.1: not before a provisional response
    EXPECT_EQ(sent(), 1u);
    respond(sender_.sent[0], 180);
    ASSERT_EQ(sent(), 2u);
    auto cancel = parsed(sender_.sent[1]);
    EXPECT_EQ(cancel.method(), "CANCEL");
    EXPECT_EQ(cancel.vias()[0].branch, "z9hG4bK-c1"); // the INVITE's branch
}

TEST_F(Transactions, AFailedConnectionFailsTheTransactionsWaitingOnIt) {
    send("INVITE", Transport::tcp);
    layer_.transportFailed(Transport::tcp, asio::ip::make_address("127.0.0.1"), 5090);
    EXPECT_TRUE(user_.events.empty()); // reported on the next tick, outside the caller's stack
    at(10ms);
    EXPECT_EQ(user_.events, std::vector<std::string>{"transport error"});
    EXPECT_EQ(layer_.active(), 0u);
}

TEST_F(Transactions, AnRfc2543RequestIsMatchedWithoutAMagicCookie) {
    // §17.2.3: no z9hG4bK branch: matched by Request-URI, tags, Call-ID, CSeq and top Via.
    deliver(request("OPTIONS", "old1"));
    deliver(request("OPTIONS", "old1"));
    EXPECT_EQ(user_.events, std::vector<std::string>{"request OPTIONS"});
    EXPECT_EQ(layer_.stats().retransmissionsAbsorbed, 1u);
}

} // namespace
} // namespace sb::sip
