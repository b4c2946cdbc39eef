#include "sip/stream_framer.hpp"

#include <gtest/gtest.h>
#include <string>

namespace sb::sip {
namespace {

using Kind = StreamFrame::Kind;
constexpr std::size_t kMax = 65536;

std::string msg(std::string_view body, std::string_view lengthHeader = "Content-Length: ") {
    return "INVITE sip:bob@example.com SIP/2.0\r\n"
           "Via: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK1\r\n"
           "Call-ID: abc\r\n" +
           std::string(lengthHeader) + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

TEST(StreamFramer, CompleteMessageWithBody) {
    const auto m = msg("v=0\r\n");
    auto r = frameStreamMessage(m + "OPTIONS", kMax);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->kind, Kind::message);
    EXPECT_EQ(r->skip, 0u);
    EXPECT_EQ(r->length, m.size());
}

TEST(StreamFramer, EveryPrefixIsIncomplete) {
    const auto m = msg("hello");
    for (std::size_t i = 0; i < m.size(); ++i) {
        auto r = frameStreamMessage(std::string_view(m).substr(0, i), kMax);
        ASSERT_TRUE(r) << i << ": " << r.error().message;
        EXPECT_EQ(r->kind, Kind::incomplete) << i;
        // Once the header section is whole, the length the body still needs is known.
        const bool headerWhole = i >= m.find("\r\n\r\n") + 4;
        EXPECT_EQ(r->announced, headerWhole ? m.size() : 0u) << i;
    }
    auto r = frameStreamMessage(m, kMax);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Kind::message);
}

TEST(StreamFramer, HeaderNamesAreCaseInsensitiveCompactAndAllowLwsBeforeColon) {
    for (auto header : {"content-length: ", "CONTENT-LENGTH:", "l: ", "L:", "Content-Length \t: ",
                        "Content-Length:\r\n  "}) {
        const auto m = msg("abc", header);
        auto r = frameStreamMessage(m, kMax);
        ASSERT_TRUE(r) << header << ": " << r.error().message;
        EXPECT_EQ(r->kind, Kind::message) << header;
        EXPECT_EQ(r->length, m.size()) << header;
    }
}

TEST(StreamFramer, OtherHeadersStartingWithLOrCAreIgnored) {
    const std::string m = "MESSAGE sip:a@b SIP/2.0\r\nLength: 99\r\nContact: <sip:x>\r\n"
                          "Content-Type: text/plain\r\nlx: 5\r\nContent-Length: 2\r\n\r\nhi";
    auto r = frameStreamMessage(m, kMax);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->length, m.size());
}

TEST(StreamFramer, LeadingCrlfsAreSkipped) {
    const auto m = msg("");
    auto r = frameStreamMessage("\r\n" + m, kMax);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Kind::message);
    EXPECT_EQ(r->skip, 2u);
    EXPECT_EQ(r->length, m.size());
}

TEST(StreamFramer, DoubleCrlfIsAKeepAlivePing) {
    auto r = frameStreamMessage("\r\n\r\n", kMax);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Kind::ping);
    EXPECT_EQ(r->consumed(), 4u);

    r = frameStreamMessage("\r\n\r\nINVITE", kMax); // a ping, then the start of a message
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Kind::ping);

    for (auto partial : {"\r", "\r\n", "\r\n\r"}) {
        r = frameStreamMessage(partial, kMax);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->kind, Kind::incomplete) << "partial ping must wait";
        EXPECT_EQ(r->skip, 0u);
    }
}

TEST(StreamFramer, MissingContentLengthIsAnError) {
    const std::string m = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n";
    auto r = frameStreamMessage(m, kMax);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_EQ(r.error().message,
              "Content-Length is required on stream transports (RFC 3261 §18.3)");
}

TEST(StreamFramer, BadContentLengthValuesAreNamed) {
    for (auto value : {"abc", "-1", "12x", "", "1 2", "99999999999999999999999"}) {
        const std::string m =
            std::string("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: ") + value + "\r\n\r\n";
        auto r = frameStreamMessage(m, kMax);
        ASSERT_FALSE(r) << value;
        EXPECT_EQ(r.error().code, Errc::invalid_input) << value;
        EXPECT_NE(r.error().message.find("Content-Length"), std::string::npos) << r.error().message;
    }
}

TEST(StreamFramer, ConflictingContentLengthsAreAnError) {
    const std::string m = "OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab";
    auto r = frameStreamMessage(m, kMax);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("Content-Length"), std::string::npos);
    const std::string same = "OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n\r\nab";
    EXPECT_TRUE(frameStreamMessage(same, kMax));
}

TEST(StreamFramer, OversizedBodyIsTooLargeAsSoonAsHeadersAreIn) {
    const auto m = msg(std::string(200, 'x'));
    const auto headersOnly = m.substr(0, m.find("\r\n\r\n") + 4);
    auto r = frameStreamMessage(headersOnly, 100 + headersOnly.size());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::too_large);
    auto huge = frameStreamMessage(
        "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 18446744073709551615\r\n\r\n", kMax);
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().code, Errc::too_large);
}

TEST(StreamFramer, EndlessHeaderSectionIsTooLarge) {
    std::string garbage(2000, 'A');
    auto r = frameStreamMessage(garbage, 1024);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::too_large);
    EXPECT_TRUE(frameStreamMessage(garbage.substr(0, 1000), 1024)); // not proven yet
    std::string lines;
    while (lines.size() < 2000)
        lines += "X-Filler: yyyyyyyyyyyyyyyyyyyy\r\n";
    r = frameStreamMessage("OPTIONS sip:a@b SIP/2.0\r\n" + lines, 1024);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::too_large);
}

TEST(StreamFramer, ExactlyAtTheLimitIsAccepted) {
    const auto m = msg("body");
    auto r = frameStreamMessage(m, m.size());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, Kind::message);
    EXPECT_FALSE(frameStreamMessage(m, m.size() - 1));
}

} // namespace
} // namespace sb::sip
