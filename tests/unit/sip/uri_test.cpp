#include "sip/uri.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

TEST(Uri, SipWithUserPasswordPortParamsAndHeaders) {
    auto uri =
        parseUri("sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr?subject=hi&x=1");
    ASSERT_TRUE(uri) << uri.error().message;
    EXPECT_EQ(uri->scheme, UriScheme::sip);
    EXPECT_EQ(uri->user, "alice");
    EXPECT_EQ(uri->password, "secret");
    EXPECT_EQ(uri->host, "atlanta.example.com");
    EXPECT_EQ(uri->port, 5070);
    EXPECT_EQ(uri->params.get("transport"), "tcp");
    EXPECT_EQ(uri->params.get("lr"), "");
    EXPECT_FALSE(uri->params.get("maddr"));
    EXPECT_EQ(uri->headers, "subject=hi&x=1");
}

TEST(Uri, SipsAndIpv6Reference) {
    auto uri = parseUri("sips:[2001:db8::10]:5061");
    ASSERT_TRUE(uri) << uri.error().message;
    EXPECT_EQ(uri->scheme, UriScheme::sips);
    EXPECT_EQ(uri->host, "[2001:db8::10]");
    EXPECT_EQ(uri->port, 5061);
    EXPECT_TRUE(parseUri("sip:[::ffff:192.0.2.1]"));
}

TEST(Uri, RejectsBadHostsPortsAndEscapes) {
    EXPECT_FALSE(parseUri("sip:2001:db8::10"));          // RFC 5118: IPv6 needs brackets
    EXPECT_FALSE(parseUri("sip:[2001:db8::::10]"));      // four colons
    EXPECT_TRUE(parseUri("sip:[2001:db8:::192.0.2.1]")); // RFC 5118 §4.9 tolerates three
    EXPECT_FALSE(parseUri("sip:user@host:99999"));       // port out of range
    EXPECT_FALSE(parseUri("sip:us%zzer@host"));          // bad escape
    EXPECT_FALSE(parseUri("sip:user@"));                 // no host
    EXPECT_FALSE(parseUri("sip:user@ho st"));            // whitespace
    EXPECT_FALSE(parseUri("sip:user@256.1.1.1"));        // not an IPv4 address
    EXPECT_FALSE(parseUri("<sip:user@host>"));           // brackets are not part of a URI
    EXPECT_FALSE(parseUri("user@host"));                 // no scheme
    auto bad = parseUri("sip:user@host:x");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("URI port"), std::string::npos);
}

TEST(Uri, TelGlobalAndLocal) {
    auto global = parseUri("tel:+1-201-555-0123;ext=42");
    ASSERT_TRUE(global) << global.error().message;
    EXPECT_EQ(global->scheme, UriScheme::tel);
    EXPECT_EQ(global->user, "+1-201-555-0123");
    EXPECT_EQ(global->params.get("ext"), "42");
    EXPECT_TRUE(parseUri("tel:7042;phone-context=example.com"));
    EXPECT_FALSE(parseUri("tel:7042"));   // RFC 3966 §5.1.5: local numbers need phone-context
    EXPECT_FALSE(parseUri("tel:+1-abc")); // letters are not digits
}

TEST(Uri, OtherSchemesAreOpaque) {
    auto uri = parseUri("urn:service:sos");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->scheme, UriScheme::other);
    EXPECT_EQ(uri->opaque, "service:sos");
    EXPECT_FALSE(parseUri("mailto:a b@example.com"));
}

} // namespace
} // namespace sb::sip
