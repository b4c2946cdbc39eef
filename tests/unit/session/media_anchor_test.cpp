// The media anchor's offer/answer across two legs, and a call's packets relayed on a media
// worker (RTP itself is proven in the rtp tests and with baresip in
// tests/interop/media_baresip_test.sh).
#include "rtp/port_pool.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/rtp_stream.hpp"
#include "rtp/srtp.hpp"
#include "sdp/parser.hpp"
#include "session/media_anchor.hpp"
#include "session/sdes.hpp"
#include "support/udp_phone.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <thread>

namespace sb::session {
namespace {

using Party = room::End;
constexpr room::RoomId kPair(1), kOtherPair(2);
using testing::HasSubstr;

std::string offer(std::string_view codecs, std::string_view extra = "", int version = 1) {
    return fmt::format("v=0\r\no=phone 1 {} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                       "t=0 0\r\nm=audio 5004 RTP/AVP {}\r\n{}",
                       version, codecs, extra);
}

class Anchor : public testing::Test {
protected:
    Anchor() {
        MediaOptions o;
        o.codecs = {{"opus", 48000, 2}, {"PCMU", 8000, 1}, {"PCMA", 8000, 1}};
        anchor_.emplace(lanes_, std::move(o));
    }
    sdp::Session relayed(Party from, const std::string& text) {
        auto out = anchor_->relay(kPair, from, text);
        EXPECT_TRUE(out) << out.error().message;
        auto parsed = sdp::parse(out ? *out : "");
        EXPECT_TRUE(parsed);
        return parsed ? std::move(parsed).value() : sdp::Session{};
    }
    // What the anchor asked of the lane (here the test's own loop) is done.
    void settle() {
        io_.restart();
        io_.poll();
    }
    asio::io_context io_;
    MediaLanes lanes_{io_, 0, asio::ip::make_address("127.0.0.1"), {}, {44000, 44099}};
    std::optional<MediaAnchor> anchor_;
};

TEST_F(Anchor, OffersTheOffererCodecsFirstAtOurAddressAndAnswersWithTheChosenOne) {
    auto toCallee =
        relayed(Party::arrived, offer("8 101", "a=rtpmap:101 telephone-event/8000\r\n"));
    ASSERT_EQ(toCallee.media.size(), 1u);
    const auto& m = toCallee.media[0];
    EXPECT_GE(m.port, 44000);
    EXPECT_EQ(toCallee.connectionOf(m)->address, "127.0.0.1");
    ASSERT_GE(m.formats.size(), 4u);
    EXPECT_EQ(m.rtpmap(std::stoi(m.formats[0]))->encoding, "PCMA"); // the caller's, first
    EXPECT_EQ(lanes_.portsLeased(), 2u);
    // The callee picks Opus: transcoded, and the caller is answered with its PCMA.
    auto toCaller = relayed(Party::dialled, offer("96", "a=rtpmap:96 opus/48000/2\r\n"));
    const auto& answer = toCaller.media[0];
    // Its DTMF events stay: the callee has none, so they cross as SIP INFO.
    EXPECT_EQ(answer.formats, (std::vector<std::string>{"8", "101"}));
    EXPECT_NE(answer.port, m.port);
    EXPECT_EQ(toCaller.direction(answer), sdp::Direction::sendrecv);
}

// RFC 4733 §2.1: the events' clock is the audio's. An Opus caller's telephone-event/48000 is
// offered on at 48000 (and at 8000, which every phone takes), and the answer's event format is
// the one at its codec's clock.
TEST_F(Anchor, TelephoneEventsAreOfferedAtTheOfferersClockAndAt8000) {
    auto toCallee =
        relayed(Party::arrived, offer("111 101 100", "a=rtpmap:111 opus/48000/2\r\n"
                                                     "a=rtpmap:101 telephone-event/48000\r\n"
                                                     "a=rtpmap:100 telephone-event/8000\r\n"));
    const auto& m = toCallee.media[0];
    std::vector<std::uint32_t> eventClocks;
    for (const auto& format : m.formats)
        if (auto map = m.rtpmap(std::stoi(format)); map && map->encoding == "telephone-event")
            eventClocks.push_back(map->clockRate);
    EXPECT_EQ(eventClocks, (std::vector<std::uint32_t>{48000, 8000}));
    // The callee takes Opus and both event formats: the caller is answered with the one at 48000.
    auto toCaller =
        relayed(Party::dialled, offer("111 101 100", "a=rtpmap:111 opus/48000/2\r\n"
                                                     "a=rtpmap:101 telephone-event/8000\r\n"
                                                     "a=rtpmap:100 telephone-event/48000\r\n"));
    const auto& answer = toCaller.media[0];
    ASSERT_EQ(answer.formats.size(), 2u);
    EXPECT_EQ(answer.rtpmap(std::stoi(answer.formats[1]))->clockRate, 48000u);
}

TEST_F(Anchor, ARepeatedDescriptionGetsTheSameRewrite) {
    const auto first = *anchor_->relay(kPair, Party::arrived, offer("0"));
    const auto answer = *anchor_->relay(kPair, Party::dialled, offer("0"));
    EXPECT_EQ(*anchor_->relay(kPair, Party::dialled, offer("0")), answer); // a 183, then the 200
    EXPECT_THAT(first, HasSubstr("m=audio"));
}

TEST_F(Anchor, HoldCrossesAsItCameAndEndingReturnsThePorts) {
    relayed(Party::arrived, offer("0"));
    relayed(Party::dialled, offer("0"));
    auto hold = relayed(Party::arrived, offer("0", "a=sendonly\r\n", 2));
    EXPECT_EQ(hold.direction(hold.media[0]), sdp::Direction::sendonly);
    auto held = relayed(Party::dialled, offer("0", "a=recvonly\r\n", 2));
    EXPECT_EQ(held.direction(held.media[0]), sdp::Direction::recvonly);
    settle();
    anchor_->left(kPair);
    EXPECT_EQ(anchor_->sessions(), 0u);
    settle(); // the streams go on their lane, and the ports with them
    EXPECT_EQ(lanes_.portsLeased(), 0u);
}

TEST_F(Anchor, BadDescriptionsAreRefusedWithTheReason) {
    auto malformed = anchor_->relay(kPair, Party::arrived, "v=0\r\nm=audio x RTP/AVP 0\r\n");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, Errc::invalid_input);
    auto video = anchor_->relay(kOtherPair, Party::arrived,
                                "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                                "t=0 0\r\nm=video 5006 RTP/AVP 96\r\n");
    ASSERT_FALSE(video);
    EXPECT_EQ(video.error().code, Errc::unsupported);
    relayed(Party::arrived, offer("0"));
    auto amr = anchor_->relay(kPair, Party::dialled, offer("96", "a=rtpmap:96 AMR/8000\r\n"));
    ASSERT_FALSE(amr);
    EXPECT_EQ(amr.error().code, Errc::unsupported);
    EXPECT_THAT(amr.error().message, HasSubstr("AMR"));
}

TEST_F(Anchor, ARefreshWithAnUnchangedOfferStillExpectsItsAnswer) {
    const auto offer1 = offer("0 8");
    const auto first = *anchor_->relay(kPair, Party::arrived, offer1);
    relayed(Party::dialled, offer("0"));
    // A session refresh: the same offer again goes on unchanged, version and all …
    EXPECT_EQ(*anchor_->relay(kPair, Party::arrived, offer1), first);
    // … and the callee's new answer (a new o= version) is taken as the answer it is.
    auto toCaller = relayed(Party::dialled, offer("0", "", 2));
    EXPECT_EQ(toCaller.media[0].formats, std::vector<std::string>{"0"});
}

} // namespace
} // namespace sb::session

namespace sb::session {
namespace {

TEST_F(Anchor, ARoutesSrtpPolicyDecidesWhatTheCalleeIsOffered) {
    // The options say off; the route asks for RTP/SAVP towards the callee.
    sip::RouteMatch route;
    route.srtp = "required";
    anchor_->routed(kPair, route);
    auto toCallee = relayed(Party::arrived, offer("0"));
    EXPECT_EQ(toCallee.media[0].proto, "RTP/SAVP");
    EXPECT_FALSE(toCallee.media[0].cryptos().empty());
    // Another call, on a route that leaves it to the options: plain RTP.
    route.srtp = "";
    anchor_->routed(kOtherPair, route);
    auto plain = anchor_->relay(kOtherPair, Party::arrived, offer("0"));
    ASSERT_TRUE(plain);
    EXPECT_THAT(*plain, HasSubstr("RTP/AVP"));
    EXPECT_THAT(*plain, testing::Not(HasSubstr("a=crypto")));
}

} // namespace
} // namespace sb::session

namespace sb::session {
namespace {

// A phone's offer or answer: PCMU at its own port.
std::string phoneSdp(std::uint16_t port, int version = 1) {
    return fmt::format("v=0\r\no=phone 1 {} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                       "t=0 0\r\nm=audio {} RTP/AVP 0\r\n",
                       version, port);
}

// The port of the first m=audio line.
std::uint16_t portIn(const std::string& sdp) {
    return static_cast<std::uint16_t>(std::stoi(sdp.substr(sdp.find("m=audio ") + 8)));
}

TEST(AnchorOnAWorker, TheCallsPacketsCrossOnTheWorkerAndItsPortsComeBack) {
    asio::io_context io; // the control loop
    MediaLanes lanes(io, 1, test::kLoopback, {}, {44200, 44299});
    ASSERT_EQ(lanes.workers(), 1u);
    MediaOptions o;
    o.codecs = {{"PCMU", 8000, 1}};
    std::optional<MediaAnchor> anchor(std::in_place, lanes, o);
    test::Phone caller(io), callee(io);
    auto toCallee = anchor->relay(kPair, Party::arrived, phoneSdp(caller.endpoint().port()));
    auto toCaller = anchor->relay(kPair, Party::dialled, phoneSdp(callee.endpoint().port()));
    ASSERT_TRUE(toCallee) << toCallee.error().message;
    ASSERT_TRUE(toCaller) << toCaller.error().message;
    EXPECT_EQ(lanes.portsLeased(), 2u); // leased here, at once: our descriptions name them

    // The caller's packets reach the callee, relayed by the worker (nothing runs `io`).
    std::array<std::byte, 172> packet{};
    int heard = 0;
    for (std::uint16_t i = 0; i < 200 && heard < 5; ++i) {
        rtp::writeRtpHeader(packet, {false, 0, i, i * 160u, 0x1234});
        caller.send(packet, portIn(*toCaller));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        while (callee.receive())
            ++heard;
    }
    EXPECT_GE(heard, 5);

    anchor->left(kPair);
    for (int i = 0; i < 200 && lanes.portsLeased() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(lanes.portsLeased(), 0u) << "the worker let the streams go, and their ports";
    bool refreshed = false;
    anchor->refresh([&] { refreshed = true; });
    for (int i = 0; i < 200 && !refreshed; ++i) {
        io.restart(); // a loop that ran out of work stays stopped until restarted
        if (io.poll() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(refreshed);
    EXPECT_GE(anchor->stats().links.relayed, 5u) << "the counters came back from the worker";
}

} // namespace
} // namespace sb::session

namespace sb::session {
namespace {

std::string securedSdp(std::uint16_t port, int version, const std::string& key,
                       std::string_view direction) {
    return fmt::format("v=0\r\no=phone 1 {} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                       "t=0 0\r\nm=audio {} RTP/SAVP 0\r\n"
                       "a=crypto:1 AES_CM_128_HMAC_SHA1_80 {}\r\na={}\r\n",
                       version, port, key, direction);
}

std::string cryptoLineOf(const std::string& sdp) {
    const auto at = sdp.find("a=crypto:");
    return at == std::string::npos ? "" : sdp.substr(at, sdp.find("\r\n", at) - at);
}

// RFC 3711 §3.3.1: a crypto context's rollover counter lives as long as the context. A hold
// and a resume that keep the caller's key (RFC 4568 §7.1.4 lets them) must keep the contexts;
// new ones would start at ROC 0 and refuse every packet once the caller's numbers wrapped.
TEST(AnchorSrtp, AReInviteKeepingItsKeyKeepsTheContextsAcrossASequenceWrap) {
    asio::io_context io;
    MediaLanes lanes(io, 0, test::kLoopback, {}, {44300, 44399});
    MediaOptions o;
    o.codecs = {{"PCMU", 8000, 1}};
    MediaAnchor anchor(lanes, o);
    test::Phone caller(io), callee(io);
    const auto suite = rtp::SrtpSuite::aesCm128HmacSha1_80;
    const std::string key = rtp::makeKeyParams(suite);
    auto protect = rtp::SrtpSession::make(suite, rtp::readKeyParams(suite, key).value(),
                                          rtp::SrtpSession::Direction::protect);
    ASSERT_TRUE(protect);
    auto settle = [&] {
        io.restart();
        io.poll();
    };
    auto negotiate = [&](int version, std::string_view callerSide, std::string_view calleeSide) {
        auto toCallee = anchor.relay(
            kPair, Party::arrived, securedSdp(caller.endpoint().port(), version, key, callerSide));
        EXPECT_TRUE(toCallee);
        auto toCaller = anchor.relay(
            kPair, Party::dialled,
            fmt::format("v=0\r\no=callee 2 {} IN IP4 127.0.0.1\r\ns=-\r\n"
                        "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {} RTP/AVP 0\r\na={}\r\n",
                        version, callee.endpoint().port(), calleeSide));
        EXPECT_TRUE(toCaller);
        settle();
        return toCaller ? *toCaller : std::string();
    };
    const std::string first = negotiate(1, "sendrecv", "sendrecv");
    const std::uint16_t ourPort = portIn(first);
    std::uint16_t sequence = 65400; // wraps after 136 packets
    auto speak = [&](int packets) {
        int heard = 0;
        std::vector<std::byte> buffer(12 + 160 + rtp::kSrtpMaxOverhead, std::byte{0x55});
        for (int i = 0; i < packets; ++i, ++sequence) {
            rtp::writeRtpHeader(buffer, {false, 0, sequence, sequence * 160u, 0xC0FFEE});
            auto length = (*protect)->protectRtp(buffer, 12 + 160);
            if (!length) return -1;
            caller.send(std::span(buffer).first(*length), ourPort);
            settle();
            while (callee.receive())
                ++heard;
        }
        return heard;
    };
    EXPECT_EQ(speak(200), 200) << "across the wrap: ROC 0 → 1";
    const std::string held = negotiate(2, "sendonly", "recvonly");
    EXPECT_EQ(cryptoLineOf(held), cryptoLineOf(first)) << "our key kept in our answer";
    EXPECT_EQ(speak(50), 50) << "after the hold";
    negotiate(3, "sendrecv", "sendrecv");
    EXPECT_EQ(speak(50), 50) << "after the resume";
}

// A peer that answers our repeated key with a new key of its own (RFC 4568 lets it) changes
// what it sends with, not what we send with: our protecting context goes on, with its
// rollover counter and indices (RFC 3711 §9.1: a new one would reuse the key's keystream).
TEST(AnchorSrtp, ANewKeyOfThePeersKeepsOurOwnContext) {
    asio::io_context io;
    rtp::PortPool pool(io, test::kLoopback, 44400, 44499);
    rtp::RtpStream stream(pool.lease().value(), false);
    test::Phone phone(io);
    stream.setRemote(phone.endpoint(), true);
    const auto suite = rtp::SrtpSuite::aesCm128HmacSha1_80;
    const SdesKeys first{suite, 1, *rtp::readKeyParams(suite, rtp::makeKeyParams(suite)),
                         rtp::makeKeyParams(suite)};
    ASSERT_TRUE(secure(stream, first));
    // The phone unprotects with our key, in one context all along.
    auto unprotect = rtp::SrtpSession::make(suite, *rtp::readKeyParams(suite, first.oursParams),
                                            rtp::SrtpSession::Direction::unprotect);
    ASSERT_TRUE(unprotect);
    std::uint16_t sequence = 65400; // wraps after 136 packets
    auto send = [&](int packets) {
        int opened = 0;
        std::vector<std::byte> packet(12 + 160, std::byte{0x33});
        for (int i = 0; i < packets; ++i, ++sequence) {
            rtp::writeRtpHeader(packet, {false, 0, sequence, sequence * 160u, 0xAB});
            stream.sendRtp(packet);
            io.restart();
            io.poll();
            while (auto got = phone.receive())
                if ((*unprotect)->unprotectRtp(*got)) ++opened;
        }
        return opened;
    };
    EXPECT_EQ(send(200), 200) << "across the wrap";
    SdesKeys second = first;
    second.theirs = *rtp::readKeyParams(suite, rtp::makeKeyParams(suite)); // the peer's new key
    ASSERT_TRUE(secure(stream, second, first));
    EXPECT_EQ(send(50), 50) << "our context went on";
}

} // namespace
} // namespace sb::session
