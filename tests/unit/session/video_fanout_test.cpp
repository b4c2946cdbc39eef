// A room's video through the conference: a source (a video leg) offered video to send, a call
// offered it anew and taking it; what the source sends reaches the call from a picture it can
// start with, under the call's own SSRC and numbering (gaps kept); the call's picture loss
// indication reaches the source as a PLI; and once the source goes, the call's next offer keeps the
// video line, disabled. A call that has SRTP gets the video in SRTP, under keys of its own. A
// source with sound is heard in the room.
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/srtp.hpp"
#include "sdp/parser.hpp"
#include "session/conference.hpp"
#include "support/udp_phone.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::session {
namespace {

using test::kLoopback;
using test::Phone;
using testing::HasSubstr;

std::uint16_t portOf(const std::string& sdp, std::string_view type) {
    const auto m = sdp.find(fmt::format("m={} ", type));
    return m == std::string::npos
               ? 0
               : static_cast<std::uint16_t>(std::stoi(sdp.substr(m + 3 + type.size())));
}

std::string sdpOf(std::string_view media) {
    return fmt::format("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                       "t=0 0\r\n{}",
                       media);
}

std::vector<std::byte> rtpPacket(std::uint16_t sequence, std::uint32_t timestamp, bool marker,
                                 std::vector<std::uint8_t> payload) {
    std::vector<std::byte> packet(rtp::kFixedHeaderBytes + payload.size());
    rtp::writeRtpHeader(packet, {marker, 96, sequence, timestamp, 0x5151});
    std::memcpy(packet.data() + rtp::kFixedHeaderBytes, payload.data(), payload.size());
    return packet;
}

// The crypto lines of the first `type` stream of `sdp`.
std::vector<sdp::Crypto> cryptosOf(const std::string& sdp, std::string_view type) {
    auto session = sdp::parse(sdp);
    if (session)
        for (const auto& m : session->media)
            if (m.type == type) return m.cryptos();
    return {};
}

// Everything that reaches `phone` within `ms` while the loop runs.
std::vector<std::vector<std::byte>> collect(asio::io_context& io, Phone& phone, int ms) {
    std::vector<std::vector<std::byte>> got;
    io.restart();
    io.run_for(std::chrono::milliseconds(ms));
    while (auto datagram = phone.receive())
        got.push_back(std::move(*datagram));
    return got;
}

bool isPli(std::span<const std::byte> datagram) {
    auto packets = rtp::parseRtcp(datagram);
    if (!packets) return false;
    for (const auto& p : *packets)
        if (p.type == rtp::RtcpType::payloadFeedback &&
            (std::to_integer<int>(p.raw[0]) & 0x1F) == 1)
            return true;
    return false;
}

class Video : public testing::Test {
protected:
    Video() : pool_(io_, kLoopback, 45200, 45299) {
        ConferenceOptions o;
        o.media.codecs = {{"PCMU", 8000, 1}};
        o.rate = 16000;
        conference_.emplace(pool_, std::move(o));
    }
    asio::io_context io_;
    rtp::PortPool pool_;
    std::optional<Conference> conference_;
};

TEST_F(Video, ASourceReachesACallFromAKeyFrameAndItsLossComesBack) {
    Phone audio(io_), screen(io_), camera(io_);
    const room::LegId expert(1), source(2);
    ASSERT_TRUE(conference_->answer(
        expert, "r", sdpOf(fmt::format("m=audio {} RTP/AVP 0\r\n", audio.endpoint().port())), ""));

    // The source is offered video to send us, alone, and answers it.
    auto offer = conference_->offer(source, "r", "", {room::LegMedia::Kind::videoSource});
    ASSERT_TRUE(offer) << offer.error().message;
    EXPECT_THAT(*offer, HasSubstr("a=rtpmap:96 H264/90000\r\n"
                                  "a=fmtp:96 packetization-mode=1;profile-level-id=42e028\r\n"));
    EXPECT_THAT(*offer, HasSubstr("a=recvonly"));
    EXPECT_NE(portOf(*offer, "audio"), 0); // its sound, if it has any: this one has none
    const auto roomVideo = portOf(*offer, "video");
    ASSERT_TRUE(conference_->answered(
        source, sdpOf(fmt::format("m=video {} RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                                  "a=rtcp-mux\r\na=sendonly\r\n",
                                  camera.endpoint().port()))));

    // The expert's call is offered the room's video, to receive.
    auto reoffer = conference_->reoffer(expert);
    ASSERT_TRUE(reoffer) << reoffer.error().message;
    EXPECT_THAT(*reoffer, HasSubstr("a=rtpmap:96 H264/90000"));
    EXPECT_THAT(*reoffer, HasSubstr("a=rtcp-fb:96 nack pli"));
    const auto toExpert = portOf(*reoffer, "video");
    ASSERT_NE(toExpert, 0);
    ASSERT_TRUE(conference_->answered(
        expert, sdpOf(fmt::format("m=audio {} RTP/AVP 0\r\nm=video {} RTP/AVP 96\r\n"
                                  "a=rtpmap:96 H264/90000\r\na=rtcp-mux\r\na=recvonly\r\n",
                                  audio.endpoint().port(), screen.endpoint().port()))));

    // A slice first: the expert cannot start there; the source is asked for a key frame.
    camera.send(rtpPacket(10, 9000, true, {0x41, 0x9A, 0x01}), roomVideo);
    EXPECT_TRUE(collect(io_, screen, 50).empty());
    auto asked = collect(io_, camera, 10);
    EXPECT_TRUE(std::any_of(asked.begin(), asked.end(), [](auto& d) { return isPli(d); }));
    // Then a key frame (its SPS) and a slice of it: both reach the expert, renumbered.
    camera.send(rtpPacket(11, 12000, false, {0x67, 0x42, 0x00, 0x1f}), roomVideo);
    camera.send(rtpPacket(12, 12000, true, {0x65, 0x88, 0x80}), roomVideo);
    auto got = collect(io_, screen, 50);
    ASSERT_EQ(got.size(), 2u);
    auto first = rtp::parseRtp(got[0]), second = rtp::parseRtp(got[1]);
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->ssrc, 0x5151u);
    EXPECT_EQ(second->ssrc, first->ssrc);
    EXPECT_EQ(static_cast<std::uint16_t>(first->sequence + 1), second->sequence);
    EXPECT_EQ(first->timestamp, second->timestamp);
    EXPECT_TRUE(second->marker);
    EXPECT_EQ(std::to_integer<int>(first->payload[0]), 0x67);
    // A packet lost on the way in (13) is a gap on the way out too: the expert can tell.
    camera.send(rtpPacket(14, 15000, true, {0x41, 0x9A, 0x02}), roomVideo);
    auto gap = collect(io_, screen, 50);
    ASSERT_EQ(gap.size(), 1u);
    EXPECT_EQ(rtp::parseRtp(gap[0])->sequence, static_cast<std::uint16_t>(first->sequence + 3));

    // The expert's PLI (RFC 4585 §6.3.1, after an RR) reaches the source as one of ours.
    std::this_thread::sleep_for(std::chrono::milliseconds(320)); // past the rate limit
    rtp::RtcpPacket rr;
    rr.type = rtp::RtcpType::receiverReport;
    rr.ssrc = 0x7777;
    rr.reports.push_back({first->ssrc, 64, 3, 12, 0, 0, 0}); // a quarter lost
    rtp::RtcpPacket pli;
    pli.type = rtp::RtcpType::payloadFeedback;
    pli.raw = {std::byte{0x81}, std::byte{206}, std::byte{0},    std::byte{2},
               std::byte{0},    std::byte{0},   std::byte{0x77}, std::byte{0x77},
               std::byte{0},    std::byte{0},   std::byte{0},    std::byte{1}};
    screen.send(rtp::writeRtcp({rr, pli}), toExpert);
    auto feedback = collect(io_, camera, 50);
    EXPECT_TRUE(std::any_of(feedback.begin(), feedback.end(), [](auto& d) { return isPli(d); }));
    bool lossPassedOn = false;
    for (const auto& d : feedback)
        if (auto packets = rtp::parseRtcp(d))
            for (const auto& p : *packets)
                for (const auto& block : p.reports)
                    lossPassedOn |= block.ssrc == 0x5151 && block.fractionLost == 64;
    EXPECT_TRUE(lossPassedOn);

    // The source goes: the expert's next offer keeps its video line, disabled.
    conference_->left(source);
    auto after = conference_->reoffer(expert);
    ASSERT_TRUE(after);
    EXPECT_THAT(*after, HasSubstr("m=video 0 "));
    conference_->left(expert);
    EXPECT_EQ(pool_.leased(), 0u);
}

TEST_F(Video, ACallerWhoOffersVideoGetsItOnlyWhileTheRoomHasASource) {
    Phone audio(io_), screen(io_);
    const std::string withVideo = sdpOf(
        fmt::format("m=audio {} RTP/AVP 0\r\nm=video {} RTP/AVP 100\r\na=rtpmap:100 H264/90000\r\n"
                    "a=fmtp:100 packetization-mode=1\r\n",
                    audio.endpoint().port(), screen.endpoint().port()));
    auto plain = conference_->answer(room::LegId(1), "r", withVideo, "");
    ASSERT_TRUE(plain);
    EXPECT_THAT(*plain, HasSubstr("m=video 0 ")); // no source: refused
    conference_->left(room::LegId(1));

    Phone camera(io_);
    ASSERT_TRUE(conference_->offer(room::LegId(2), "r", "", {room::LegMedia::Kind::videoSource}));
    ASSERT_TRUE(conference_->answered(
        room::LegId(2), sdpOf(fmt::format("m=video {} RTP/AVP 97\r\na=rtpmap:97 H265/90000\r\n",
                                          camera.endpoint().port()))));
    // The caller offers H.264 only, and the source sends H.265: no video in common.
    auto h264Only = conference_->answer(room::LegId(3), "r", withVideo, "");
    ASSERT_TRUE(h264Only);
    EXPECT_THAT(*h264Only, HasSubstr("m=video 0 "));
    const std::string h265 = sdpOf(
        fmt::format("m=audio {} RTP/AVP 0\r\nm=video {} RTP/AVP 98\r\na=rtpmap:98 H265/90000\r\n",
                    audio.endpoint().port(), screen.endpoint().port()));
    auto taken = conference_->answer(room::LegId(4), "r", h265, "");
    ASSERT_TRUE(taken);
    EXPECT_NE(portOf(*taken, "video"), 0);
    EXPECT_THAT(*taken, HasSubstr("a=sendonly")); // we send; the room takes no pictures from calls
    for (std::uint64_t leg : {2, 3, 4})
        conference_->left(room::LegId(leg));
    EXPECT_EQ(pool_.leased(), 0u);
}

// A source with sound (a camera's microphone, a file's audio) answers the room's audio too:
// the expert hears it, mixed, while the source hears nothing back.
TEST_F(Video, ASourcesSoundIsHeardInTheRoom) {
    Phone audio(io_), camera(io_), microphone(io_);
    const room::LegId expert(1), source(2);
    ASSERT_TRUE(conference_->answer(
        expert, "r", sdpOf(fmt::format("m=audio {} RTP/AVP 0\r\n", audio.endpoint().port())), ""));
    auto offer = conference_->offer(source, "r", "", {room::LegMedia::Kind::videoSource});
    ASSERT_TRUE(offer);
    ASSERT_TRUE(conference_->answered(
        source, sdpOf(fmt::format("m=audio {} RTP/AVP 0\r\na=sendonly\r\n"
                                  "m=video {} RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
                                  "a=sendonly\r\n",
                                  microphone.endpoint().port(), camera.endpoint().port()))));
    EXPECT_EQ(conference_->participants(), 2u);
    // Ten packets of a loud PCMU tone (alternating codes far from silence's 0xFF).
    const auto toRoom = portOf(*offer, "audio");
    for (std::uint16_t i = 0; i < 10; ++i) {
        std::vector<std::byte> packet(rtp::kFixedHeaderBytes + 160);
        rtp::writeRtpHeader(
            packet, {false, 0, static_cast<std::uint16_t>(100 + i), 1000u + 160u * i, 0x4242});
        for (std::size_t n = 0; n < 160; ++n)
            packet[rtp::kFixedHeaderBytes + n] = std::byte(n % 2 ? 0x10 : 0x90);
        microphone.send(packet, toRoom);
    }
    bool heard = false;
    for (const auto& datagram : collect(io_, audio, 400)) {
        auto view = rtp::parseRtp(datagram);
        if (!view || view->payloadType != 0) continue;
        for (std::byte b : view->payload)
            heard |= std::to_integer<int>(b) < 0x60; // loud, in μ-law
    }
    EXPECT_TRUE(heard);
    for (const auto& datagram : collect(io_, microphone, 0)) { // its reports, if any; no sound
        auto view = rtp::parseRtp(datagram);
        EXPECT_FALSE(view && view->payloadType == 0);
    }
    conference_->left(source);
    conference_->left(expert);
    EXPECT_EQ(pool_.leased(), 0u);
}

// An expert whose calls must be SRTP ([media] srtp = "required"; its signalling carries SDES
// keys): our offer keys its audio; the room's video, offered anew, gets keys of its own (RFC
// 4568 keys each m= line apart) while the audio keeps its key (§7.1.4); the pictures reach the
// expert as SRTP that its answer's key for the video opens.
TEST_F(Video, AnSrtpCallGetsTheRoomsVideoUnderKeysOfItsOwn) {
    ConferenceOptions o;
    o.media.codecs = {{"PCMU", 8000, 1}};
    o.rate = 16000;
    o.media.srtp = sdp::SrtpPolicy::required;
    conference_.emplace(pool_, std::move(o));
    Phone audio(io_), screen(io_), camera(io_);
    const room::LegId expert(1), source(2), h323(3);

    // A leg whose signalling carries no keys (an H.323 channel) is offered plain RTP.
    auto plain = conference_->offer(h323, "r", "", room::LegMedia{});
    ASSERT_TRUE(plain);
    EXPECT_THAT(*plain, HasSubstr(" RTP/AVP "));
    EXPECT_TRUE(cryptosOf(*plain, "audio").empty());
    conference_->left(h323);

    auto offer = conference_->offer(expert, "r", "", {room::LegMedia::Kind::call, true});
    ASSERT_TRUE(offer);
    EXPECT_THAT(*offer, HasSubstr(" RTP/SAVP "));
    const auto offered = cryptosOf(*offer, "audio");
    ASSERT_EQ(offered.size(), 3u);
    const auto suite = rtp::SrtpSuite::aesCm128HmacSha1_80;
    const std::string phoneKey = rtp::makeKeyParams(suite);
    const auto answer = [&](int tag) {
        return sdpOf(
            fmt::format("m=audio {} RTP/SAVP 0\r\na=crypto:{} AES_CM_128_HMAC_SHA1_80 {}\r\n",
                        audio.endpoint().port(), tag, phoneKey));
    };
    auto unoffered = conference_->answered(expert, answer(9));
    ASSERT_FALSE(unoffered);
    EXPECT_THAT(unoffered.error().message, HasSubstr("not one we offered"));
    ASSERT_TRUE(conference_->answered(expert, answer(1)));

    auto toSource = conference_->offer(source, "r", "", {room::LegMedia::Kind::videoSource});
    ASSERT_TRUE(toSource);
    EXPECT_THAT(*toSource, HasSubstr(" RTP/AVP ")); // our own source, on loopback
    ASSERT_TRUE(conference_->answered(
        source, sdpOf(fmt::format("m=video {} RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n",
                                  camera.endpoint().port()))));
    auto reoffer = conference_->reoffer(expert);
    ASSERT_TRUE(reoffer);
    EXPECT_EQ(cryptosOf(*reoffer, "audio"), std::vector<sdp::Crypto>{offered.front()});
    const auto videoKeys = cryptosOf(*reoffer, "video");
    ASSERT_EQ(videoKeys.size(), 3u);
    EXPECT_NE(videoKeys.front().keyParams, offered.front().keyParams);
    ASSERT_TRUE(conference_->answered(
        expert, answer(1) + fmt::format("m=video {} RTP/SAVP 96\r\na=rtpmap:96 H264/90000\r\n"
                                        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 {}\r\n",
                                        screen.endpoint().port(), rtp::makeKeyParams(suite))));

    // A key frame's SPS from the camera reaches the expert encrypted; our video key opens it.
    const std::vector<std::uint8_t> sps{0x67, 0x42, 0x00, 0x1f};
    camera.send(rtpPacket(11, 12000, true, sps), portOf(*toSource, "video"));
    auto got = collect(io_, screen, 50);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].size(), rtp::kFixedHeaderBytes + sps.size() + 10); // an 80-bit tag
    auto key = rtp::readKeyParams(suite, videoKeys.front().keyParams);
    ASSERT_TRUE(key);
    auto opener = rtp::SrtpSession::make(suite, *key, rtp::SrtpSession::Direction::unprotect);
    ASSERT_TRUE(opener);
    auto opened = (*opener)->unprotectRtp(got[0]);
    ASSERT_TRUE(opened) << opened.error().message;
    ASSERT_EQ(*opened, rtp::kFixedHeaderBytes + sps.size());
    EXPECT_EQ(std::memcmp(got[0].data() + rtp::kFixedHeaderBytes, sps.data(), sps.size()), 0);
    conference_->left(expert);
    conference_->left(source);
    EXPECT_EQ(pool_.leased(), 0u);
}

} // namespace
} // namespace sb::session
