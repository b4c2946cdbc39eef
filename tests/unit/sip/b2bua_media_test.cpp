// A bridged call's room: each SDP body crossing the B2BUA goes through it, in order and marked
// with the party it came from; what it refuses is answered 488 with a Warning (305 for no
// usable codec, 399 for a malformed description) or 503 when media ports run out; it hears the
// call's course (began, ringing, answered, ended and why); and it can end the call.
#include "support/b2bua_harness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using test::parsed;
using testing::HasSubstr;

constexpr std::string_view kOffer = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
constexpr std::string_view kAnswer = "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

// Marks what it relays, or refuses with a set error; notes the call's course.
struct Policy final : BridgedCallRooms {
    std::vector<std::string> seen;
    std::vector<std::uint64_t> endedCalls;
    std::vector<std::string> course;
    std::optional<Error> refuse;
    void began(std::uint64_t, const RouteMatch& route, std::string_view traceId) override {
        course.push_back(fmt::format("began to {}{}", route.target, traceId));
    }
    void ringing(std::uint64_t, int status) override {
        course.push_back(fmt::format("ringing {}", status));
    }
    void answered(std::uint64_t) override { course.emplace_back("answered"); }
    Result<std::string> relay(std::uint64_t, Party from, std::string_view sdp) override {
        seen.push_back(fmt::format("{}: {}", from == Party::caller ? "caller" : "callee",
                                   sdp.substr(0, sdp.find("\r\n", 5))));
        if (refuse) return fail(*refuse);
        return std::string(sdp) + "a=anchored\r\n";
    }
    void ended(std::uint64_t call, int status, std::string_view reason) override {
        endedCalls.push_back(call);
        course.push_back(fmt::format("ended {} {}", status, reason));
    }
    bool dtmfFromInfo(std::uint64_t, Party from, char digit,
                      std::chrono::milliseconds duration) override {
        digits.push_back(fmt::format("{} {} {}", from == Party::caller ? "caller" : "callee", digit,
                                     duration.count()));
        return takeDigits;
    }
    void sendInfo(std::uint64_t call, Party to, char digit) {
        infoSender_(call, to, digit, std::chrono::milliseconds(100));
    }
    std::vector<std::string> digits;
    bool takeDigits = true;
};

class B2buaMedia : public test::B2buaHarness {
protected:
    B2buaMedia() {
        make({}, [this](B2buaOptions& o) { o.callRooms = &policy_; });
    }
    ~B2buaMedia() override { b2bua_.reset(); } // the policy outlives the B2BUA, as it must
    Policy policy_;
};

TEST_F(B2buaMedia, OfferAndAnswerGoThroughThePolicy) {
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    auto outbound = parsed(sender_.sent.back());
    EXPECT_THAT(std::string(outbound.body()), HasSubstr("a=anchored"));
    respond(outbound, 200, "b1", {}, kAnswer);
    auto ok = parsed(sender_.replies.back());
    ASSERT_EQ(ok.status(), 200);
    EXPECT_THAT(std::string(ok.body()), HasSubstr("o=b 1 1"));
    EXPECT_THAT(std::string(ok.body()), HasSubstr("a=anchored"));
    EXPECT_EQ(policy_.seen, (std::vector<std::string>{"caller: v=0\r\no=a 1 1 IN IP4 127.0.0.1",
                                                      "callee: v=0\r\no=b 1 1 IN IP4 127.0.0.1"}));
    // A BYE ends it, and the policy hears so.
    deliver(
        fmt::format("BYE sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKbye\r\n"
                    "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\nTo: <sip:bob@127.0.0.1>;tag={}\r\n"
                    "Call-ID: c1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
                    ok.to().tag()),
        5070);
    respond(parsed(sender_.sent.back()), 200);
    EXPECT_EQ(policy_.endedCalls.size(), 1u);
    EXPECT_EQ(policy_.course, (std::vector<std::string>{"began to sip:bob@127.0.0.1:5090",
                                                        "answered", "ended 0 the caller hung up"}));
}

TEST_F(B2buaMedia, TheRoomHearsRingingAndARefusalWithItsStatus) {
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    auto outbound = parsed(sender_.sent.back());
    respond(outbound, 180, "b1");
    respond(outbound, 486, "b1");
    EXPECT_EQ(lastStatusToCaller(), 486);
    expectIdle();
    EXPECT_EQ(policy_.course, (std::vector<std::string>{"began to sip:bob@127.0.0.1:5090",
                                                        "ringing 180", "ended 486 Whatever"}));
}

TEST_F(B2buaMedia, ItsRoomEndsARingingCallWith480AndCancel) {
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    auto outbound = parsed(sender_.sent.back());
    respond(outbound, 180, "b1");
    b2bua_->hangUp(1);
    EXPECT_EQ(lastStatusToCaller(), 480);
    auto cancel = parsed(sender_.sent.back());
    ASSERT_EQ(cancel.method(), "CANCEL");
    respond(cancel, 200);
    respond(outbound, 487, "b1");
    expectIdle();
    EXPECT_EQ(policy_.course.back(), "ended 0 hung up by its room");
}

TEST_F(B2buaMedia, ItsRoomEndsAnAnsweredCallWithAByeToEachParty) {
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    respond(parsed(sender_.sent.back()), 200, "b1", {}, kAnswer);
    ASSERT_EQ(lastStatusToCaller(), 200);
    const std::size_t sentBefore = sender_.sent.size();
    b2bua_->hangUp(1);
    std::vector<std::string> byes; // the callee's 200 is ACKed first (the caller has not yet)
    for (std::size_t i = sentBefore; i < sender_.sent.size(); ++i)
        if (auto m = parsed(sender_.sent[i]); m.method() == "BYE") {
            byes.emplace_back(m.callId());
            respond(m, 200);
        }
    EXPECT_EQ(byes.size(), 2u);
    EXPECT_TRUE(std::find(byes.begin(), byes.end(), "c1") != byes.end()); // the caller's
    expectIdle();
    EXPECT_EQ(policy_.course.back(), "ended 0 hung up by its room");
}

TEST_F(B2buaMedia, AMalformedOfferIs488WithAWarningAndNoInviteGoesOut) {
    policy_.refuse = Error{Errc::invalid_input, "SDP line 4 (m=): port 'x' is not a number"};
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    auto refusal = parsed(sender_.replies.back());
    EXPECT_EQ(refusal.status(), 488);
    EXPECT_EQ(refusal.header(HeaderId::warning),
              "399 switchboard \"SDP line 4 (m=): port 'x' is not a number\"");
    EXPECT_TRUE(sender_.sent.empty());
    expectIdle();
    EXPECT_EQ(policy_.endedCalls.size(), 1u);
}

TEST_F(B2buaMedia, NoUsableCodecIs305AndNoPortsIs503) {
    policy_.refuse = Error{Errc::unsupported, "no usable codec: leg A has AMR"};
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    EXPECT_THAT(std::string(*parsed(sender_.replies.back()).header(HeaderId::warning)),
                testing::StartsWith("305 switchboard"));
    policy_.refuse = Error{Errc::too_large, "RTP ports: none free"};
    invite("bob", "", "z9hG4bKa2", "c2", kOffer);
    auto busy = parsed(sender_.replies.back());
    EXPECT_EQ(busy.status(), 503);
    EXPECT_TRUE(busy.header(HeaderId::retry_after));
    expectIdle();
}

TEST_F(B2buaMedia, AnAnswerThePolicyRefusesEndsTheCall) {
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    auto outbound = parsed(sender_.sent.back());
    policy_.refuse = Error{Errc::unsupported, "no usable codec"};
    respond(outbound, 200, "b1", {}, kAnswer);
    EXPECT_EQ(lastStatusToCaller(), 488);
    // The callee's 200 is ACKed and BYEd.
    ASSERT_GE(sender_.sent.size(), 3u);
    EXPECT_EQ(parsed(sender_.sent[1]).method(), "ACK");
    auto bye = parsed(sender_.sent[2]);
    EXPECT_EQ(bye.method(), "BYE");
    respond(bye, 200);
    expectIdle();
}

TEST_F(B2buaMedia, DtmfCrossesBetweenSipInfoAndTheMediaLayer) {
    invite("bob", "", "z9hG4bKa1", "c1", kOffer);
    respond(parsed(sender_.sent.back()), 200, "b1", {}, kAnswer);
    const std::string tag(parsed(sender_.replies.back()).to().tag());
    deliver(fmt::format("ACK sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKack\r\n"
                        "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\n"
                        "To: <sip:bob@127.0.0.1>;tag={}\r\n"
                        "Call-ID: c1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
                        tag),
            5070);
    const std::size_t sentBefore = sender_.sent.size();
    auto info = [&](int cseq) {
        const std::string body = "Signal=5\r\nDuration=160\r\n";
        deliver(fmt::format("INFO sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKinfo{}\r\n"
                            "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\n"
                            "To: <sip:bob@127.0.0.1>;tag={}\r\nCall-ID: c1\r\nCSeq: {} INFO\r\n"
                            "Content-Type: application/dtmf-relay\r\nContent-Length: {}\r\n\r\n{}",
                            cseq, tag, cseq, body.size(), body),
                5070);
    };
    // The media layer takes the digit (the callee has telephone-event): 200, and no INFO on.
    info(2);
    EXPECT_EQ(lastStatusToCaller(), 200);
    EXPECT_EQ(policy_.digits, std::vector<std::string>{"caller 5 160"});
    EXPECT_EQ(sender_.sent.size(), sentBefore);
    // It does not (the callee has no telephone-event either): the INFO crosses as it came.
    policy_.takeDigits = false;
    info(3);
    ASSERT_EQ(sender_.sent.size(), sentBefore + 1);
    EXPECT_EQ(parsed(sender_.sent.back()).method(), "INFO");
    respond(parsed(sender_.sent.back()), 200);
    EXPECT_EQ(lastStatusToCaller(), 200);
    // An RFC 4733 event for the callee, which lacks telephone-event: an INFO of our own.
    policy_.sendInfo(1, BridgedCallRooms::Party::callee, '#');
    auto ours = parsed(sender_.sent.back());
    EXPECT_EQ(ours.method(), "INFO");
    EXPECT_EQ(ours.header(HeaderId::content_type), "application/dtmf-relay");
    EXPECT_EQ(ours.body(), "Signal=#\r\nDuration=100\r\n");
    respond(ours, 200);
}

} // namespace
} // namespace sb::sip
