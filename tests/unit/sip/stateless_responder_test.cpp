#include "sip/message_writer.hpp"
#include "sip/stateless_responder.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

std::string request(std::string_view method, std::string_view extra = "") {
    std::string s = std::string(method) +
                    " sip:gw@example.com SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKr1;rport\r\n"
                    "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKp1\r\n"
                    "From: <sip:agent@example.com>;tag=a1\r\n"
                    "To: <sip:gw@example.com>\r\n"
                    "Call-ID: responder-test\r\n"
                    "CSeq: 7 " +
                    std::string(method) + "\r\n";
    s += extra;
    s += "Content-Length: 0\r\n\r\n";
    return s;
}

TEST(StatelessResponder, AnswersOptionsWith200EchoingTheTransactionHeaders) {
    StatelessResponder responder({"Switchboard-test", {}});
    auto answer = responder.respond(request("OPTIONS"));
    ASSERT_TRUE(answer);
    auto m = Message::parse(*answer);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->status(), 200);
    ASSERT_EQ(m->vias().size(), 2u); // RFC 3261 §8.2.6.2: every Via, in order
    EXPECT_EQ(m->vias()[0].branch, "z9hG4bKr1");
    EXPECT_EQ(m->vias()[1].branch, "z9hG4bKp1");
    EXPECT_EQ(m->from().tag(), "a1");
    EXPECT_FALSE(m->to().tag().empty()) << "a To tag is added";
    EXPECT_EQ(m->callId(), "responder-test");
    EXPECT_EQ(m->cseq().number, 7u);
    EXPECT_EQ(m->cseq().method, "OPTIONS");
    EXPECT_EQ(m->header(HeaderId::allow), "OPTIONS");
    EXPECT_EQ(m->header(HeaderId::supported), "");
    EXPECT_EQ(m->header(HeaderId::server), "Switchboard-test");
    EXPECT_EQ(responder.stats().requests, 1u);
}

TEST(StatelessResponder, KnownButUnhandledMethodsGet501WithAllow) {
    StatelessResponder responder({});
    auto answer = responder.respond(request("INVITE"));
    ASSERT_TRUE(answer);
    auto m = Message::parse(*answer);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->status(), 501);
    EXPECT_EQ(m->header(HeaderId::allow), "OPTIONS");
}

TEST(StatelessResponder, AMalformedRequestOfAnUnknownMethodGets501WithOneAllow) {
    StatelessResponder responder({});
    auto answer = responder.respond("FOO sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                                    "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n"
                                    "CSeq: one FOO\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(answer);
    EXPECT_TRUE(answer->starts_with("SIP/2.0 501 ")) << *answer;
    ASSERT_NE(answer->find("Allow: OPTIONS\r\n"), std::string::npos) << *answer;
    EXPECT_EQ(answer->find("Allow:"), answer->rfind("Allow:")) << *answer;
}

TEST(StatelessResponder, AcksResponsesAndGarbageGetNoAnswer) {
    StatelessResponder responder({});
    EXPECT_FALSE(responder.respond(request("ACK")));
    EXPECT_FALSE(responder.respond("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
                                   "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n"
                                   "CSeq: 1 OPTIONS\r\n\r\n"));
    EXPECT_FALSE(responder.respond(std::string(100, '\x01')));
    EXPECT_EQ(responder.stats().ignored, 3u);
    EXPECT_EQ(responder.stats().requests, 0u);
}

TEST(StatelessResponder, MalformedRequestGets400NamingTheHeaderWithSalvagedHeaders) {
    StatelessResponder responder({});
    auto answer = responder.respond(request("OPTIONS", "Max-Forwards: lots\r\n"));
    ASSERT_TRUE(answer);
    EXPECT_TRUE(answer->starts_with("SIP/2.0 400 Bad Request (Max-Forwards: ")) << *answer;
    auto m = Message::parse(*answer);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->vias().size(), 2u);
    EXPECT_EQ(m->callId(), "responder-test");
    EXPECT_FALSE(m->to().tag().empty());
    EXPECT_EQ(responder.stats().malformed, 1u);
}

TEST(StatelessResponder, ReasonPhraseCannotCarryALineBreak) {
    // A bad header value reaches the reason phrase; it must not be able to inject a line.
    const auto reason = sanitizeReason("bad\r\nInjected: yes");
    EXPECT_EQ(reason.find('\r'), std::string::npos);
    EXPECT_EQ(reason.find('\n'), std::string::npos);
    EXPECT_EQ(sanitizeReason(std::string(300, 'x')).size(), 160u);
}

} // namespace
} // namespace sb::sip
