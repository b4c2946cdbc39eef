// The bridge between two streams on loopback: a PCMU tone from phone A reaches phone B relayed
// untouched, or transcoded to Opus and still the tone when phone B decodes it; a lost packet is
// concealed.
#include "media/codec.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/srtp.hpp"
#include "rtp/stream_link.hpp"
#include "rtp/telephone_event.hpp"
#include "support/run_until.hpp"
#include "support/tone.hpp"
#include "support/udp_phone.hpp"

#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

using test::kLoopback;
using test::Phone;

class Bridging : public testing::Test {
protected:
    Bridging() : pool_(io_, kLoopback, 43000, 43999), phoneA_(io_), phoneB_(io_) {
        a_ = std::make_unique<RtpStream>(pool_.lease().value(), false);
        b_ = std::make_unique<RtpStream>(pool_.lease().value(), false);
        a_->setRemote(phoneA_.endpoint(), true);
        b_->setRemote(phoneB_.endpoint(), true);
    }
    // Phone A says 50 packets (one second) of a PCMU tone, leaving out `skip` (a loss).
    void speak(std::optional<std::uint16_t> skip = std::nullopt) {
        auto encoder = media::makeEncoder(media::CodecId::pcmu).value();
        const auto tone = test::tone(1004, 8000, 8000);
        std::vector<std::byte> packet(kFixedHeaderBytes + 160);
        for (std::uint16_t i = 0; i < 50; ++i) {
            writeRtpHeader(packet, {false, 0, static_cast<std::uint16_t>(100 + i), i * 160u, 0x77});
            (void)encoder->encode(std::span(tone).subspan(i * 160u, 160),
                                  std::span(packet).subspan(kFixedHeaderBytes));
            if (i != skip) phoneA_.send(packet, a_->localPort());
            io_.poll(); // keep up, as a real 20-ms pace would
        }
    }
    std::vector<std::vector<std::byte>> heardByB(std::size_t packets) {
        std::vector<std::vector<std::byte>> out;
        test::runUntil(io_, [&] {
            while (auto p = phoneB_.receive())
                out.push_back(std::move(*p));
            return out.size() >= packets;
        });
        return out;
    }

    asio::io_context io_;
    PortPool pool_;
    Phone phoneA_, phoneB_;
    std::unique_ptr<RtpStream> a_, b_;
};

TEST_F(Bridging, ACommonCodecIsRelayedWithItsPayloadUntouched) {
    StreamLink bridge(*a_, *b_);
    ASSERT_TRUE(bridge.configure(
        {{0, 8000, media::CodecId::pcmu, 101}, {0, 8000, media::CodecId::pcmu, 96}}));
    speak();
    auto heard = heardByB(50);
    ASSERT_EQ(heard.size(), 50u);
    auto first = parseRtp(heard[0]), last = parseRtp(heard[49]);
    EXPECT_EQ(static_cast<std::uint16_t>(last->sequence - first->sequence), 49);
    EXPECT_EQ(last->timestamp - first->timestamp, 49u * 160);
    EXPECT_NE(first->ssrc, 0x77u);
    EXPECT_EQ(bridge.stats().relayed, 50u);
}

TEST_F(Bridging, DifferentCodecsAreTranscodedAndTheToneSurvives) {
    StreamLink bridge(*a_, *b_);
    LinkPlan plan{
        {0, 8000, media::CodecId::pcmu, {}}, {111, 48000, media::CodecId::opus, {}}, true, 20};
    ASSERT_TRUE(bridge.configure(plan));
    speak(25); // one packet lost on the way in
    auto heard = heardByB(48);
    ASSERT_GE(heard.size(), 48u);
    auto decoder = media::makeDecoder(media::CodecId::opus).value();
    std::vector<std::int16_t> pcm, frame(5760);
    for (const auto& packet : heard) {
        auto v = parseRtp(packet);
        ASSERT_TRUE(v);
        EXPECT_EQ(v->payloadType, 111);
        auto n = decoder->decode(v->payload, frame);
        ASSERT_TRUE(n);
        pcm.insert(pcm.end(), frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    EXPECT_EQ(bridge.stats().concealed, 1u);
    const std::span last(pcm.end() - 24000, pcm.end()); // the last half second, at 48 kHz
    EXPECT_GT(test::toneToRestDb(last, 1004, 48000), 15);
    // Timestamps run at Opus's 48 kHz clock: 960 per 20-ms packet.
    EXPECT_EQ(parseRtp(heard[1])->timestamp - parseRtp(heard[0])->timestamp, 960u);
}

TEST_F(Bridging, Rfc4733EventsCrossATranscodedPathInItsNumbering) {
    StreamLink bridge(*a_, *b_);
    LinkPlan plan{
        {0, 8000, media::CodecId::pcmu, 101}, {9, 8000, media::CodecId::g722, 96}, true, 20};
    ASSERT_TRUE(bridge.configure(plan));
    auto encoder = media::makeEncoder(media::CodecId::pcmu).value();
    const auto tone = test::tone(1004, 8000, 160);
    std::vector<std::byte> packet(kFixedHeaderBytes + 160);
    for (std::uint16_t i = 0; i < 3; ++i) {
        writeRtpHeader(packet, {false, 0, i, i * 160u, 0x77});
        (void)encoder->encode(tone, std::span(packet).subspan(kFixedHeaderBytes));
        phoneA_.send(packet, a_->localPort());
        io_.poll();
    }
    // Digit 5 (RFC 4733 §3.2), three packets of one event, the last with the end bit.
    for (std::uint16_t i = 0; i < 3; ++i) {
        std::vector<std::byte> event(kFixedHeaderBytes + 4);
        writeRtpHeader(event, {i == 0, 101, static_cast<std::uint16_t>(3 + i), 480, 0x77});
        event[12] = std::byte{5};
        event[13] = std::byte(i == 2 ? 0x8a : 0x0a);
        event[15] = std::byte(160 * (i + 1));
        phoneA_.send(event, a_->localPort());
        io_.poll();
    }
    auto heard = heardByB(5);
    std::vector<RtpView> events;
    for (const auto& p : heard)
        if (auto v = parseRtp(p); v && v->payloadType == 96) events.push_back(*v);
    ASSERT_EQ(events.size(), 3u);
    auto audio = parseRtp(heard.front());
    EXPECT_EQ(audio->payloadType, 9);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(events[i].ssrc, audio->ssrc); // one stream, one numbering
        EXPECT_EQ(events[i].timestamp, events[0].timestamp);
        EXPECT_EQ(events[i].payload[0], std::byte{5});
    }
    EXPECT_TRUE(events[0].marker);
    EXPECT_EQ(static_cast<std::uint16_t>(events[2].sequence - events[0].sequence), 2);
    EXPECT_EQ(events[2].payload[1], std::byte{0x8a}); // the end bit crossed
}

TEST_F(Bridging, EventsForASideWithoutTelephoneEventAreReportedOnceAtTheirEnd) {
    StreamLink bridge(*a_, *b_);
    // A has telephone-event (101), B does not: A's events go to the handler, not to B.
    ASSERT_TRUE(bridge.configure(
        {{0, 8000, media::CodecId::pcmu, 101}, {0, 8000, media::CodecId::pcmu, {}}}));
    std::vector<std::pair<std::uint8_t, std::chrono::milliseconds>> reported;
    bridge.onEvent([&](LinkEnd from, std::uint8_t event, std::chrono::milliseconds duration) {
        EXPECT_EQ(from, LinkEnd::a);
        reported.emplace_back(event, duration);
    });
    for (std::uint16_t i = 0; i < 5; ++i) {
        // Digit # (11): two packets under way, then the end three times (RFC 4733 §2.5.1.4).
        std::vector<std::byte> event(kFixedHeaderBytes + kTelephoneEventBytes);
        writeRtpHeader(event, {i == 0, 101, static_cast<std::uint16_t>(i), 800, 0x77});
        writeTelephoneEvent(std::span(event).subspan(kFixedHeaderBytes),
                            {11, i >= 2, 10, static_cast<std::uint16_t>(i >= 2 ? 960 : 160 * i)});
        phoneA_.send(event, a_->localPort());
    }
    test::runUntil(io_, [&] { return bridge.stats().eventsReported > 0; });
    io_.restart();
    io_.run_for(std::chrono::milliseconds(50));
    ASSERT_EQ(reported.size(), 1u);
    EXPECT_EQ(reported[0].first, 11);
    EXPECT_EQ(reported[0].second, std::chrono::milliseconds(120));
    EXPECT_FALSE(phoneB_.receive()); // nothing of it reached B
}

TEST_F(Bridging, AnEventOfOurOwnGoesOutInTheRelayedStreamsNumbering) {
    StreamLink bridge(*a_, *b_);
    ASSERT_TRUE(bridge.configure(
        {{0, 8000, media::CodecId::pcmu, {}}, {0, 8000, media::CodecId::pcmu, 101}}));
    EXPECT_FALSE(bridge.sendEvent(LinkEnd::a, 5, std::chrono::milliseconds(100)));
    speak(); // 50 relayed packets first
    auto before = heardByB(50);
    ASSERT_EQ(before.size(), 50u);
    const auto lastAudio = *parseRtp(before.back());
    // Digit 7 for 60 ms: a start packet, two updates and the end three times, 20 ms apart.
    ASSERT_TRUE(bridge.sendEvent(LinkEnd::b, 7, std::chrono::milliseconds(60)));
    auto events = heardByB(6);
    ASSERT_EQ(events.size(), 6u);
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto v = *parseRtp(events[i]);
        const auto e = *parseTelephoneEvent(v.payload);
        EXPECT_EQ(v.payloadType, 101);
        EXPECT_EQ(v.ssrc, lastAudio.ssrc);
        EXPECT_EQ(v.marker, i == 0);
        EXPECT_EQ(v.sequence, static_cast<std::uint16_t>(lastAudio.sequence + 1 + i));
        // Where the stream stands now: not before the last audio.
        EXPECT_GE(static_cast<std::int32_t>(v.timestamp - lastAudio.timestamp), 0);
        EXPECT_EQ(e.event, 7);
        EXPECT_EQ(e.end, i >= 3);
        EXPECT_EQ(e.duration, i >= 3 ? 480 : 160 * i);
    }
    // Relayed audio after it goes on after the event's sequence numbers.
    std::vector<std::byte> next(kFixedHeaderBytes + 160);
    writeRtpHeader(next, {false, 0, 150, 50 * 160, 0x77});
    phoneA_.send(next, a_->localPort());
    auto after = heardByB(1);
    ASSERT_FALSE(after.empty());
    EXPECT_EQ(parseRtp(after.front())->sequence,
              static_cast<std::uint16_t>(lastAudio.sequence + 1 + events.size()));
    EXPECT_EQ(bridge.stats().eventsSent, 1u);
}

// A datagram may be larger than the packets we write (SRTP's overhead is allowed for on
// receipt): an "event" that fills one is dropped, not copied past our packet buffer.
TEST_F(Bridging, AnEventTooLargeForOurPacketIsDropped) {
    StreamLink bridge(*a_, *b_);
    ASSERT_TRUE(bridge.configure(
        {{0, 8000, media::CodecId::pcmu, 101}, {9, 8000, media::CodecId::g722, 96}, true, 20}));
    std::vector<std::byte> huge(1500 + kSrtpMaxOverhead, std::byte{0x11}); // what a stream takes
    writeRtpHeader(huge, {false, 101, 1, 0, 0x77});
    phoneA_.send(huge, a_->localPort());
    test::runUntil(io_, [&] { return bridge.stats().dropped > 0; });
    EXPECT_EQ(bridge.stats().dropped, 1u);
    EXPECT_EQ(bridge.stats().relayed, 0u);
    EXPECT_FALSE(phoneB_.receive());
}

// RFC 3550 A.1: a packet from behind is misordered, not a gap. Transcoded: 100, 101, 103, 102,
// 104, 105 is one packet concealed (102 missing when 103 came) and 102 dropped as late, not
// 65,535 "missing" packets concealed for it.
TEST_F(Bridging, AMisorderedPacketIsDroppedNotTakenForAGap) {
    StreamLink bridge(*a_, *b_);
    ASSERT_TRUE(bridge.configure(
        {{0, 8000, media::CodecId::pcmu, {}}, {8, 8000, media::CodecId::pcma, {}}, true, 20}));
    std::vector<std::byte> packet(kFixedHeaderBytes + 160, std::byte{0xff});
    for (std::uint16_t sequence : {100, 101, 103, 102, 104, 105, 105}) {
        writeRtpHeader(packet, {false, 0, sequence, sequence * 160u, 0x77});
        phoneA_.send(packet, a_->localPort());
    }
    test::runUntil(io_, [&] { return bridge.stats().transcoded + bridge.stats().dropped >= 7; });
    EXPECT_EQ(bridge.stats().transcoded, 5u);
    EXPECT_EQ(bridge.stats().dropped, 2u); // 102 late, 105 again
    EXPECT_EQ(bridge.stats().concealed, 1u);
    auto heard = heardByB(6);
    ASSERT_EQ(heard.size(), 6u);
    EXPECT_EQ(parseRtp(heard.back())->timestamp - parseRtp(heard.front())->timestamp, 5u * 160);
}

// RFC 4733 §2.3: an event's duration counts its clock's ticks. Events relayed from a leg with
// telephone-event/48000 (beside Opus) to one with telephone-event/8000 keep their length.
TEST_F(Bridging, EventDurationsAreRescaledBetweenEventClocks) {
    StreamLink bridge(*a_, *b_);
    LinkPlan plan{{0, 8000, media::CodecId::pcmu, 101}, {0, 8000, media::CodecId::pcmu, 96}};
    plan.a.telephoneEventClock = 48000;
    ASSERT_TRUE(bridge.configure(plan));
    std::vector<std::byte> event(kFixedHeaderBytes + kTelephoneEventBytes);
    writeRtpHeader(event, {true, 101, 1, 4800, 0x77});
    writeTelephoneEvent(std::span(event).subspan(kFixedHeaderBytes), {5, true, 10, 4800});
    phoneA_.send(event, a_->localPort());
    auto heard = heardByB(1);
    ASSERT_EQ(heard.size(), 1u);
    const auto e = parseTelephoneEvent(parseRtp(heard[0])->payload);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->event, 5);
    EXPECT_EQ(e->duration, 800); // 100 ms at 8000 Hz
}

// An event clock agreed at under 50 Hz: our own event still ends (at least a tick a packet).
TEST_F(Bridging, AnEventOfOurOwnEndsAtAnyEventClock) {
    StreamLink bridge(*a_, *b_);
    LinkPlan plan{{0, 8000, media::CodecId::pcmu, {}}, {0, 8000, media::CodecId::pcmu, 101}};
    plan.b.telephoneEventClock = 1;
    ASSERT_TRUE(bridge.configure(plan));
    ASSERT_TRUE(bridge.sendEvent(LinkEnd::b, 7, std::chrono::milliseconds(100)));
    // One tick at 1 Hz (a clamped 0.1): a start packet, then the end three times.
    auto heard = heardByB(4);
    ASSERT_EQ(heard.size(), 4u);
    EXPECT_TRUE(parseTelephoneEvent(parseRtp(heard.back())->payload)->end);
    io_.restart();
    io_.run_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(phoneB_.receive()) << "nothing after the event's end";
}

} // namespace
} // namespace sb::rtp
