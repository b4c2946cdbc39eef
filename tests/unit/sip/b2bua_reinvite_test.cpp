// Offer/answer across an established call through the B2BUA: re-INVITE glare (491), a re-INVITE
// without an offer (the offer comes in the 200, the answer in the ACK), and our own session
// refresh by re-INVITE backing off after a 491 as RFC 3261 §14.1 says.
#include "support/b2bua_harness.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;
using test::parsed;

constexpr std::string_view kOfferB = "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
constexpr std::string_view kAnswerA = "v=0\r\no=a 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

class B2buaReinvite : public test::B2buaHarness {
protected:
    // A call answered by the callee (with `calleeHeaders` in its 200) and ACKed by the caller.
    void confirm(std::string_view calleeHeaders = {}, std::string_view callerHeaders = {}) {
        invite("bob", callerHeaders);
        bInvite_ = parsed(sender_.sent.back());
        respond(*bInvite_, 200, "b1", calleeHeaders, kOfferB);
        auto ok = parsed(sender_.replies.back());
        ASSERT_EQ(ok.status(), 200);
        aTag_ = ok.to().tag();
        deliver(fromCaller("ACK", 1), 5070);
    }
    std::string fromCaller(std::string_view method, int cseq, std::string_view sdp = {}) {
        return callerRequest(method, cseq, aTag_, sdp);
    }
    std::string fromCallee(std::string_view method, int cseq, std::string_view sdp = {}) {
        return fmt::format("{} sip:switchboard@127.0.0.1:5060 SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKb-{}\r\n"
                           "From: {};tag=b1\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {} {}\r\n"
                           "Contact: <sip:bob@127.0.0.1:5090>\r\nMax-Forwards: 70\r\n",
                           method, cseq, bInvite_->to().text, bInvite_->from().text,
                           bInvite_->callId(), cseq, method) +
               body(sdp);
    }
    // What the B2BUA sent on the callee's leg, oldest first.
    std::vector<Message> towardsCallee() {
        std::vector<Message> out;
        for (const auto& m : sender_.sent)
            if (auto p = parsed(m); p.callId() == bInvite_->callId()) out.push_back(std::move(p));
        return out;
    }

    Message lastTowardsCallee() {
        auto all = towardsCallee();
        EXPECT_FALSE(all.empty());
        return std::move(all.back());
    }

    std::optional<Message> bInvite_;
    std::string aTag_;
};

TEST_F(B2buaReinvite, GlareTheCalleesReinviteGets491WhileTheCallersIsPending) {
    confirm();
    deliver(fromCaller("INVITE", 2, kAnswerA), 5070);
    auto relayed = lastTowardsCallee();
    ASSERT_EQ(relayed.method(), "INVITE");
    EXPECT_EQ(relayed.body(), kAnswerA);
    // §14.2: the callee's own re-INVITE crosses ours; it gets 491 and must back off.
    deliver(fromCallee("INVITE", 101, kOfferB), 5090);
    auto glare = parsed(sender_.replies.back());
    EXPECT_EQ(glare.status(), 491);
    EXPECT_EQ(glare.cseq().number, 101u);
    // Ours completes normally: the callee's 200 reaches the caller, the caller's ACK the callee.
    respond(relayed, 200, "b1", {}, kOfferB);
    auto ok = parsed(sender_.replies.back());
    EXPECT_EQ(ok.status(), 200);
    EXPECT_EQ(ok.cseq().number, 2u);
    deliver(fromCaller("ACK", 2), 5070);
    EXPECT_EQ(towardsCallee().back().method(), "ACK");
    // The callee's retry, after its back-off, goes through.
    deliver(fromCallee("INVITE", 102, kOfferB), 5090);
    auto toCaller = parsed(sender_.sent.back());
    EXPECT_EQ(toCaller.method(), "INVITE");
    EXPECT_EQ(toCaller.callId(), "c1");
}

TEST_F(B2buaReinvite, AReinviteWithoutOfferTakesTheOfferFromThe200AndTheAnswerFromTheAck) {
    confirm();
    deliver(fromCaller("INVITE", 2), 5070);
    auto relayed = lastTowardsCallee();
    ASSERT_EQ(relayed.method(), "INVITE");
    EXPECT_TRUE(relayed.body().empty());
    respond(relayed, 200, "b1", {}, kOfferB); // RFC 3264 §4: the offer is in the 200
    auto ok = parsed(sender_.replies.back());
    EXPECT_EQ(ok.status(), 200);
    EXPECT_EQ(ok.body(), kOfferB);
    deliver(fromCaller("ACK", 2, kAnswerA), 5070); // … and the answer in the ACK
    auto ack = lastTowardsCallee();
    EXPECT_EQ(ack.method(), "ACK");
    EXPECT_EQ(ack.cseq().number, relayed.cseq().number);
    EXPECT_EQ(ack.body(), kAnswerA);
}

TEST_F(B2buaReinvite, OurSessionRefreshByReinviteBacksOffAfter491) {
    make({}, [](B2buaOptions& o) {
        o.limits.sessionExpiresS = 90;
        o.limits.minSessionExpiresS = 90;
    });
    // The callee takes session timers, leaves refreshing to us, and does not allow UPDATE: we
    // refresh with a re-INVITE every half interval (RFC 4028 §10). The caller refreshes its own
    // leg, so that only leg B is ours to refresh.
    confirm("Session-Expires: 90;refresher=uac\r\nRequire: timer\r\nAllow: INVITE, ACK, BYE\r\n",
            "Supported: timer\r\nSession-Expires: 90;refresher=uac\r\n");
    const auto before = towardsCallee().size();
    now_ += 44s;
    wheel_.advance();
    EXPECT_EQ(towardsCallee().size(), before);
    now_ += 1s;
    wheel_.advance();
    auto sent = towardsCallee();
    ASSERT_EQ(sent.size(), before + 1);
    auto refresh = std::move(sent.back());
    ASSERT_EQ(refresh.method(), "INVITE");
    EXPECT_TRUE(refresh.header(HeaderId::session_expires));

    respond(refresh, 491);
    ASSERT_EQ(towardsCallee().back().method(), "ACK"); // the transaction's ACK of the 491
    const auto afterAck = towardsCallee().size();
    // §14.1: we chose leg B's Call-ID, so we wait 2.1 to 4 s before trying again.
    now_ += 2090ms;
    wheel_.advance();
    EXPECT_EQ(towardsCallee().size(), afterAck);
    now_ += 1920ms;
    wheel_.advance();
    auto later = towardsCallee(); // the retry, and its own retransmissions (Timer A)
    ASSERT_GT(later.size(), afterAck);
    auto retry = std::move(later[afterAck]);
    EXPECT_EQ(retry.method(), "INVITE");
    EXPECT_EQ(retry.cseq().number, refresh.cseq().number + 1);
    respond(retry, 200, "b1", "Session-Expires: 90;refresher=uac\r\n", kOfferB);
    EXPECT_EQ(towardsCallee().back().method(), "ACK");
    EXPECT_EQ(b2bua_->stats().calls, 1u); // the call lives on
}

// RFC 4028 §7.4: a callee's 2xx may not name an interval under the Min-SE we sent. One that
// says "Session-Expires: 1" is held to our 90 s, not refreshed every 10-ms tick.
TEST_F(B2buaReinvite, ACalleesIntervalUnderOurMinSeIsRaisedToIt) {
    make({}, [](B2buaOptions& o) {
        o.limits.sessionExpiresS = 1800;
        o.limits.minSessionExpiresS = 90;
    });
    confirm("Session-Expires: 1;refresher=uac\r\nRequire: timer\r\nAllow: INVITE, ACK, BYE\r\n",
            "Supported: timer\r\nSession-Expires: 1800;refresher=uac\r\n");
    const auto before = towardsCallee().size();
    now_ += 44s;
    wheel_.advance();
    EXPECT_EQ(towardsCallee().size(), before) << "no refresh before half of 90 s";
    now_ += 1s;
    wheel_.advance();
    ASSERT_EQ(towardsCallee().size(), before + 1);
    EXPECT_EQ(towardsCallee().back().method(), "INVITE");
}

// RFC 5589 §6: the transferor may hang up as soon as its REFER is accepted. The transfer goes
// on: the target is called and takes the transferor's place; no NOTIFY goes to the dialog
// that ended, and the transferee is not hung up.
TEST_F(B2buaReinvite, ATransferGoesOnWhenTheTransferorHangsUpAfterThe202) {
    confirm();
    std::string refer = fromCallee("REFER", 1);
    refer.insert(refer.find("Content-Length"), "Refer-To: <sip:bob@127.0.0.1>\r\n");
    deliver(refer, 5090);
    EXPECT_EQ(parsed(sender_.replies.back()).status(), 202);
    const auto sentBefore = sender_.sent.size();
    deliver(fromCallee("BYE", 2), 5090); // the transferor leaves at once
    EXPECT_EQ(parsed(sender_.replies.back()).status(), 200);
    // Our requests since: none to the caller (no BYE to the transferee).
    for (auto i = sentBefore; i < sender_.sent.size(); ++i)
        EXPECT_NE(parsed(sender_.sent[i]).callId(), "c1") << sender_.sent[i];
    // The target: an INVITE without an offer (it was sent on the 202), answered with one.
    std::optional<Message> target;
    for (const auto& m : sender_.sent)
        if (auto p = parsed(m); p.isRequest() && p.method() == "INVITE" && p.callId() != "c1" &&
                                p.callId() != bInvite_->callId())
            target = std::move(p);
    ASSERT_TRUE(target);
    // The transferee's keep-alive meanwhile is answered for the side that left (its dialog
    // would say 481, which would end the transferee's).
    deliver(fromCaller("OPTIONS", 2), 5070);
    EXPECT_EQ(lastStatusToCaller(), 200);
    respond(*target, 200, "c1tag", {}, kOfferB);
    // The transferee gets the target's offer in a re-INVITE, and answers it.
    auto reinvite = parsed(sender_.sent.back());
    ASSERT_EQ(reinvite.method(), "INVITE");
    ASSERT_EQ(reinvite.callId(), "c1");
    respond(reinvite, 200, "a1", {}, kAnswerA);
    int notifies = 0;
    for (const auto& m : towardsCallee())
        if (m.isRequest() && m.method() == "NOTIFY") ++notifies;
    EXPECT_EQ(notifies, 1) << "the 100 Trying alone: none to the dialog that ended";
    EXPECT_EQ(b2bua_->stats().calls, 1u); // the caller now speaks with the target
    // The caller hangs up: the BYE goes to the target.
    deliver(fromCaller("BYE", 3), 5070);
    auto bye = parsed(sender_.sent.back());
    EXPECT_EQ(bye.method(), "BYE");
    EXPECT_EQ(bye.callId(), target->callId());
    respond(bye, 200, "c1tag");
    expectIdle();
}

// A relayed re-INVITE that the callee answers only with 100 Trying: the caller's BYE ends the
// call all the same (the re-INVITE is cancelled, §9.1, and given up 64×T1 later), and the
// caller's re-INVITE gets its final response.
TEST_F(B2buaReinvite, AReinviteLeftProvisionalDoesNotKeepAnEndedCall) {
    confirm();
    deliver(fromCaller("INVITE", 2, kAnswerA), 5070);
    auto relayed = lastTowardsCallee();
    ASSERT_EQ(relayed.method(), "INVITE");
    respond(relayed, 100);
    deliver(fromCaller("BYE", 3), 5070);
    std::vector<std::string> methods;
    for (const auto& m : towardsCallee())
        if (m.isRequest()) methods.emplace_back(m.method());
    EXPECT_EQ(methods, (std::vector<std::string>{"INVITE", "ACK", "INVITE", "CANCEL", "BYE"}));
    for (int i = 0; i < 10; ++i) // the callee answers nothing more
        drain();
    bool reinviteAnswered = false;
    for (const auto& r : sender_.replies)
        if (auto p = parsed(r); p.cseq().number == 2 && p.status() >= 300) reinviteAnswered = true;
    EXPECT_TRUE(reinviteAnswered);
    expectIdle();
}

// The same re-INVITE while the call goes on: cancelled after a proxy's Timer C (over three
// minutes, §16.6), so that the call's next offer is not refused for ever (491).
TEST_F(B2buaReinvite, AReinviteLeftProvisionalIsCancelledAfterTimerC) {
    confirm();
    deliver(fromCaller("INVITE", 2, kAnswerA), 5070);
    auto relayed = lastTowardsCallee();
    respond(relayed, 100);
    for (int i = 0; i < 17; ++i) // 170 s
        drain();
    EXPECT_EQ(lastTowardsCallee().method(), "INVITE");
    for (int i = 0; i < 2; ++i) // 190 s
        drain();
    auto cancel = lastTowardsCallee();
    EXPECT_EQ(cancel.method(), "CANCEL");
    EXPECT_EQ(cancel.cseq().number, relayed.cseq().number);
    respond(relayed, 487);
    EXPECT_EQ(lastStatusToCaller(), 487);
    EXPECT_EQ(b2bua_->stats().calls, 1u); // the call lives on
}

// §9.2 for a re-INVITE: the caller's CANCEL is passed on to the callee (once it has sent a
// provisional, §9.1), and the callee's 487 reaches the caller; the call goes on.
TEST_F(B2buaReinvite, ACancelledReInviteIsCancelledTowardsTheCallee) {
    confirm();
    deliver(fromCaller("INVITE", 2, kAnswerA), 5070);
    auto relayed = lastTowardsCallee();
    respond(relayed, 180);
    deliver(fromCaller("CANCEL", 2), 5070);
    EXPECT_EQ(lastStatusToCaller(), 200); // the CANCEL's own answer
    auto cancel = lastTowardsCallee();
    EXPECT_EQ(cancel.method(), "CANCEL");
    EXPECT_EQ(cancel.cseq().number, relayed.cseq().number);
    respond(relayed, 487);
    EXPECT_EQ(lastStatusToCaller(), 487);
    EXPECT_EQ(b2bua_->stats().calls, 1u);
}

// §16.7 step 2: a provisional response other than 100 starts Timer C again (the far end is
// alive and still working on it).
TEST_F(B2buaReinvite, AProvisionalOtherThan100StartsTimerCAgain) {
    confirm();
    deliver(fromCaller("INVITE", 2, kAnswerA), 5070);
    auto relayed = lastTowardsCallee();
    respond(relayed, 100);
    for (int i = 0; i < 17; ++i) // 170 s
        drain();
    respond(relayed, 183);
    for (int i = 0; i < 17; ++i) // 340 s: 170 s since the 183
        drain();
    EXPECT_EQ(lastTowardsCallee().method(), "INVITE") << "no CANCEL yet";
    for (int i = 0; i < 2; ++i)
        drain();
    EXPECT_EQ(lastTowardsCallee().method(), "CANCEL");
}

// RFC 3261 §18.1.1 and §12.2.1.1: a caller over TCP is reached over the connection its INVITE
// came on while that is open, and at its route set's first hop once it has closed (its source
// port is no one's listener).
class B2buaCallerOverTcp : public B2buaReinvite {
protected:
    static constexpr std::string_view kRecordRoute =
        "Record-Route: <sip:127.0.0.1:5080;transport=tcp;lr>\r\n";
    // The BYE the callee's hang-up makes towards the caller (once the caller's connection has
    // closed, if told), and where it went.
    std::pair<Message, Destination> byeTowardsCaller(bool connectionClosed) {
        callerTransport_ = Transport::tcp;
        confirm({}, kRecordRoute);
        sender_.disconnected = connectionClosed;
        deliver(fromCallee("BYE", 2), 5090);
        auto bye = parsed(sender_.sent.back());
        EXPECT_EQ(bye.method(), "BYE");
        EXPECT_EQ(bye.callId(), "c1");
        return {std::move(bye), sender_.destinations.back()};
    }
};

TEST_F(B2buaCallerOverTcp, RequestsGoOverTheCallersConnectionWhileItIsOpen) {
    const auto [bye, to] = byeTowardsCaller(false);
    EXPECT_EQ(to.transport, Transport::tcp);
    EXPECT_EQ(to.port, 5070);
}

TEST_F(B2buaCallerOverTcp, RequestsGoToTheRouteSetOnceTheConnectionHasClosed) {
    const auto [bye, to] = byeTowardsCaller(true);
    EXPECT_EQ(to.transport, Transport::tcp);
    EXPECT_EQ(to.address, asio::ip::make_address("127.0.0.1"));
    EXPECT_EQ(to.port, 5080);
    EXPECT_EQ(bye.header(HeaderId::route), "<sip:127.0.0.1:5080;transport=tcp;lr>");
}

// §12.2.1.1 over UDP: a caller's requests go to its Contact (through a proxy that does not
// record-route, the INVITE's source is the proxy); a caller that sent its INVITE straight to us
// from an address its Contact does not name is behind a NAT, and reached where it came from.
class B2buaCallerOverUdp : public B2buaReinvite {
protected:
    // Where the BYE of the callee's hang-up goes to the caller, whose INVITE (from
    // 127.0.0.1:5070) had these Via lines and this Contact.
    Destination byeTowardsCaller(std::string_view vias, std::string_view contact) {
        deliver(fmt::format("INVITE sip:bob@127.0.0.1:5060 SIP/2.0\r\n{}"
                            "From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n"
                            "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContact: {}\r\n",
                            vias, contact) +
                    body({}),
                5070);
        bInvite_ = parsed(sender_.sent.back());
        respond(*bInvite_, 200, "b1", {}, kOfferB);
        EXPECT_EQ(lastStatusToCaller(), 200);
        deliver(fromCallee("BYE", 2), 5090);
        EXPECT_EQ(parsed(sender_.sent.back()).method(), "BYE");
        return sender_.destinations.back();
    }
};

TEST_F(B2buaCallerOverUdp, RequestsGoToTheContactOfACallerBehindAProxy) {
    const auto to = byeTowardsCaller("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKp1\r\n"
                                     "Via: SIP/2.0/UDP 127.0.0.1:5072;branch=z9hG4bKa1\r\n",
                                     "<sip:alice@127.0.0.1:5072>");
    EXPECT_EQ(to.address, asio::ip::make_address("127.0.0.1"));
    EXPECT_EQ(to.port, 5072);
}

TEST_F(B2buaCallerOverUdp, RequestsGoWhereTheInviteCameFromForACallerBehindANat) {
    const auto to = byeTowardsCaller("Via: SIP/2.0/UDP 192.168.1.20:5062;branch=z9hG4bKa1\r\n",
                                     "<sip:alice@192.168.1.20:5062>");
    EXPECT_EQ(to.address, asio::ip::make_address("127.0.0.1"));
    EXPECT_EQ(to.port, 5070);
}

// §12.2.2: a target refresh moves the next hop of a leg without a route set.
TEST_F(B2buaReinvite, ACalleesNewContactIsWhereItsNextRequestGoes) {
    confirm();
    EXPECT_EQ(sender_.destinations.back().port, 5090); // the ACK
    deliver(fromCaller("INVITE", 2, kAnswerA), 5070);
    calleeContact_ = "<sip:bob@127.0.0.1:5091>";
    respond(lastTowardsCallee(), 200, "b1", {}, kOfferB);
    deliver(fromCaller("ACK", 2), 5070);
    EXPECT_EQ(lastTowardsCallee().method(), "ACK");
    EXPECT_EQ(sender_.destinations.back().port, 5091);
    deliver(fromCaller("BYE", 3), 5070);
    EXPECT_EQ(lastTowardsCallee().method(), "BYE");
    EXPECT_EQ(sender_.destinations.back().port, 5091);
}

} // namespace
} // namespace sb::sip
