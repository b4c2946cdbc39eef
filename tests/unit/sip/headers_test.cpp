#include "sip/header_policy.hpp"
#include "sip/headers.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

TEST(Headers, AuthChallengeAndCredentials) {
    auto challenge = parseAuth(R"(Digest realm="atlanta.example.com", qop="auth,auth-int",)"
                               R"( nonce="ea9c8e88", algorithm=SHA-256, stale=true)",
                               "WWW-Authenticate");
    ASSERT_TRUE(challenge) << challenge.error().message;
    EXPECT_EQ(challenge->scheme, "Digest");
    EXPECT_EQ(challenge->param("realm"), "atlanta.example.com");
    EXPECT_EQ(challenge->param("qop"), "auth,auth-int");
    EXPECT_EQ(challenge->param("ALGORITHM"), "SHA-256");
    EXPECT_FALSE(challenge->param("opaque"));
    auto bad = parseAuth("Digest realm", "Proxy-Authenticate");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("Proxy-Authenticate"), std::string::npos);
}

TEST(Headers, TokenLists) {
    EXPECT_TRUE(validateTokenList("INVITE, ACK ,BYE", "Allow"));
    EXPECT_TRUE(validateTokenList("", "Supported"));
    EXPECT_FALSE(validateTokenList("100rel,,timer", "Supported"));
    EXPECT_FALSE(validateTokenList("a b", "Require"));
}

TEST(Headers, ViaWithSpacesAroundSlashesAndParams) {
    auto via = parseVia("SIP / 2.0 / UDP  192.0.2.1 : 5060 ; branch = z9hG4bK1 ; rport=5061");
    ASSERT_TRUE(via) << via.error().message;
    EXPECT_EQ(via->transport, "UDP");
    EXPECT_EQ(via->host, "192.0.2.1");
    EXPECT_EQ(via->port, 5060);
    EXPECT_EQ(via->branch, "z9hG4bK1");
    EXPECT_EQ(via->rport, "5061");
    EXPECT_FALSE(parseVia("SIP/2.0/UDP"));
    EXPECT_TRUE(parseVia("SIP/2.0/UDP host;received=[2001:db8::1]")); // RFC 5118 §4.5
    EXPECT_FALSE(parseVia("SIP/2.0/UDP host;received=example.com"));
    EXPECT_FALSE(parseVia("SIP/2.0/UDP host;rport=x"));
}

TEST(Headers, NameAddrForms) {
    auto token = parseNameAddr("Bob  Smith <sip:bob@example.com>;tag=7", "To");
    ASSERT_TRUE(token);
    EXPECT_EQ(token->display, "Bob  Smith");
    EXPECT_EQ(token->tag(), "7");
    auto bare = parseNameAddr("sip:bob@example.com;tag=8", "To");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->uri.text, "sip:bob@example.com");
    EXPECT_EQ(bare->tag(), "8");
    EXPECT_FALSE(parseNameAddr("Bell, Alexander <sip:a@b>", "From")); // needs quotes
    EXPECT_FALSE(parseNameAddr("\"unterminated <sip:a@b>", "From"));
    EXPECT_FALSE(parseNameAddr("< sip:a@b >", "To"));          // LWS inside <>
    EXPECT_FALSE(parseNameAddr("sip:a@b?Route=x", "Contact")); // needs <>
    EXPECT_FALSE(parseNameAddr("<sip:a@b> junk", "To"));
    EXPECT_FALSE(parseNameAddr("<sip:a@b>;;", "To"));
}

TEST(Headers, CSeqAndScalars) {
    auto cseq = parseCSeq("2147483647 INVITE");
    ASSERT_TRUE(cseq);
    EXPECT_EQ(cseq->number, 2147483647u);
    EXPECT_FALSE(parseCSeq("2147483648 INVITE"));
    EXPECT_FALSE(parseCSeq("1"));
    EXPECT_FALSE(parseScalar("-1", 100, "Content-Length"));
    EXPECT_EQ(*parseScalar("0042", 100, "Expires"), 42u);
    EXPECT_TRUE(validateDate("Sat, 13 Nov 2010 23:29:00 GMT"));
    EXPECT_FALSE(validateDate("Sat, 13 Nov 2010 23:29:00 EST"));
}

// RFC 3261 §20.15 and RFC 2045 §5.1: media types are compared without case, and parameters
// are not part of the type.
TEST(ContentType, SdpIsKnownWhateverItsCaseAndParameters) {
    EXPECT_TRUE(isSdpType("application/sdp"));
    EXPECT_TRUE(isSdpType("Application/SDP"));
    EXPECT_TRUE(isSdpType("application/sdp ; charset=utf-8"));
    EXPECT_FALSE(isSdpType("application/sdpx"));
    EXPECT_FALSE(isSdpType("multipart/mixed;boundary=x"));
    EXPECT_FALSE(isSdpType(""));
}

} // namespace
} // namespace sb::sip
