// Two legs' streams on loopback with plain UDP sockets as the phones: a packet from phone A
// reaches phone B rewritten; latching, a stranger's packets, garbage and SRTP.
#include "rtp/forwarder.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/rtp_stream.hpp"
#include "support/run_until.hpp"
#include "support/udp_phone.hpp"

#include <asio/ip/udp.hpp>
#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

using udp = asio::ip::udp;
using test::kLoopback;
using test::Phone;

std::vector<std::byte> rtp(std::uint16_t sequence, std::uint32_t ssrc = 0x11) {
    std::vector<std::byte> p(kFixedHeaderBytes + 160, std::byte{0x7f});
    writeRtpHeader(p, {false, 0, sequence, sequence * 160u, ssrc});
    return p;
}

class Streams : public testing::Test {
protected:
    Streams() : pool_(io_, kLoopback, 41000, 41999), phoneA_(io_), phoneB_(io_) {}

    std::unique_ptr<RtpStream> stream(bool latching) {
        auto lease = pool_.lease();
        EXPECT_TRUE(lease) << lease.error().message;
        return std::make_unique<RtpStream>(std::move(lease).value(), latching);
    }
    // Streams a and b, a → b relayed, a taking SRTP from phone A with the key of the session
    // returned, which protects what phone A sends.
    struct SrtpPair {
        std::unique_ptr<RtpStream> a, b;
        std::unique_ptr<SrtpSession> phoneSrtp;
    };
    SrtpPair srtpFromPhoneA() {
        SrtpPair out{stream(false), stream(false), nullptr};
        out.a->setRemote(phoneA_.endpoint(), true);
        out.b->setRemote(phoneB_.endpoint(), true);
        const auto suite = SrtpSuite::aesCm128HmacSha1_80;
        auto key = *readKeyParams(suite, makeKeyParams(suite));
        out.a->setSrtp(SrtpSession::make(suite, key, SrtpSession::Direction::unprotect).value(),
                       nullptr);
        out.phoneSrtp = SrtpSession::make(suite, key, SrtpSession::Direction::protect).value();
        bridge(*out.a, *out.b);
        return out;
    }
    // a → b relayed through a forwarder.
    void bridge(RtpStream& a, RtpStream& b) {
        RtpForwarder::Options o;
        o.ssrc = 0x5b5b5b5b;
        o.payloadTypes = {{0, {0, 8000}}};
        forwarder_.emplace(o);
        a.onRtp([&b, this](std::span<std::byte> p, const RtpView& v) {
            if (forwarder_->rewrite(p, v, RtpForwarder::Clock::now())) b.sendRtp(p);
        });
    }

    asio::io_context io_;
    PortPool pool_;
    Phone phoneA_, phoneB_;
    std::optional<RtpForwarder> forwarder_;
};

TEST_F(Streams, APacketCrossesToTheOtherLegRewritten) {
    auto a = stream(false), b = stream(false);
    a->setRemote(phoneA_.endpoint(), true);
    b->setRemote(phoneB_.endpoint(), true);
    bridge(*a, *b);
    phoneA_.send(rtp(1), a->localPort());
    std::optional<std::vector<std::byte>> got;
    ASSERT_TRUE(test::runUntil(io_, [&] { return (got = phoneB_.receive()).has_value(); }));
    auto v = parseRtp(*got);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->ssrc, 0x5b5b5b5bu);
    EXPECT_EQ(v->payload.size(), 160u);
    EXPECT_EQ(v->payload[0], std::byte{0x7f});
    EXPECT_EQ(a->stats().rtpIn, 1u);
    EXPECT_EQ(b->stats().rtpOut, 1u);
}

TEST_F(Streams, WithoutLatchingAStrangersPacketsAndGarbageAreDroppedAndCounted) {
    auto a = stream(false), b = stream(false);
    a->setRemote(udp::endpoint(kLoopback, 9), true); // the SDP names another port
    b->setRemote(phoneB_.endpoint(), true);
    bridge(*a, *b);
    phoneA_.send(rtp(1), a->localPort());
    const std::vector<std::byte> garbage(20, std::byte{0xff});
    phoneA_.send(garbage, a->localPort());
    ASSERT_TRUE(
        test::runUntil(io_, [&] { return a->stats().wrongSource + a->stats().malformed == 2; }));
    EXPECT_EQ(a->stats().wrongSource, 1u);
    EXPECT_EQ(a->stats().malformed, 1u);
    EXPECT_EQ(a->stats().rtpIn, 0u);
    EXPECT_FALSE(phoneB_.receive());
}

TEST_F(Streams, LatchingLearnsThePeerFromItsFirstPacketAndAnswersThere) {
    auto a = stream(true);
    a->setRemote(udp::endpoint(kLoopback, 9), true); // behind NAT: the SDP is wrong
    int received = 0;
    a->onRtp([&](std::span<std::byte>, const RtpView&) { ++received; });
    phoneA_.send(rtp(1), a->localPort());
    ASSERT_TRUE(test::runUntil(io_, [&] { return received == 1; }));
    EXPECT_EQ(a->stats().latched, 1u);
    EXPECT_EQ(*a->remote(), phoneA_.endpoint());
    a->sendRtp(rtp(5));
    std::optional<std::vector<std::byte>> back;
    ASSERT_TRUE(test::runUntil(io_, [&] { return (back = phoneA_.receive()).has_value(); }));
    // Once latched, another source is a stranger.
    Phone other(io_);
    other.send(rtp(2, 0x99), a->localPort());
    ASSERT_TRUE(test::runUntil(io_, [&] { return a->stats().wrongSource == 1; }));
    EXPECT_EQ(received, 1);
}

TEST_F(Streams, SrtpOnOneLegPlainOnTheOther) {
    auto pair = srtpFromPhoneA();
    auto& a = pair.a; // a reference, not a structured binding: the lambdas below capture it
    auto& phoneSrtp = pair.phoneSrtp;
    auto packet = rtp(1);
    const auto length = packet.size();
    packet.resize(length + kSrtpMaxOverhead);
    auto sealed = phoneSrtp->protectRtp(packet, length);
    ASSERT_TRUE(sealed);
    phoneA_.send(std::span(packet).first(*sealed), a->localPort());
    // A forged copy fails authentication and goes nowhere.
    auto forged = packet;
    forged[30] ^= std::byte{1};
    phoneA_.send(std::span(forged).first(*sealed), a->localPort());
    std::optional<std::vector<std::byte>> got;
    ASSERT_TRUE(test::runUntil(io_, [&] {
        if (!got) got = phoneB_.receive();
        return got && a->stats().srtpRejected == 1;
    }));
    EXPECT_EQ(got->size(), length); // decrypted, tag gone
    EXPECT_EQ(parseRtp(*got)->payload[0], std::byte{0x7f});
}

// RFC 3711 §3.1: SRTP encrypts the padding and its count, and the tag follows them, so a
// padded packet's count is read only once decrypted (before, the tag's last octet stood there).
TEST_F(Streams, PaddedSrtpPacketsAreDecryptedBeforeTheirPaddingIsRead) {
    auto pair = srtpFromPhoneA();
    auto& a = pair.a; // a reference, not a structured binding: the lambdas below capture it
    auto& phoneSrtp = pair.phoneSrtp;
    constexpr int kPackets = 64; // the tag's last octet is too large a count for about a third
    for (std::uint16_t s = 1; s <= kPackets; ++s) {
        auto packet = rtp(s);
        packet[0] |= std::byte{0x20}; // P: four octets of padding, the last one counting them
        packet.insert(packet.end(), {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{4}});
        const auto length = packet.size();
        packet.resize(length + kSrtpMaxOverhead);
        auto sealed = phoneSrtp->protectRtp(packet, length);
        ASSERT_TRUE(sealed);
        phoneA_.send(std::span(packet).first(*sealed), a->localPort());
    }
    int heard = 0;
    ASSERT_TRUE(test::runUntil(io_, [&] {
        while (auto got = phoneB_.receive()) {
            auto view = parseRtp(*got);
            EXPECT_EQ(view ? view->payload.size() : 0u, 160u) << "decrypted, padding gone";
            ++heard;
        }
        return heard == kPackets;
    }));
    EXPECT_EQ(a->stats().malformed, 0u);
}

TEST_F(Streams, ReportsWhatItSentAndReceivedAndSaysByeAtTheEnd) {
    auto a = stream(false);
    a->setRemote(phoneA_.endpoint(), true); // rtcp-mux: reports come to the RTP port
    a->startReports("switchboard@test", 8000, std::chrono::milliseconds(100));
    for (std::uint16_t s = 1; s <= 12; ++s)
        if (s != 4 && s != 9) phoneA_.send(rtp(s), a->localPort()); // two lost
    for (std::uint16_t s = 1; s <= 3; ++s) {
        auto ours = rtp(s, a->ssrc());
        a->sendRtp(ours);
    }
    std::optional<std::vector<RtcpPacket>> report;
    ASSERT_TRUE(test::runUntil(io_, [&] {
        while (auto p = phoneA_.receive())
            if (looksLikeRtcp(*p)) report = parseRtcp(*p).value();
        return report.has_value();
    }));
    ASSERT_EQ(report->size(), 2u);
    const auto& sr = report->at(0);
    EXPECT_EQ(sr.type, RtcpType::senderReport);
    EXPECT_EQ(sr.ssrc, a->ssrc());
    EXPECT_EQ(sr.sender.packetCount, 3u);
    EXPECT_EQ(sr.sender.octetCount, 3u * 160);
    ASSERT_EQ(sr.reports.size(), 1u);
    EXPECT_EQ(sr.reports[0].ssrc, 0x11u);
    EXPECT_EQ(sr.reports[0].cumulativeLost, 2);
    EXPECT_EQ(sr.reports[0].highestSequence, 12u);
    EXPECT_EQ(report->at(1).chunks.at(0).items.at(0).text, "switchboard@test");
    // The end of the stream is a BYE (RFC 3550 §6.6).
    a.reset();
    std::optional<std::vector<RtcpPacket>> last;
    ASSERT_TRUE(test::runUntil(io_, [&] {
        while (auto p = phoneA_.receive())
            if (looksLikeRtcp(*p)) last = parseRtcp(*p).value();
        return last && last->back().type == RtcpType::bye;
    }));
}

// A sender report's RTP time is the moment it is sent (RFC 3550 §6.4.1): the last packet's
// timestamp moved on by the time since it went; or, given when what the stream carries was
// captured (a relay's, a mixer's source), that capture clock's time of the moment.
TEST_F(Streams, ASenderReportsRtpTimeIsThatOfItsMoment) {
    const auto senderReport = [&](RtpStream& s) {
        std::optional<RtcpPacket> sr;
        EXPECT_TRUE(test::runUntil(io_, [&] {
            while (auto p = phoneA_.receive()) {
                auto packets = looksLikeRtcp(*p) ? parseRtcp(*p) : fail(Errc::invalid_input, "");
                for (const auto& packet : packets ? *packets : std::vector<RtcpPacket>{})
                    if (packet.type == RtcpType::senderReport && packet.ssrc == s.ssrc())
                        sr = packet;
            }
            return sr.has_value();
        }));
        return sr.value_or(RtcpPacket{});
    };
    constexpr std::int64_t kTick = (std::int64_t{1} << 32) / 8000; // one 8 kHz tick, in NTP
    auto a = stream(false);
    a->setRemote(phoneA_.endpoint(), true);
    a->startReports("switchboard@test", 8000, std::chrono::milliseconds(100));
    const std::uint64_t sentAt = ntpNow();
    a->sendRtp(rtp(5, a->ssrc())); // timestamp 800
    const auto bySending = senderReport(*a);
    const auto expected = rtpTimestampAt({800, sentAt}, bySending.sender.ntpTime, 8000);
    EXPECT_NEAR(
        static_cast<double>(static_cast<std::int32_t>(bySending.sender.rtpTimestamp - expected)), 0,
        8);
    EXPECT_GT(static_cast<std::int32_t>(bySending.sender.rtpTimestamp - 800), 0);

    // Captured a second before it went: the reports say so.
    const MediaClock captured{50000, ntpNow() - (std::uint64_t{1} << 32)};
    a->setMediaClock(captured);
    a->sendRtp(rtp(6, a->ssrc()));
    const auto byCapture = senderReport(*a);
    const auto atCapture = rtpTimestampAt(captured, byCapture.sender.ntpTime, 8000);
    EXPECT_NEAR(
        static_cast<double>(static_cast<std::int32_t>(byCapture.sender.rtpTimestamp - atCapture)),
        0, 1);
    EXPECT_GT(static_cast<std::int64_t>(byCapture.sender.ntpTime - captured.ntpTime), 8000 * kTick);
}

TEST(PortPool, LeasesEvenPairsAndTakesThemBackWhenALeaseEnds) {
    asio::io_context io;
    PortPool pool(io, kLoopback, 42001, 42004); // pairs 42002/3 only (42004's RTCP is outside)
    EXPECT_EQ(pool.capacity(), 1u);
    auto first = pool.lease();
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ((*first)->port(), 42002);
    EXPECT_EQ((*first)->rtcp()->localEndpoint().port(), 42003);
    auto none = pool.lease();
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::too_large);
    first->reset();
    EXPECT_EQ(pool.leased(), 0u);
    auto again = pool.lease();
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ((*again)->port(), 42002);
}

} // namespace
} // namespace sb::rtp
