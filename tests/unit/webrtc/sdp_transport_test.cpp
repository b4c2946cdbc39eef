// The WebRTC transport of a session description: read from offers as Chromium and an older
// peer write them, written back the same, and refused with the attribute named.
#include "sdp/parser.hpp"
#include "webrtc/sdp_transport.hpp"

#include <gtest/gtest.h>

namespace sb::webrtc {
namespace {

constexpr std::string_view kFingerprint =
    "D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:"
    "E6:0F";

std::string chromiumOffer(std::string_view extra = "") {
    return "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
           "a=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n"
           "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
           "a=candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 "
           "network-id 1\r\n"
           "a=candidate:9 1 udp 2122260223 192.168.0.196 46244 typ wormhole\r\n"
           "a=ice-ufrag:7qqq\r\na=ice-pwd:Ug1tPBqDnxm3LpKzSOKIs0ZZ\r\na=ice-options:trickle\r\n"
           "a=fingerprint:sha-256 " +
           std::string(kFingerprint) +
           "\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n" +
           std::string(extra);
}

sdp::Session parsed(const std::string& text) {
    auto s = sdp::parse(text);
    EXPECT_TRUE(s) << s.error().message;
    return *s;
}

TEST(SdpTransport, ReadsAChromiumOffer) {
    const auto s = parsed(chromiumOffer());
    auto t = readTransport(s, s.media.front());
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->iceUfrag, "7qqq");
    EXPECT_EQ(t->icePwd, "Ug1tPBqDnxm3LpKzSOKIs0ZZ");
    EXPECT_TRUE(t->trickles());
    ASSERT_EQ(t->fingerprints.size(), 1u);
    EXPECT_EQ(t->fingerprints[0].hash, "sha-256");
    EXPECT_EQ(fingerprintText(t->fingerprints[0].digest), kFingerprint);
    EXPECT_EQ(t->setup, DtlsSetup::actpass);
    EXPECT_EQ(t->mid, "0");
    EXPECT_EQ(t->candidates.size(), 1u); // the unknown type is skipped
    EXPECT_FALSE(t->endOfCandidates);
    auto sctp = readSctp(s.media.front());
    ASSERT_TRUE(sctp) << sctp.error().message;
    EXPECT_EQ(sctp->port, 5000);
    EXPECT_EQ(sctp->largestMessage(), 262144u);
}

TEST(SdpTransport, WritesWhatItReads) {
    const auto s = parsed(chromiumOffer("a=end-of-candidates\r\n"));
    auto t = readTransport(s, s.media.front());
    ASSERT_TRUE(t);
    sdp::Media m;
    m.type = "application";
    m.port = 9;
    m.proto = "UDP/DTLS/SCTP";
    m.formats = {"webrtc-datachannel"};
    writeTransport(*t, m);
    SctpDescription sctp{5000, false, 65536};
    writeSctp(sctp, m);
    sdp::Session out = s;
    out.attributes = {};
    out.media = {m};
    auto again = parsed(sdp::write(out));
    EXPECT_EQ(readTransport(again, again.media.front()).value(), *t);
    EXPECT_EQ(readSctp(again.media.front()).value(), sctp);
}

TEST(SdpTransport, SessionLevelCredentialsAndFingerprintApply) {
    const std::string text =
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
        "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
        "a=fingerprint:SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\r\n"
        "m=application 5000 DTLS/SCTP 5000\r\nc=IN IP4 10.0.0.1\r\n"
        "a=sctpmap:5000 webrtc-datachannel 1024\r\na=setup:passive\r\n";
    const auto s = parsed(text);
    auto t = readTransport(s, s.media.front());
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_TRUE(t->iceLite);
    EXPECT_EQ(t->iceUfrag, "abcd");
    EXPECT_EQ(t->fingerprints.front().hash, "sha-1");
    EXPECT_EQ(t->setup, DtlsSetup::passive);
    auto sctp = readSctp(s.media.front());
    ASSERT_TRUE(sctp) << sctp.error().message;
    EXPECT_TRUE(sctp->legacy);
    EXPECT_EQ(sctp->largestMessage(), 65536u);
}

TEST(SdpTransport, RefusesWhatBreaksTheRfcsNamingTheAttribute) {
    auto why = [](std::string from, std::string_view line, std::string_view replacement) {
        auto at = from.find(line);
        EXPECT_NE(at, std::string::npos) << line;
        from.replace(at, line.size(), replacement);
        const auto s = parsed(from);
        auto t = readTransport(s, s.media.front());
        if (!t) return t.error().message;
        auto sctp = readSctp(s.media.front());
        return sctp ? std::string("accepted") : sctp.error().message;
    };
    const auto offer = chromiumOffer();
    EXPECT_EQ(why(offer, "a=ice-ufrag:7qqq\r\n", ""), "no a=ice-ufrag");
    EXPECT_EQ(why(offer, "a=ice-ufrag:7qqq", "a=ice-ufrag:7qq"),
              "a=ice-ufrag: not 4 to 256 ice-chars (3 bytes)");
    EXPECT_EQ(why(offer, "a=ice-pwd:Ug1tPBqDnxm3LpKzSOKIs0ZZ", "a=ice-pwd:short"),
              "a=ice-pwd: not 22 to 256 ice-chars (5 bytes)");
    EXPECT_EQ(why(offer, "a=ice-options:trickle", "a=ice-options:trickle ice\"2"),
              "a=ice-options: 'ice\"2' is not a token");
    EXPECT_EQ(why(offer, "D2:FA:0E", "D2:FA"), "a=fingerprint: a sha-256 digest is 32 bytes");
    EXPECT_EQ(why(offer, "D2:FA:0E", "D2-FA:0E"),
              "a=fingerprint: 'D2-FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:"
              "34:8E:5E:EA:6F:AF:52:CE:E6:0F' is not hex pairs between colons");
    EXPECT_EQ(why(offer, "a=fingerprint:sha-256", "a=fingerprint:md5"),
              "no a=fingerprint with sha-1, sha-224, sha-256, sha-384 or sha-512");
    EXPECT_EQ(why(offer, "a=setup:actpass", "a=setup:both"),
              "a=setup: 'both' is not actpass, active, passive or holdconn");
    EXPECT_EQ(why(offer, "a=mid:0", "a=mid:a b"), "a=mid: 'a b' is not a token");
    EXPECT_EQ(why(offer, "typ host generation 0", "typ host generation"),
              "a=candidate: extension '1' has no value");
    EXPECT_EQ(why(offer, "a=sctp-port:5000", "a=sctp-port:0"),
              "a=sctp-port: '0' is not 1 to 65535");
    EXPECT_EQ(why(offer, "a=max-message-size:262144", "a=max-message-size:-1"),
              "a=max-message-size: '-1' is not a number");
    EXPECT_EQ(why(offer, "a=max-message-size:262144", "a=max-message-size:60"),
              "a=max-message-size: 60 is below 1024, too small for the session's messages");
    EXPECT_EQ(why(offer, "a=max-message-size:262144", "a=max-message-size:0"), "accepted");
    EXPECT_EQ(why(offer, "UDP/DTLS/SCTP webrtc-datachannel", "RTP/SAVPF 111"),
              "m=application … RTP/SAVPF is not a DataChannel section (m=application … "
              "UDP/DTLS/SCTP webrtc-datachannel)");
}

TEST(IceFragment, AWhipPatchIsReadAndWrittenBack) {
    // RFC 9725 §4.3.1's example, shortened.
    const std::string text = "a=ice-options:trickle ice2\r\na=group:BUNDLE 0 1\r\n"
                             "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
                             "a=ice-ufrag:EsAw\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
                             "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host "
                             "generation 0 ufrag EsAw network-id 1\r\n"
                             "a=end-of-candidates\r\n";
    auto f = readIceFragment(text);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->iceUfrag, "EsAw");
    EXPECT_EQ(f->icePwd, "P2uYro0UCOQ4zxjKXaWCBui1");
    ASSERT_EQ(f->candidates.size(), 1u);
    EXPECT_EQ(f->candidates[0].address, "192.0.2.1");
    EXPECT_TRUE(f->endOfCandidates);
    EXPECT_EQ(f->mid, "0");
    auto again = readIceFragment(writeIceFragment(*f));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->iceUfrag, f->iceUfrag);
    EXPECT_EQ(again->candidates, f->candidates);
    EXPECT_EQ(again->mid, f->mid);
}

TEST(IceFragment, BadFragmentsAreRefusedWithTheirReason) {
    EXPECT_EQ(readIceFragment("a=ice-ufrag:EsAw\r\n").error().message,
              "a fragment gives a=ice-ufrag and a=ice-pwd together");
    EXPECT_EQ(
        readIceFragment("a=ice-ufrag:E\r\na=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n").error().message,
        "a=ice-ufrag: not 4 to 256 ice-chars (1 bytes)");
    EXPECT_FALSE(readIceFragment("a=candidate:1 1 UDP x 10.0.0.1 5000 typ host\r\n"));
    // Trickled candidates alone, in the session's generation: no credentials.
    auto trickle = readIceFragment("a=candidate:1 1 UDP 2130706431 10.0.0.1 5000 typ host\n");
    ASSERT_TRUE(trickle);
    EXPECT_FALSE(trickle->iceUfrag);
    EXPECT_EQ(trickle->candidates.size(), 1u);
}

} // namespace
} // namespace sb::webrtc
