// The session description of a DataChannel connection: ours read back; the DTLS role chosen
// by the answerer (RFC 8842 §5.3); and aiortc, a real WebRTC stack, answering our offer and
// taking our answer to its own (tests/interop/webrtc_sdp_peer.py).
#include "sdp/parser.hpp"
#include "support/command_output.hpp"
#include "webrtc/data_session.hpp"
#include "webrtc/dtls_identity.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::webrtc {
namespace {

DataSession ours() {
    DataSession s;
    s.transport.iceUfrag = "Sw1t";
    s.transport.icePwd = "chboardchboardchboard1";
    s.transport.iceOptions = {"trickle"};
    s.transport.fingerprints = {DtlsIdentity::generate().value().fingerprint()};
    s.transport.candidates = {readCandidate("1 1 UDP 2130706431 10.9.0.1 50000 typ host").value()};
    s.transport.endOfCandidates = true;
    s.sctp.port = 5000;
    s.sctp.maxMessageSize = 262144;
    s.sessionId = 4611731400430051336u;
    return s;
}

// Runs the aiortc peer; `input` goes to its stdin. Its stdout.
std::string aiortc(const std::string& arguments, const std::string& input = "") {
    const auto in =
        std::filesystem::temp_directory_path() / ("sb-sdp-in-" + std::to_string(::getpid()));
    std::ofstream(in) << input;
    std::string out =
        test::commandOutput("timeout 30 /usr/bin/python3 " SB_INTEROP_DIR "/webrtc_sdp_peer.py " +
                            arguments + " < " + in.string());
    std::filesystem::remove(in);
    return out;
}

TEST(DataSession, OurOfferReadsBackAsItWasWritten) {
    const auto s = ours();
    const std::string offer = writeOffer(s);
    auto read = readDataSession(offer);
    ASSERT_TRUE(read) << read.error().message << "\n" << offer;
    EXPECT_EQ(read->transport.setup, DtlsSetup::actpass);
    EXPECT_EQ(read->transport.fingerprints, s.transport.fingerprints);
    EXPECT_EQ(read->transport.candidates, s.transport.candidates);
    EXPECT_TRUE(read->transport.endOfCandidates);
    EXPECT_EQ(read->mid, "0");
    EXPECT_TRUE(read->bundled);
    EXPECT_EQ(read->sctp, s.sctp);
}

TEST(DataSession, AnOfferOfHoldconnIsTheOfferersMistake) {
    std::string offer = writeOffer(ours());
    offer.replace(offer.find("a=setup:actpass"), 15, "a=setup:holdconn");
    auto read = readDataSession(offer);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().code, Errc::invalid_input); // 400, before any leg exists
    EXPECT_NE(read.error().message.find("a=setup:holdconn"), std::string::npos);
}

TEST(DataSession, TheAnswererChoosesTheDtlsRole) {
    EXPECT_EQ(answerSetup(DtlsSetup::actpass).value(), DtlsSetup::active);
    EXPECT_EQ(answerSetup(DtlsSetup::active).value(), DtlsSetup::passive);
    EXPECT_EQ(answerSetup(DtlsSetup::passive).value(), DtlsSetup::active);
    EXPECT_FALSE(answerSetup(DtlsSetup::holdconn));
    EXPECT_EQ(roleOfOurs(DtlsSetup::active), DtlsRole::client);
    EXPECT_EQ(roleLeftByAnswer(DtlsSetup::active), DtlsRole::server);
    EXPECT_EQ(roleLeftByAnswer(DtlsSetup::passive), DtlsRole::client);
}

TEST(DataSession, OurAnswerMirrorsTheOffersMidAndLegacyForm) {
    const std::string legacy = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
                               "m=application 9 DTLS/SCTP 5000\r\nc=IN IP4 10.0.0.1\r\n"
                               "a=sctpmap:5000 webrtc-datachannel 1024\r\na=setup:active\r\n"
                               "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
                               "a=fingerprint:sha-256 " +
                               fingerprintText(std::vector<std::uint8_t>(32, 0xAB)) + "\r\n";
    auto offer = readDataSession(legacy);
    ASSERT_TRUE(offer) << offer.error().message;
    auto answer = writeAnswer(ours(), *offer);
    ASSERT_TRUE(answer);
    EXPECT_NE(answer->find("m=application 9 DTLS/SCTP 5000\r\n"), std::string::npos) << *answer;
    EXPECT_NE(answer->find("a=setup:passive\r\n"), std::string::npos);
    EXPECT_EQ(answer->find("a=group:BUNDLE"), std::string::npos);
    EXPECT_EQ(answer->find("a=mid:"), std::string::npos);
}

TEST(DataSession, AiortcAnswersOurOffer) {
    const std::string answer = aiortc("answer", writeOffer(ours()));
    auto read = readDataSession(answer);
    ASSERT_TRUE(read) << read.error().message << "\naiortc said:\n" << answer;
    ASSERT_TRUE(read->transport.setup);
    EXPECT_NE(*read->transport.setup, DtlsSetup::actpass); // an answer picks a role
    EXPECT_EQ(read->mid, "0");
    EXPECT_TRUE(read->bundled);
    EXPECT_EQ(read->sctp.port, 5000);
    EXPECT_FALSE(read->transport.iceUfrag.empty());
    EXPECT_EQ(read->transport.fingerprints.front().digest.size(), 32u);
}

TEST(DataSession, AiortcTakesOurAnswerToItsOffer) {
    const auto file =
        std::filesystem::temp_directory_path() / ("sb-sdp-answer-" + std::to_string(::getpid()));
    const std::string command =
        "timeout 30 /usr/bin/python3 " SB_INTEROP_DIR "/webrtc_sdp_peer.py offer " + file.string();
    FILE* p = ::popen(command.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string offerText, line;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, p) && std::string_view(buffer) != "END\n")
        offerText += buffer;
    auto offer = readDataSession(offerText);
    std::string verdict;
    if (offer) {
        auto answer = writeAnswer(ours(), *offer);
        std::ofstream(file) << answer.value();
        std::ofstream(file.string() + ".done") << "";
        while (std::fgets(buffer, sizeof buffer, p))
            verdict += buffer;
    }
    ::pclose(p);
    std::filesystem::remove(file);
    std::filesystem::remove(file.string() + ".done");
    ASSERT_TRUE(offer) << offer.error().message << "\naiortc offered:\n" << offerText;
    EXPECT_EQ(offer->transport.setup, DtlsSetup::actpass);
    EXPECT_EQ(verdict, "accepted\n");
}

// A browser's offer with audio, video and a DataChannel, bundled (Chromium's form, shortened).
constexpr const char* kBrowserOffer =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\n"
    "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=rtpmap:0 PCMU/8000\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
    "a=fingerprint:sha-256 "
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:"
    "FF"
    "\r\na=setup:actpass\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtcp-mux\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\n"
    "a=sctp-port:5000\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
    "a=fingerprint:sha-256 "
    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:"
    "FF"
    "\r\na=setup:actpass\r\n";

TEST(DataSession, AnAnswerTakesTheOpusAudioAndRefusesTheRestInTheOffersOrder) {
    auto offer = readDataSession(kBrowserOffer);
    ASSERT_TRUE(offer) << offer.error().message;
    ASSERT_TRUE(offer->audio);
    EXPECT_EQ(offer->audio->section, 0u);
    EXPECT_EQ(offer->audio->payloadType, 111);
    EXPECT_EQ(offer->audio->fmtp, "minptime=10;useinbandfec=1");
    EXPECT_EQ(offer->dataSection, 2u);

    auto s = ours();
    s.audio = DataSession::Audio{0x5eed, "switchboard-1"};
    auto answer = writeAnswer(s, *offer);
    ASSERT_TRUE(answer) << answer.error().message;
    auto parsed = sdp::parse(*answer);
    ASSERT_TRUE(parsed) << *answer;
    ASSERT_EQ(parsed->media.size(), 3u) << *answer;
    const auto& audio = parsed->media[0];
    EXPECT_EQ(audio.type, "audio");
    EXPECT_EQ(audio.port, 9);
    EXPECT_EQ(audio.formats, std::vector<std::string>{"111"});
    EXPECT_TRUE(audio.rtcpMux());
    EXPECT_EQ(audio.attributes.get("mid"), "0");
    EXPECT_EQ(audio.attributes.get("setup"), "active");
    EXPECT_EQ(audio.attributes.get("ssrc"), std::to_string(0x5eed) + " cname:switchboard-1");
    EXPECT_EQ(parsed->media[1].type, "video");
    EXPECT_EQ(parsed->media[1].port, 0) << "refused";
    EXPECT_EQ(parsed->media[1].attributes.get("mid"), "1");
    EXPECT_EQ(parsed->media[2].type, "application");
    EXPECT_EQ(parsed->media[2].attributes.get("mid"), "2");
    EXPECT_EQ(parsed->attributes.get("group"), "BUNDLE 0 2");

    // Without a room's audio, the answer refuses the audio too.
    auto dataOnly = writeAnswer(ours(), *offer);
    ASSERT_TRUE(dataOnly);
    auto plain = sdp::parse(*dataOnly).value();
    EXPECT_EQ(plain.media[0].port, 0);
    EXPECT_EQ(plain.attributes.get("group"), "BUNDLE 2");
}

TEST(DataSession, AudioWithoutOpusOrRtcpMuxIsNotTaken) {
    std::string offer = kBrowserOffer;
    offer.replace(offer.find("a=rtcp-mux\r\n"), 12, "");
    auto read = readDataSession(offer);
    ASSERT_TRUE(read);
    EXPECT_FALSE(read->audio) << "RFC 8829 §5.1.1: rtcp-mux is required";
    offer = kBrowserOffer;
    offer.replace(offer.find("opus/48000/2"), 12, "ISAC/16000");
    read = readDataSession(offer);
    ASSERT_TRUE(read);
    EXPECT_FALSE(read->audio);
}

} // namespace
} // namespace sb::webrtc
