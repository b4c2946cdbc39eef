// Conference rooms with phones on loopback: three PCMU phones, each saying its own tone, each
// hear the other two and not themselves (the real-phone version, with three codecs, is
// tests/interop/media_conference_test.sh); offers the room cannot take are refused with the
// reason and leave nothing behind.
#include "media/codec.hpp"
#include "rtp/rtp_packet.hpp"
#include "session/conference.hpp"
#include "support/tone.hpp"
#include "support/udp_phone.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>
#include <thread>

namespace sb::session {
namespace {

using test::kLoopback;
using test::Phone;
using testing::HasSubstr;

std::string offer(std::uint16_t port, std::string_view formats = "0",
                  std::string_view proto = "RTP/AVP", std::string_view extra = "") {
    return fmt::format("v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                       "t=0 0\r\nm=audio {} {} {}\r\n{}",
                       port, proto, formats, extra);
}

// The room's RTP port in its answer.
std::uint16_t portIn(const std::string& answer) {
    const auto m = answer.find("m=audio ");
    return static_cast<std::uint16_t>(std::stoi(answer.substr(m + 8)));
}

class Rooms : public testing::Test {
protected:
    Rooms() : pool_(io_, kLoopback, 45000, 45099) {
        ConferenceOptions o;
        o.media.codecs = {{"PCMU", 8000, 1}, {"PCMA", 8000, 1}};
        o.rate = 16000;
        conference_.emplace(pool_, std::move(o));
    }
    asio::io_context io_;
    rtp::PortPool pool_;
    std::optional<Conference> conference_;
};

TEST_F(Rooms, EachParticipantHearsTheOthersAndNotItself) {
    const double tones[] = {500, 1100, 1700};
    std::vector<std::unique_ptr<Phone>> phones;
    std::vector<std::uint16_t> roomPorts;
    for (std::uint64_t call = 1; call <= 3; ++call) {
        phones.push_back(std::make_unique<Phone>(io_));
        auto answer = conference_->answer(room::LegId(call), "r",
                                          offer(phones.back()->endpoint().port()), "");
        ASSERT_TRUE(answer) << answer.error().message;
        EXPECT_THAT(*answer, HasSubstr("m=audio "));
        roomPorts.push_back(portIn(*answer));
    }
    EXPECT_EQ(conference_->rooms(), 1u);
    EXPECT_EQ(conference_->participants(), 3u);

    // Each phone says a second and a half of its tone at the real pace, and keeps what it hears.
    auto encoder = media::makeEncoder(media::CodecId::pcmu).value();
    std::vector<std::vector<std::int16_t>> speech;
    for (double hz : tones)
        speech.push_back(test::tone(hz, 8000, 12000));
    std::vector<std::vector<std::int16_t>> heard(3);
    auto decoder = media::makeDecoder(media::CodecId::pcmu).value();
    std::vector<std::byte> packet(rtp::kFixedHeaderBytes + 160);
    std::vector<std::int16_t> pcm(160);
    auto next = std::chrono::steady_clock::now();
    for (std::uint16_t i = 0; i < 75; ++i) {
        for (std::size_t p = 0; p < 3; ++p) {
            rtp::writeRtpHeader(packet, {false, 0, static_cast<std::uint16_t>(i), i * 160u,
                                         static_cast<std::uint32_t>(p + 1)});
            (void)encoder->encode(std::span(speech[p]).subspan(i * 160u, 160),
                                  std::span(packet).subspan(rtp::kFixedHeaderBytes));
            phones[p]->send(packet, roomPorts[p]);
        }
        next += std::chrono::milliseconds(20);
        io_.restart();
        io_.run_until(next);
        for (std::size_t p = 0; p < 3; ++p) {
            while (auto got = phones[p]->receive()) {
                auto view = rtp::parseRtp(*got);
                ASSERT_TRUE(view);
                EXPECT_EQ(view->payloadType, 0);
                auto n = decoder->decode(view->payload, pcm);
                ASSERT_TRUE(n);
                heard[p].insert(heard[p].end(), pcm.begin(), pcm.begin() + *n);
            }
        }
    }
    for (std::size_t p = 0; p < 3; ++p) {
        ASSERT_GE(heard[p].size(), 8000u) << "phone " << p;
        // The last half second: everyone has long been in the room.
        const auto tail = std::span(heard[p]).last(4000);
        for (std::size_t q = 0; q < 3; ++q) {
            const double db = test::toneToRestDb(tail, tones[q], 8000);
            if (q == p)
                EXPECT_LT(db, -30) << "phone " << p << " hears itself";
            else
                EXPECT_GT(db, -6) << "phone " << p << " does not hear phone " << q;
        }
    }
    for (std::uint64_t call = 1; call <= 3; ++call)
        conference_->left(room::LegId(call));
    EXPECT_EQ(conference_->rooms(), 0u);
    EXPECT_EQ(pool_.leased(), 0u);
    EXPECT_GT(conference_->stats().jitter.played, 150u);
}

// Alone in a room (an expert waiting for the agent's side), a phone is heard by no one: what it
// sends is not decoded, and it hears the room's silence, so that its RTP keeps flowing.
TEST_F(Rooms, APhoneAloneIsNotDecodedAndHearsSilence) {
    Phone phone(io_);
    auto answer = conference_->answer(room::LegId(1), "r", offer(phone.endpoint().port()), "");
    ASSERT_TRUE(answer) << answer.error().message;
    std::vector<std::byte> packet(rtp::kFixedHeaderBytes + 160, std::byte{0x55});
    std::size_t heard = 0;
    auto next = std::chrono::steady_clock::now();
    for (std::uint16_t i = 0; i < 25; ++i) {
        rtp::writeRtpHeader(packet, {false, 0, i, i * 160u, 7});
        phone.send(packet, portIn(*answer));
        next += std::chrono::milliseconds(20);
        io_.restart();
        io_.run_until(next);
        while (auto got = phone.receive()) {
            auto view = rtp::parseRtp(*got);
            ASSERT_TRUE(view);
            for (auto b : view->payload)
                EXPECT_EQ(b, std::byte{0xff}) << "PCMU silence"; // μ-law of 0
            ++heard;
        }
    }
    const auto stats = conference_->stats();
    EXPECT_GT(stats.ticks, 15u);
    EXPECT_EQ(stats.framesIn, 0u);
    EXPECT_EQ(stats.jitter.played, 0u);
    EXPECT_GT(heard, 15u);
    conference_->left(room::LegId(1));
}

// Two parties with one codec are linked (their packets relayed, not decoded); a third moves the
// room to mixing, and its leaving moves it back. What phone 2 hears is one stream throughout:
// the room's SSRC, and sequence numbers that step by one across both moves.
TEST_F(Rooms, TwoPartiesAreLinkedAThirdMovesTheRoomToMixingAndBackInOneStream) {
    std::vector<std::unique_ptr<Phone>> phones;
    std::vector<std::uint16_t> roomPorts;
    auto join = [&](std::uint64_t call) {
        phones.push_back(std::make_unique<Phone>(io_));
        auto answer = conference_->answer(room::LegId(call), "r",
                                          offer(phones.back()->endpoint().port()), "");
        ASSERT_TRUE(answer) << answer.error().message;
        roomPorts.push_back(portIn(*answer));
    };
    std::vector<std::uint16_t> heardSequences; // by phone 2 (index 1)
    std::set<std::uint32_t> heardSsrcs;
    std::size_t relayedIntact = 0;
    std::uint16_t sent = 0;
    auto talk = [&](int packets, std::size_t talkers) {
        std::vector<std::byte> packet(rtp::kFixedHeaderBytes + 160);
        auto next = std::chrono::steady_clock::now();
        for (int i = 0; i < packets; ++i, ++sent) {
            for (std::size_t p = 0; p < talkers; ++p) {
                rtp::writeRtpHeader(
                    packet, {false, 0, sent, sent * 160u, static_cast<std::uint32_t>(p + 1)});
                // Phone 1 says a pattern a relay keeps byte for byte; the others silence.
                for (std::size_t b = 0; b < 160; ++b)
                    packet[rtp::kFixedHeaderBytes + b] =
                        p == 0 ? std::byte((sent + b) % 100 + 1) : std::byte(0xff);
                phones[p]->send(packet, roomPorts[p]);
            }
            next += std::chrono::milliseconds(20);
            io_.restart();
            io_.run_until(next);
            for (auto& phone : phones)
                while (auto got = phone->receive()) {
                    if (phone != phones[1]) continue;
                    auto view = rtp::parseRtp(*got);
                    ASSERT_TRUE(view);
                    heardSequences.push_back(view->sequence);
                    heardSsrcs.insert(view->ssrc);
                    // Phone 1's pattern, untouched: each byte one more than the last, mod 100.
                    const auto& pl = view->payload;
                    bool intact = pl.size() == 160;
                    for (std::size_t b = 1; intact && b < pl.size(); ++b)
                        intact = int(pl[b]) == (int(pl[0]) - 1 + int(b)) % 100 + 1;
                    if (intact) ++relayedIntact;
                }
        }
    };
    join(1);
    join(2);
    talk(25, 2);
    const auto linked = conference_->stats();
    EXPECT_GT(linked.links.relayed, 40u);
    EXPECT_EQ(linked.links.transcoded, 0u);
    EXPECT_EQ(linked.ticks, 0u) << "no mixer runs for two parties";
    EXPECT_GT(relayedIntact, 15u) << "phone 1's payload reached phone 2 as it was sent";

    join(3);
    talk(25, 3);
    const auto mixed = conference_->stats();
    EXPECT_GT(mixed.ticks, 15u);
    EXPECT_EQ(mixed.moves, 2u); // linked, then mixing

    conference_->left(room::LegId(3));
    phones.pop_back();
    talk(25, 2);
    EXPECT_EQ(conference_->stats().moves, 3u); // linked again
    EXPECT_GT(conference_->stats().links.relayed, linked.links.relayed + 40);

    EXPECT_EQ(heardSsrcs.size(), 1u) << "one stream, under the room's SSRC";
    ASSERT_GT(heardSequences.size(), 60u);
    for (std::size_t i = 1; i < heardSequences.size(); ++i)
        EXPECT_EQ(static_cast<std::uint16_t>(heardSequences[i] - heardSequences[i - 1]), 1)
            << "a gap in what phone 2 heard at packet " << i;
    for (std::uint64_t call = 1; call <= 2; ++call)
        conference_->left(room::LegId(call));
    EXPECT_EQ(pool_.leased(), 0u);
}

TEST_F(Rooms, OffersTheRoomCannotTakeAreRefusedAndLeaveNothingBehind) {
    auto amr = conference_->answer(room::LegId(1), "r",
                                   offer(5004, "96", "RTP/AVP", "a=rtpmap:96 AMR/8000\r\n"), "");
    ASSERT_FALSE(amr);
    EXPECT_EQ(amr.error().code, Errc::unsupported);
    auto savp = conference_->answer(room::LegId(2), "r", offer(5004, "0", "RTP/SAVP"), "");
    ASSERT_FALSE(savp);
    EXPECT_THAT(savp.error().message, HasSubstr("SRTP"));
    auto malformed = conference_->answer(room::LegId(3), "r", "v=0\r\nm=audio x RTP/AVP 0\r\n", "");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, Errc::invalid_input);
    EXPECT_EQ(conference_->rooms(), 0u);
    EXPECT_EQ(conference_->participants(), 0u);
    EXPECT_EQ(pool_.leased(), 0u);
}

TEST_F(Rooms, AReOfferKeepsThePortAndHoldStopsWhatWeSend) {
    Phone phone(io_);
    auto first = conference_->answer(room::LegId(1), "r", offer(phone.endpoint().port()), "");
    ASSERT_TRUE(first);
    auto hold =
        conference_->answer(room::LegId(1), "ignored",
                            offer(phone.endpoint().port(), "0", "RTP/AVP", "a=sendonly\r\n"), "");
    ASSERT_TRUE(hold);
    EXPECT_EQ(portIn(*hold), portIn(*first));
    EXPECT_THAT(*hold, HasSubstr("a=recvonly"));
    EXPECT_THAT(*hold, HasSubstr("o=switchboard ")); // our origin, its version moved on
    io_.restart();
    io_.run_for(std::chrono::milliseconds(100));
    EXPECT_FALSE(phone.receive()); // on hold: the room sends it nothing
    EXPECT_EQ(pool_.leased(), 1u);
    conference_->left(room::LegId(1));
    EXPECT_EQ(pool_.leased(), 0u);
}

// A room emptied by a handler that runs in the same turn as the room's own tick, after the
// tick's completion is already queued (a BYE or a hang-up arriving as the tick falls due): the
// tick must not run on the room that is gone. (Found by bench/escalations; a use after free that
// the asan preset reports when the room does not guard its timer's handler.)
TEST_F(Rooms, ARoomEmptiedAsItsTickFallsDueIsGoneCleanly) {
    for (int round = 0; round < 20; ++round) {
        Phone phone(io_);
        ASSERT_TRUE(conference_->answer(room::LegId(1), "r", offer(phone.endpoint().port()), ""));
        // Due before the room's first tick (20 ms on), and both due by the time the loop runs.
        asio::steady_timer hangUp(io_, std::chrono::milliseconds(1));
        hangUp.async_wait([this](const std::error_code&) { conference_->left(room::LegId(1)); });
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        io_.restart();
        io_.run_for(std::chrono::milliseconds(30));
        EXPECT_EQ(conference_->rooms(), 0u);
        EXPECT_EQ(pool_.leased(), 0u);
    }
}

} // namespace
} // namespace sb::session
