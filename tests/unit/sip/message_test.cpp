#include "sip/message.hpp"
#include "sip/message_writer.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out.push_back('\r');
        out.push_back(c);
    }
    return out;
}

const char* kInvite = R"(INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport, SIP/2.0/TCP [2001:db8::1]:5062;branch=z9hG4bK2;received=2001:db8::1
v: SIP/2.0/TLS proxy.example.com:5061;branch=z9hG4bK3
Max-Forwards: 70
t: Bob <sip:bob@biloxi.example.com>
f: "Alice \"A\" Liddell" <sip:alice@atlanta.example.com>;tag=1928301774
i: a84b4c76e66710@pc33.atlanta.example.com
CSeq: 314159 INVITE
m: <sip:alice@pc33.atlanta.example.com>;expires=60, sip:alt@192.0.2.7;q=0.5
Route: <sip:p1.example.com;lr>,
  <sip:p2.example.com;lr>
Record-Route: <sip:rr.example.com;lr>
Subject: lunch
 is served
X-Custom:  kept   verbatim  
c: application/sdp
l: 4

v=0
)";

TEST(Message, ParsesRequestWithCompactFormsFoldingAndLists) {
    auto m = Message::parse(crlf(kInvite));
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_TRUE(m->isRequest());
    EXPECT_EQ(m->method(), "INVITE");
    EXPECT_EQ(m->requestUri().user, "bob");
    ASSERT_EQ(m->vias().size(), 3u);
    EXPECT_EQ(m->vias()[0].branch, "z9hG4bK776asdhds");
    EXPECT_EQ(m->vias()[0].rport, "");
    EXPECT_EQ(m->vias()[1].host, "[2001:db8::1]");
    EXPECT_EQ(m->vias()[1].port, 5062);
    EXPECT_EQ(m->vias()[1].received, "2001:db8::1");
    EXPECT_EQ(m->vias()[2].transport, "TLS");
    EXPECT_EQ(m->from().display, R"(Alice \"A\" Liddell)");
    EXPECT_TRUE(m->from().displayQuoted);
    EXPECT_EQ(m->from().tag(), "1928301774");
    EXPECT_EQ(m->to().display, "Bob");
    EXPECT_EQ(m->to().tag(), "");
    EXPECT_EQ(m->callId(), "a84b4c76e66710@pc33.atlanta.example.com");
    EXPECT_EQ(m->cseq().number, 314159u);
    EXPECT_EQ(m->maxForwards(), 70u);
    ASSERT_EQ(m->contacts().size(), 2u);
    EXPECT_EQ(m->contacts()[0].params.get("expires"), "60");
    EXPECT_FALSE(m->contacts()[1].angled);
    EXPECT_EQ(m->contacts()[1].params.get("q"), "0.5"); // a header param, not a URI param
    EXPECT_TRUE(m->contacts()[1].uri.params.empty());
    EXPECT_EQ(m->routes().size(), 2u);
    EXPECT_EQ(m->recordRoutes().size(), 1u);
    EXPECT_EQ(m->header("subject"), "lunch   is served");
    EXPECT_EQ(m->header("x-custom"), "kept   verbatim");
    EXPECT_EQ(m->header(HeaderId::content_type), "application/sdp");
    EXPECT_EQ(m->body(), "v=0\r");
    EXPECT_EQ(m->contentLength(), 4u);
}

TEST(Message, CanonicalFormExpandsCompactNamesAndReparses) {
    auto m = Message::parse(crlf(kInvite));
    ASSERT_TRUE(m);
    const auto text = buildCanonical(*m);
    EXPECT_NE(text.find("\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n"), std::string::npos);
    EXPECT_NE(text.find("\r\nCall-ID: a84b4c76e66710@"), std::string::npos);
    EXPECT_NE(text.find("\r\nContent-Length: 4\r\n\r\nv=0\r"), std::string::npos);
    auto again = Message::parse(text);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->vias().size(), 3u);
    EXPECT_EQ(buildCanonical(*again), text);
}

TEST(Message, ParsesResponseWithEmptyReason) {
    auto m = Message::parse(
        crlf("SIP/2.0 180 \nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nTo: <sip:a@b>;tag=2\n"
             "From: <sip:c@d>;tag=1\nCall-ID: x\nCSeq: 1 INVITE\n\n"));
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_FALSE(m->isRequest());
    EXPECT_EQ(m->status(), 180);
    EXPECT_EQ(m->reason(), "");
}

struct BadCase {
    const char* name;
    std::string text;
    const char* names; // what the error sentence must mention
    Errc code = Errc::invalid_input;
};

std::string request(std::string_view extraHeaders,
                    std::string_view startLine = "OPTIONS sip:a@example.com SIP/2.0") {
    std::string s(startLine);
    s += "\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\nTo: <sip:a@example.com>\r\n"
         "From: <sip:b@example.com>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n";
    s += extraHeaders;
    s += "\r\n";
    return s;
}

class BadMessage : public testing::TestWithParam<BadCase> {};

TEST_P(BadMessage, IsRejectedNamingTheElement) {
    const auto& c = GetParam();
    auto m = Message::parse(c.text);
    ASSERT_FALSE(m) << c.name;
    EXPECT_NE(m.error().message.find(c.names), std::string::npos) << m.error().message;
    EXPECT_EQ(m.error().code, c.code) << m.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadMessage,
    testing::Values(
        BadCase{"DuplicateCallId", request("Call-ID: c2\r\n"), "Call-ID"},
        BadCase{"BadMaxForwards", request("Max-Forwards: x\r\n"), "Max-Forwards"},
        BadCase{"HugeMaxForwards", request("Max-Forwards: 256\r\n"), "Max-Forwards"},
        BadCase{"BadExpires", request("Expires: 4294967296\r\n"), "Expires"},
        BadCase{"ContactStarWithOthers", request("Contact: *, <sip:x@y>\r\n"), "Contact"},
        BadCase{"BadRoute", request("Route: sip:p1.example.com\r\n"), "Route"},
        BadCase{"BadRequire", request("Require: 100rel, \"x\"\r\n"), "Require"},
        BadCase{"HeaderWithoutColon", request("Garbage line\r\n"), "malformed header line"},
        BadCase{"NulInHeader", request(std::string("X-A: a\0b\r\n", 10)), "control character"},
        BadCase{"MissingVia",
                "OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\nFrom: <sip:b@c>;tag=1\r\n"
                "Call-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
                "Via"},
        BadCase{"Version", request("", "OPTIONS sip:a@example.com SIP/3.0"), "version",
                Errc::unsupported},
        BadCase{"NoEmptyLine", "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n",
                "empty line"},
        BadCase{"TooManyHeaders",
                [] {
                    std::string extra;
                    for (int i = 0; i < 200; ++i)
                        extra += "X-H: 1\r\n";
                    return request(extra);
                }(),
                "more than", Errc::too_large}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Message, EnforcesSizeAndLineLimits) {
    ParseLimits limits;
    limits.maxMessageBytes = 200;
    auto big = Message::parse(request(std::string(300, ' ')), limits);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, Errc::too_large);
    limits = {};
    limits.maxLineBytes = 50;
    auto longLine = Message::parse(request("Subject: " + std::string(60, 'a') + "\r\n"), limits);
    ASSERT_FALSE(longLine);
    EXPECT_EQ(longLine.error().code, Errc::too_large);
}

TEST(Message, IgnoresLeadingCrlfAndToleratesBareLf) {
    auto m = Message::parse("\r\n\r\n" + request(""));
    ASSERT_TRUE(m) << m.error().message;
    std::string lf = request("");
    std::erase(lf, '\r');
    EXPECT_TRUE(Message::parse(lf));
}

TEST(Message, DatagramBodyIsCutAtContentLength) {
    auto m = Message::parse(request("Content-Length: 3\r\n") + "abcdef");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->body(), "abc");
}

TEST(Message, MovingKeepsViewsValid) {
    auto m = Message::parse(crlf(kInvite));
    ASSERT_TRUE(m);
    Message moved = std::move(*m);
    EXPECT_EQ(moved.callId(), "a84b4c76e66710@pc33.atlanta.example.com");
    EXPECT_EQ(moved.vias()[2].host, "proxy.example.com");
}

} // namespace
} // namespace sb::sip
