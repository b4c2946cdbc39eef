// Calls to a conference room: the B2BUA answers them itself with the rooms' answer, places no
// outbound leg, hands re-offers to the rooms, and tells them when the call leaves.
#include "support/b2bua_harness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using test::parsed;
using testing::HasSubstr;

constexpr std::string_view kOffer = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

// Answers at once, or when `deferred` once answerNext() is called (as a media worker would).
struct Rooms final : ConferenceRooms {
    std::vector<std::string> joins; // "call room first-line-of-offer"
    std::vector<std::uint64_t> lefts;
    std::optional<Error> refuse;
    bool deferred = false;
    std::vector<std::function<void()>> pending;
    void join(std::uint64_t call, std::string_view room, std::string_view offer, std::string_view,
              OfferAnswered reply) override {
        joins.push_back(
            fmt::format("{} {} {}", call, room, offer.substr(0, offer.find("\r\n", 5))));
        Result<std::string> answer = fmt::format(
            "v=0\r\no=room {} {} IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", call, joins.size());
        if (refuse) answer = fail(*refuse);
        auto give = [reply, answer] { reply(answer); };
        if (deferred)
            pending.emplace_back(give);
        else
            give();
    }
    void answerNext() {
        auto give = pending.front();
        pending.erase(pending.begin());
        give();
    }
    void bridgeTo(std::uint64_t call, std::string_view target, std::string_view,
                  std::string_view) override {
        bridges.push_back(fmt::format("{} {}", call, target));
    }
    std::vector<std::string> bridges; // "call target"
    void digit(std::uint64_t call, char d, std::chrono::milliseconds duration) override {
        digits.push_back(fmt::format("{} {} {}", call, d, duration.count()));
    }
    std::vector<std::string> digits; // "call digit milliseconds"
    void left(std::uint64_t call, std::string_view cause) override {
        lefts.push_back(call);
        causes.emplace_back(cause);
    }
    std::vector<std::string> causes; // each left()'s
};

class B2buaConference : public test::B2buaHarness {
protected:
    B2buaConference() {
        make({}, [this](B2buaOptions& o) {
            o.routes = RouteTable::make({{"^council$", "", "", "", {}, "council", ""},
                                         {"^2\\d+$", "", "h323:${user}@127.0.0.1", "", {}, "", ""},
                                         {"^bob$", "", "sip:bob@127.0.0.1:5090", "", {}, "", ""}})
                           .value();
            o.rooms = &rooms_;
        });
    }
    ~B2buaConference() override { b2bua_.reset(); } // the rooms outlive the B2BUA
    std::string inDialog(std::string_view method, int cseq, std::string_view toTag,
                         std::string_view sdp = {}) {
        return fmt::format("{} sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK{}{}\r\n"
                           "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\n"
                           "To: <sip:council@127.0.0.1>;tag={}\r\n"
                           "Call-ID: c1\r\nCSeq: {} {}\r\nContact: <sip:alice@127.0.0.1:5070>\r\n",
                           method, method, cseq, toTag, cseq, method) +
               body(sdp);
    }
    void ack(std::string_view toTag, int cseq) {
        deliver(fmt::format("ACK sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKack{}\r\n"
                            "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\n"
                            "To: <sip:council@127.0.0.1>;tag={}\r\n"
                            "Call-ID: c1\r\nCSeq: {} ACK\r\nContent-Length: 0\r\n\r\n",
                            cseq, toTag, cseq),
                5070);
    }
    Rooms rooms_;
};

TEST_F(B2buaConference, TheCallIsAnsweredWithTheRoomsAnswerAndNoOutboundLeg) {
    invite("council", "", "z9hG4bKa1", "c1", kOffer);
    auto ok = parsed(sender_.replies.back());
    ASSERT_EQ(ok.status(), 200);
    EXPECT_THAT(std::string(ok.body()), HasSubstr("o=room 1 1"));
    EXPECT_TRUE(ok.header(HeaderId::contact).has_value());
    EXPECT_FALSE(ok.to().tag().empty());
    EXPECT_TRUE(sender_.sent.empty());
    EXPECT_EQ(rooms_.joins, std::vector<std::string>{"1 council v=0\r\no=a 1 1 IN IP4 127.0.0.1"});
    const std::string tag(ok.to().tag());
    ack(tag, 1);

    // A re-offer (hold, say) goes to the rooms, and its answer back.
    deliver(inDialog("INVITE", 2, tag, kOffer), 5070);
    auto reok = parsed(sender_.replies.back());
    EXPECT_EQ(reok.status(), 200);
    EXPECT_THAT(std::string(reok.body()), HasSubstr("o=room 1 2"));
    ack(tag, 2);
    // An offerless re-INVITE gets our description as it stands; INFO is taken.
    deliver(inDialog("INVITE", 3, tag), 5070);
    EXPECT_THAT(std::string(parsed(sender_.replies.back()).body()), HasSubstr("o=room 1 2"));
    ack(tag, 3);
    deliver(inDialog("INFO", 4, tag), 5070);
    EXPECT_EQ(lastStatusToCaller(), 200);
    deliver(inDialog("MESSAGE", 5, tag), 5070);
    EXPECT_EQ(lastStatusToCaller(), 405);

    deliver(inDialog("BYE", 6, tag), 5070);
    EXPECT_EQ(lastStatusToCaller(), 200);
    EXPECT_EQ(rooms_.lefts, std::vector<std::uint64_t>{1});
    EXPECT_TRUE(sender_.sent.empty());
    expectIdle();
}

// Our own offer to the caller (its room holds it: a gateway's H.323 callee held the call): a
// re-INVITE in the caller's dialog; an offer of the caller's that crosses it is 491 (§14.2).
TEST_F(B2buaConference, OurOfferGoesToTheCallerAndACrossingOfferIs491) {
    invite("council", "", "z9hG4bKa1", "c1", kOffer);
    auto ok = parsed(sender_.replies.back());
    const std::string tag(ok.to().tag());
    std::vector<Result<std::string>> outcomes;
    auto done = [&](Result<std::string> r) { outcomes.push_back(std::move(r)); };
    ack(tag, 1);

    ASSERT_TRUE(b2bua_->reoffer(1, "v=0 held\r\n", done));
    EXPECT_EQ(b2bua_->reoffer(1, "v=0 again\r\n", done).error().code, Errc::incomplete);
    auto reinvite = parsed(sender_.sent.back());
    EXPECT_EQ(reinvite.method(), "INVITE");
    EXPECT_EQ(reinvite.requestUri().text, "sip:alice@127.0.0.1:5070"); // the caller's Contact
    EXPECT_EQ(reinvite.callId(), "c1");
    EXPECT_EQ(reinvite.from().tag(), tag);
    EXPECT_EQ(reinvite.to().tag(), "a1");
    EXPECT_EQ(reinvite.body(), "v=0 held\r\n");

    deliver(inDialog("INVITE", 2, tag, kOffer), 5070);
    EXPECT_EQ(lastStatusToCaller(), 491);
    EXPECT_EQ(rooms_.joins.size(), 1u) << "the crossing offer never reaches the room";

    respond(reinvite, 200, "a1", {}, "v=0 recvonly\r\n");
    ASSERT_EQ(outcomes.size(), 1u);
    ASSERT_TRUE(outcomes[0]);
    EXPECT_EQ(*outcomes[0], "v=0 recvonly\r\n");
    auto sentAck = parsed(sender_.sent.back());
    EXPECT_EQ(sentAck.method(), "ACK");
    EXPECT_EQ(sentAck.cseq().number, reinvite.cseq().number);

    deliver(inDialog("BYE", 3, tag), 5070);
    EXPECT_EQ(lastStatusToCaller(), 200);
    expectIdle();
}

TEST_F(B2buaConference, AnOfferlessOrRefusedCallIs488AndNeverJoins) {
    invite("council", "", "z9hG4bKa1", "c1");
    auto refusal = parsed(sender_.replies.back());
    EXPECT_EQ(refusal.status(), 488);
    EXPECT_THAT(std::string(*refusal.header(HeaderId::warning)), HasSubstr("needs an SDP offer"));
    EXPECT_TRUE(rooms_.joins.empty());

    rooms_.refuse = Error{Errc::unsupported, "SDP: no codec offered that the conference speaks"};
    invite("council", "", "z9hG4bKa2", "c2", kOffer);
    refusal = parsed(sender_.replies.back());
    EXPECT_EQ(refusal.status(), 488);
    EXPECT_THAT(std::string(*refusal.header(HeaderId::warning)), testing::StartsWith("305 "));
    rooms_.refuse = Error{Errc::too_large, "no ports"};
    invite("council", "", "z9hG4bKa3", "c3", kOffer);
    EXPECT_EQ(lastStatusToCaller(), 503);
    EXPECT_TRUE(rooms_.lefts.empty());
    expectIdle();
}

TEST_F(B2buaConference, AnUnacknowledgedAnswerEndsTheCall) {
    invite("council", "", "z9hG4bKa1", "c1", kOffer);
    ASSERT_EQ(lastStatusToCaller(), 200);
    for (int i = 0; i < 10; ++i)
        drain(); // 64×T1 with no ACK
    EXPECT_EQ(rooms_.lefts, std::vector<std::uint64_t>{1});
    expectIdle();
}

TEST_F(B2buaConference, TheRoomCanHangTheCallUp) {
    invite("council", "", "z9hG4bKa1", "c1", kOffer);
    auto ok = parsed(sender_.replies.back());
    ASSERT_EQ(ok.status(), 200);
    ack(ok.to().tag(), 1);
    b2bua_->hangUp(1);
    auto bye = parsed(sender_.sent.back());
    EXPECT_EQ(bye.method(), "BYE");
    EXPECT_EQ(bye.callId(), "c1");
    EXPECT_EQ(bye.requestUri().text, "sip:alice@127.0.0.1:5070");
    EXPECT_TRUE(rooms_.lefts.empty()); // not until the BYE is answered
    respond(bye, 200, "a1");
    EXPECT_EQ(rooms_.lefts, std::vector<std::uint64_t>{1});
    expectIdle();
}

} // namespace
} // namespace sb::sip

namespace sb::sip {
namespace {

TEST_F(B2buaConference, ACallCancelledWhileTheRoomPreparesItsAnswerIs487AndLeaves) {
    rooms_.deferred = true;
    invite("council", "", "z9hG4bKa1", "c1", kOffer);
    ASSERT_EQ(rooms_.pending.size(), 1u);
    cancel();
    EXPECT_EQ(lastStatusToCaller(), 487);
    EXPECT_EQ(rooms_.lefts, std::vector<std::uint64_t>{1});
    rooms_.answerNext(); // too late: nothing more is sent
    EXPECT_EQ(lastStatusToCaller(), 487);
    expectIdle();
}

TEST_F(B2buaConference, AnOfferWhileTheLastIsBeingAnsweredIs500WithRetryAfter) {
    invite("council", "", "z9hG4bKa1", "c1", kOffer);
    const std::string tag(parsed(sender_.replies.back()).to().tag());
    ack(tag, 1);
    rooms_.deferred = true;
    deliver(inDialog("UPDATE", 2, tag, kOffer), 5070);
    deliver(inDialog("UPDATE", 3, tag, kOffer), 5070);
    auto busy = parsed(sender_.replies.back());
    EXPECT_EQ(busy.status(), 500); // RFC 3311 §5.2
    EXPECT_TRUE(busy.header(HeaderId::retry_after).has_value());
    rooms_.answerNext();
    auto ok = parsed(sender_.replies.back());
    EXPECT_EQ(ok.status(), 200);
    EXPECT_EQ(ok.cseq().number, 2u);
    EXPECT_THAT(std::string(ok.body()), HasSubstr("o=room 1 2"));
    deliver(inDialog("BYE", 4, tag), 5070);
    expectIdle();
}

} // namespace
} // namespace sb::sip

namespace sb::sip {
namespace {

// A route whose target is another kind's (an h323: URL) hands the call to the rooms, which
// answer it as the target goes: 180, then 200 with their answer; no outbound SIP leg.
TEST_F(B2buaConference, ACallToATargetOfAnotherKindIsAnsweredAsItsRoomSays) {
    invite("2002", "", "z9hG4bKa1", "c1", kOffer);
    EXPECT_EQ(rooms_.bridges, std::vector<std::string>{"1 h323:2002@127.0.0.1"});
    EXPECT_TRUE(rooms_.joins.empty());
    ASSERT_TRUE(b2bua_->ringing(1));
    auto ringing = parsed(sender_.replies.back());
    EXPECT_EQ(ringing.status(), 180);
    const std::string tag(ringing.to().tag());
    EXPECT_FALSE(tag.empty());
    ASSERT_TRUE(b2bua_->answer(1, "v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));
    auto ok = parsed(sender_.replies.back());
    EXPECT_EQ(ok.status(), 200);
    EXPECT_EQ(ok.to().tag(), tag);
    EXPECT_THAT(std::string(ok.body()), HasSubstr("o=gw 1 1"));
    EXPECT_FALSE(b2bua_->ringing(1)) << "answered: it waits no more";
    EXPECT_TRUE(sender_.sent.empty());
    EXPECT_FALSE(b2bua_->sendDigit(2, '7', std::chrono::milliseconds(160))) << "no such call";
    ack(tag, 1);
    // Digits both ways, as INFO with application/dtmf-relay (RFC 6086).
    std::string info = inDialog("INFO", 2, tag);
    info.erase(info.find("Content-Length: 0"));
    constexpr std::string_view kDigit = "Signal=5\r\nDuration=160\r\n";
    deliver(info + fmt::format("Content-Type: application/dtmf-relay\r\nContent-Length: "
                               "{}\r\n\r\n{}",
                               kDigit.size(), kDigit),
            5070);
    EXPECT_EQ(lastStatusToCaller(), 200);
    EXPECT_EQ(rooms_.digits, std::vector<std::string>{"1 5 160"});
    ASSERT_TRUE(b2bua_->sendDigit(1, '7', std::chrono::milliseconds(160)));
    auto sent = parsed(sender_.sent.back());
    EXPECT_EQ(sent.method(), "INFO");
    EXPECT_THAT(std::string(sent.body()), HasSubstr("Signal=7"));
    respond(sent, 200, "a1");
    // The caller's hang-up gives its Q.850 cause (RFC 3326), which the rooms get as written.
    std::string bye = inDialog("BYE", 3, tag);
    bye.insert(bye.find("Content-Length"),
               "Reason: SIP;cause=200, Q.850 ; cause=31;text=\"x\"\r\n");
    deliver(bye, 5070);
    EXPECT_EQ(rooms_.lefts, std::vector<std::uint64_t>{1});
    EXPECT_EQ(rooms_.causes, std::vector<std::string>{"Q.850;cause=31"});
    expectIdle();
}

// Refused as the target was (RFC 3398: a busy H.323 callee is 486), its cause in a Reason
// header (RFC 3326); the call ends, and the rooms hear it left.
TEST_F(B2buaConference, ACallToATargetOfAnotherKindIsRefusedWithItsCause) {
    invite("2002", "", "z9hG4bKa1", "c1", kOffer);
    ASSERT_TRUE(b2bua_->refuse(1, 486, "Busy Here", "Q.850;cause=17"));
    auto busy = parsed(sender_.replies.back());
    EXPECT_EQ(busy.status(), 486);
    ASSERT_TRUE(busy.header(HeaderId::reason).has_value());
    EXPECT_EQ(*busy.header(HeaderId::reason), "Q.850;cause=17");
    EXPECT_EQ(rooms_.lefts, std::vector<std::uint64_t>{1});
    EXPECT_FALSE(b2bua_->refuse(1, 486, "Busy Here", "")) << "no such call any more";
    EXPECT_FALSE(b2bua_->answer(7, "v=0\r\n"));
    expectIdle();
}

// The caller hangs up while the target rings (a BYE on its early dialog, RFC 3261 §15): its
// INVITE is answered 487 (§15.1.2), the rooms hear it left, and the call is gone.
TEST_F(B2buaConference, TheCallersByeWhileTheTargetRingsEndsTheCall) {
    invite("2002", "", "z9hG4bKa1", "c1", kOffer);
    ASSERT_TRUE(b2bua_->ringing(1));
    const std::string tag(parsed(sender_.replies.back()).to().tag());
    deliver(inDialog("BYE", 2, tag), 5070);
    std::vector<int> finals;
    for (const auto& r : sender_.replies)
        if (auto p = parsed(r); p.status() >= 200) finals.push_back(p.status());
    EXPECT_EQ(finals, (std::vector<int>{200, 487}));
    EXPECT_EQ(rooms_.lefts, std::vector<std::uint64_t>{1});
    EXPECT_FALSE(b2bua_->answer(1, "v=0\r\n")) << "no such call any more";
    expectIdle();
}

} // namespace
} // namespace sb::sip
