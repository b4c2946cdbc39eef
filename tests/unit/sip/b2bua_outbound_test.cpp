// placeCall(): the B2BUA's own calls, driven with virtual time and a recording sender.
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

class PlaceCall : public ::testing::Test {
protected:
    PlaceCall() : wheel_([this] { return now_; }, 10ms), b2bua_(wheel_, sender_, options()) {}

    static B2buaOptions options() {
        B2buaOptions o;
        o.timers.t1 = 50ms;
        o.limits.sessionExpiresS = 0;
        o.listeners = {{Transport::udp, asio::ip::make_address("127.0.0.1"), 5060}};
        return o;
    }

    // The far end's response to the request we sent last, as it arrives at us.
    void respond(const Message& request, int status, std::string_view extra = "",
                 std::string_view body = "") {
        std::string text = fmt::format("SIP/2.0 {} Whatever\r\n", status);
        for (const auto& v : request.vias())
            text += fmt::format("Via: {}\r\n", v.text);
        text += fmt::format("From: {}\r\nTo: {};tag=far\r\nCall-ID: {}\r\nCSeq: {} {}\r\n",
                            request.from().text, request.to().text, request.callId(),
                            request.cseq().number, request.cseq().method);
        text += fmt::format("Contact: <sip:expert@127.0.0.1:5090>\r\n{}", extra);
        text += fmt::format("Content-Length: {}\r\n\r\n{}", body.size(), body);
        deliver(text);
    }
    void deliver(const std::string& text) {
        InboundMessage source{
            "", Transport::udp, asio::ip::make_address("127.0.0.1"), 5090, {}, 5060, 0};
        b2bua_.receive(parsed(text), source);
    }
    void advance(std::chrono::milliseconds by) {
        now_ += by;
        wheel_.advance();
    }

    Clock::time_point start_ = Clock::now(), now_ = start_;
    net::TimerWheel wheel_;
    Recorder sender_;
    B2bua b2bua_;
    std::vector<OutboundCallEvent> events_;
    OutboundCallObserver observer_ = [this](std::uint64_t, const OutboundCallEvent& e) {
        events_.push_back(e);
    };
};

OutboundCallSpec expertCall() {
    OutboundCallSpec spec;
    spec.target = "sip:expert@127.0.0.1:5090";
    spec.body = "v=0\r\n";
    spec.contentType = "application/sdp";
    spec.headers = {{"X-IF-Trace-ID", "trace-1"}};
    return spec;
}

TEST_F(PlaceCall, AnsweredThenHungUpByTheFarEnd) {
    auto id = b2bua_.placeCall(expertCall(), observer_);
    ASSERT_TRUE(id);
    auto invite = parsed(sender_.sent.back());
    EXPECT_EQ(invite.method(), "INVITE");
    EXPECT_EQ(invite.requestUri().text, "sip:expert@127.0.0.1:5090");
    EXPECT_EQ(invite.header("X-IF-Trace-ID"), "trace-1");
    EXPECT_EQ(invite.body(), "v=0\r\n");

    respond(invite, 180);
    respond(invite, 200, "Content-Type: application/sdp\r\n", "v=0 answer\r\n");
    ASSERT_EQ(events_.size(), 2u);
    EXPECT_EQ(events_[0].kind, OutboundCallEvent::Kind::ringing);
    EXPECT_EQ(events_[1].kind, OutboundCallEvent::Kind::answered);
    EXPECT_EQ(events_[1].body, "v=0 answer\r\n");
    auto ack = parsed(sender_.sent.back());
    EXPECT_EQ(ack.method(), "ACK");
    EXPECT_EQ(ack.requestUri().text, "sip:expert@127.0.0.1:5090");
    EXPECT_EQ(ack.cseq().number, invite.cseq().number);

    deliver(fmt::format("BYE sip:sb@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP "
                        "127.0.0.1:5090;branch=z9hG4bKbye1\r\nFrom: {};tag=far\r\nTo: {}\r\n"
                        "Call-ID: {}\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
                        invite.to().text, invite.from().text, invite.callId()));
    EXPECT_EQ(parsed(sender_.replies.back()).status(), 200);
    ASSERT_EQ(events_.size(), 3u);
    EXPECT_EQ(events_[2].kind, OutboundCallEvent::Kind::ended);
    EXPECT_EQ(events_[2].status, 200);
    EXPECT_EQ(b2bua_.stats().calls, 0u);
    advance(10s);
    EXPECT_EQ(b2bua_.transactions().active(), 0u);
}

// The far end's in-dialog request with an SDP offer (a re-INVITE or UPDATE), as it arrives.
std::string offerFromFarEnd(const Message& invite, std::string_view method, int cseq,
                            std::string_view sdp) {
    return fmt::format("{} sip:sb@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP "
                       "127.0.0.1:5090;branch=z9hG4bKre{}\r\nFrom: {};tag=far\r\nTo: {}\r\n"
                       "Call-ID: {}\r\nCSeq: {} {}\r\nContact: <sip:expert@127.0.0.1:5090>\r\n"
                       "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{}",
                       method, cseq, invite.to().text, invite.from().text, invite.callId(), cseq,
                       method, sdp.size(), sdp);
}

TEST_F(PlaceCall, TheFarEndsOffersAreAnsweredByTheMediaLayer) {
    auto spec = expertCall();
    std::vector<std::string> offers;
    spec.answerOffer = [&](std::string_view offer, const OfferAnswered& reply) {
        offers.emplace_back(offer);
        if (offer.find("m=video") != std::string_view::npos)
            return reply(fail(Errc::unsupported, "SDP: no codec in common"));
        reply("v=0 answer to " + std::string(offer));
    };
    ASSERT_TRUE(b2bua_.placeCall(std::move(spec), observer_));
    auto invite = parsed(sender_.sent.back());
    respond(invite, 200, "Content-Type: application/sdp\r\n", "v=0 answer\r\n");

    deliver(offerFromFarEnd(invite, "INVITE", 2, "hold a=sendonly"));
    auto ok = parsed(sender_.replies.back());
    EXPECT_EQ(ok.status(), 200);
    EXPECT_EQ(ok.body(), "v=0 answer to hold a=sendonly");
    // RFC 3311 §5.2: an UPDATE's answer is in its 200.
    deliver(offerFromFarEnd(invite, "UPDATE", 3, "resume a=sendrecv"));
    ok = parsed(sender_.replies.back());
    EXPECT_EQ(ok.status(), 200);
    EXPECT_EQ(ok.body(), "v=0 answer to resume a=sendrecv");
    // What the media layer refuses: 488 with a Warning naming why; the call goes on.
    deliver(offerFromFarEnd(invite, "UPDATE", 4, "m=video"));
    auto refused = parsed(sender_.replies.back());
    EXPECT_EQ(refused.status(), 488);
    EXPECT_NE(refused.header("Warning").value_or("").find("no codec in common"),
              std::string_view::npos);
    EXPECT_EQ(offers.size(), 3u);
    EXPECT_EQ(b2bua_.stats().calls, 1u);
    ASSERT_EQ(events_.size(), 1u); // answered only: nothing ended
}

TEST_F(PlaceCall, AnOfferAnsweredLaterIsAnswered487IfTheCallHasEndedMeanwhile) {
    auto spec = expertCall();
    std::vector<OfferAnswered> pending;
    spec.answerOffer = [&](std::string_view, OfferAnswered reply) {
        pending.push_back(std::move(reply));
    };
    auto id = b2bua_.placeCall(std::move(spec), observer_);
    ASSERT_TRUE(id);
    auto invite = parsed(sender_.sent.back());
    respond(invite, 200, "Content-Type: application/sdp\r\n", "v=0 answer\r\n");
    deliver(offerFromFarEnd(invite, "UPDATE", 2, "hold a=sendonly"));
    ASSERT_EQ(pending.size(), 1u);
    const auto repliesBefore = sender_.replies.size();
    b2bua_.hangUp(*id); // the BYE crosses the media worker's answer
    auto bye = parsed(sender_.sent.back());
    ASSERT_EQ(bye.method(), "BYE");
    respond(bye, 200);
    EXPECT_EQ(sender_.replies.size(), repliesBefore);
    pending[0](std::string("v=0 too late"));
    EXPECT_EQ(parsed(sender_.replies.back()).status(), 487); // RFC 3261 §15.1.2
    EXPECT_EQ(b2bua_.stats().calls, 0u);
}

TEST_F(PlaceCall, WithoutAnAnswererOffersGet488) {
    ASSERT_TRUE(b2bua_.placeCall(expertCall(), observer_));
    auto invite = parsed(sender_.sent.back());
    respond(invite, 200, "Content-Type: application/sdp\r\n", "v=0 answer\r\n");
    deliver(offerFromFarEnd(invite, "INVITE", 2, "hold a=sendonly"));
    EXPECT_EQ(parsed(sender_.replies.back()).status(), 488);
}

TEST_F(PlaceCall, RejectedCallEndsWithTheStatus) {
    ASSERT_TRUE(b2bua_.placeCall(expertCall(), observer_));
    auto invite = parsed(sender_.sent.back());
    respond(invite, 486);
    EXPECT_EQ(parsed(sender_.sent.back()).method(), "ACK"); // the transaction's own (§17.1.1.3)
    ASSERT_EQ(events_.size(), 1u);
    EXPECT_EQ(events_[0].kind, OutboundCallEvent::Kind::ended);
    EXPECT_EQ(events_[0].status, 486);
    EXPECT_EQ(b2bua_.stats().calls, 0u);
}

TEST_F(PlaceCall, HangUpWhileRingingCancels) {
    auto id = b2bua_.placeCall(expertCall(), observer_);
    ASSERT_TRUE(id);
    auto invite = parsed(sender_.sent.back());
    respond(invite, 180);
    b2bua_.hangUp(*id);
    auto cancel = parsed(sender_.sent.back());
    EXPECT_EQ(cancel.method(), "CANCEL");
    EXPECT_EQ(cancel.vias()[0].branch, invite.vias()[0].branch);
    respond(invite, 487);
    ASSERT_EQ(events_.back().kind, OutboundCallEvent::Kind::ended);
    EXPECT_EQ(events_.back().status, 0); // ended by us
    EXPECT_EQ(b2bua_.stats().calls, 0u);
}

TEST_F(PlaceCall, HangUpWhenAnsweredSendsBye) {
    auto id = b2bua_.placeCall(expertCall(), observer_);
    ASSERT_TRUE(id);
    auto invite = parsed(sender_.sent.back());
    respond(invite, 200);
    b2bua_.hangUp(*id);
    auto bye = parsed(sender_.sent.back());
    EXPECT_EQ(bye.method(), "BYE");
    EXPECT_EQ(bye.to().tag(), "far");
    EXPECT_EQ(b2bua_.stats().calls, 1u); // until the BYE is answered
    respond(bye, 200);
    EXPECT_EQ(b2bua_.stats().calls, 0u);
    EXPECT_EQ(events_.back().kind, OutboundCallEvent::Kind::ended);
}

TEST_F(PlaceCall, TargetWithoutAddressIsRefused) {
    auto spec = expertCall();
    spec.target = "sip:expert@example.invalid";
    auto id = b2bua_.placeCall(spec, observer_);
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().code, Errc::not_found);
    EXPECT_EQ(b2bua_.stats().calls, 0u);
}

} // namespace
} // namespace sb::sip

namespace sb::sip {
namespace {

// Our own offers on a placed call (RFC 3261 §14.1).
class Reoffer : public PlaceCall {
protected:
    // Places a call and has the far end answer it; returns the call and its INVITE.
    std::pair<std::uint64_t, Message> answeredCall() {
        auto id = b2bua_.placeCall(expertCall(), observer_);
        EXPECT_TRUE(id);
        auto invite = parsed(sender_.sent.back());
        respond(invite, 200, "Content-Type: application/sdp\r\n", "v=0 answer\r\n");
        return {*id, std::move(invite)};
    }
    std::vector<Result<std::string>> outcomes_;
    ReofferDone done_ = [this](Result<std::string> r) { outcomes_.push_back(std::move(r)); };
};

TEST_F(Reoffer, AReInviteCarriesOurOfferAndTheAnswerComesBack) {
    EXPECT_EQ(b2bua_.reoffer(99, "v=0\r\n", done_).error().code, Errc::not_found);
    auto early = b2bua_.placeCall(expertCall(), observer_);
    ASSERT_TRUE(early);
    EXPECT_EQ(b2bua_.reoffer(*early, "v=0\r\n", done_).error().code, Errc::incomplete);
    b2bua_.hangUp(*early);

    auto [call, invite] = answeredCall();
    ASSERT_TRUE(b2bua_.reoffer(call, "v=0 with video\r\n", done_));
    EXPECT_EQ(b2bua_.reoffer(call, "v=0 again\r\n", done_).error().code, Errc::incomplete);
    auto reinvite = parsed(sender_.sent.back());
    EXPECT_EQ(reinvite.method(), "INVITE");
    EXPECT_EQ(reinvite.callId(), invite.callId());
    EXPECT_GT(reinvite.cseq().number, invite.cseq().number);
    EXPECT_EQ(reinvite.to().tag(), "far");
    EXPECT_EQ(reinvite.body(), "v=0 with video\r\n");

    respond(reinvite, 200, "Content-Type: application/sdp\r\n", "v=0 their video\r\n");
    ASSERT_EQ(outcomes_.size(), 1u);
    ASSERT_TRUE(outcomes_[0]);
    EXPECT_EQ(*outcomes_[0], "v=0 their video\r\n");
    auto ack = parsed(sender_.sent.back());
    EXPECT_EQ(ack.method(), "ACK");
    EXPECT_EQ(ack.cseq().number, reinvite.cseq().number);
    EXPECT_NE(events_.back().kind, OutboundCallEvent::Kind::ended); // the call goes on
}

// RFC 3428: a short text to the far end of the call, in its dialog.
TEST_F(Reoffer, AMessageGoesInTheDialogAndItsRefusalChangesNothing) {
    auto early = b2bua_.placeCall(expertCall(), observer_);
    ASSERT_TRUE(early);
    EXPECT_EQ(b2bua_.sendText(*early, "too soon").error().code, Errc::incomplete);
    b2bua_.hangUp(*early);
    EXPECT_EQ(b2bua_.sendText(99, "nobody").error().code, Errc::not_found);

    auto [call, invite] = answeredCall();
    ASSERT_TRUE(b2bua_.sendText(call, "Context: the customer's router reboots hourly"));
    auto message = parsed(sender_.sent.back());
    EXPECT_EQ(message.method(), "MESSAGE");
    EXPECT_EQ(message.callId(), invite.callId());
    EXPECT_EQ(message.to().tag(), "far");
    EXPECT_EQ(message.header(HeaderId::content_type), "text/plain;charset=UTF-8");
    EXPECT_EQ(message.body(), "Context: the customer's router reboots hourly");
    respond(message, 405); // a phone that takes no MESSAGE
    EXPECT_NE(events_.back().kind, OutboundCallEvent::Kind::ended); // the call goes on
    EXPECT_EQ(b2bua_.sendText(call, std::string(1301, 'x')).error().code, Errc::too_large);
}

TEST_F(Reoffer, ARefusalLeavesTheSessionAndAGlareIsRetriedAfterTheBackOff) {
    auto [call, invite] = answeredCall();
    ASSERT_TRUE(b2bua_.reoffer(call, "v=0 first\r\n", done_));
    respond(parsed(sender_.sent.back()), 488);
    ASSERT_EQ(outcomes_.size(), 1u);
    EXPECT_EQ(outcomes_[0].error().code, Errc::unsupported);
    EXPECT_EQ(b2bua_.stats().calls, 1u); // the call goes on

    ASSERT_TRUE(b2bua_.reoffer(call, "v=0 second\r\n", done_));
    auto first = parsed(sender_.sent.back());
    respond(first, 491);
    const auto sentBefore = sender_.sent.size();
    advance(2s);
    EXPECT_EQ(sender_.sent.size(), sentBefore) << "§14.1: not before 2.1 s";
    advance(2500ms);
    auto retry = parsed(sender_.sent.back());
    EXPECT_EQ(retry.method(), "INVITE");
    EXPECT_EQ(retry.body(), "v=0 second\r\n");
    EXPECT_GT(retry.cseq().number, first.cseq().number);
    respond(retry, 200, "Content-Type: application/sdp\r\n", "v=0 ok\r\n");
    ASSERT_EQ(outcomes_.size(), 2u);
    EXPECT_EQ(*outcomes_[1], "v=0 ok\r\n");
}

TEST_F(Reoffer, ACallThatEndsFirstAnswersTheOfferClosed) {
    auto [call, invite] = answeredCall();
    ASSERT_TRUE(b2bua_.reoffer(call, "v=0\r\n", done_));
    deliver(fmt::format("BYE sip:sb@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP "
                        "127.0.0.1:5090;branch=z9hG4bKbye2\r\nFrom: {};tag=far\r\nTo: {}\r\n"
                        "Call-ID: {}\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n",
                        invite.to().text, invite.from().text, invite.callId()));
    ASSERT_EQ(outcomes_.size(), 1u);
    EXPECT_EQ(outcomes_[0].error().code, Errc::closed);
    EXPECT_EQ(b2bua_.stats().calls, 0u);
    EXPECT_EQ(events_.back().kind, OutboundCallEvent::Kind::ended);
}

} // namespace
} // namespace sb::sip
