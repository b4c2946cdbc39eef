#include "video/rtp_video.hpp"

#include <gtest/gtest.h>

namespace sb::video {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes unitOf(Codec codec, int type, std::size_t size, std::uint8_t nri = 0x60) {
    Bytes nal(size);
    if (codec == Codec::h264) {
        nal[0] = static_cast<std::uint8_t>(nri | type);
    } else {
        nal[0] = static_cast<std::uint8_t>(type << 1);
        nal[1] = 1;
    }
    for (std::size_t i = nalHeaderBytes(codec); i < size; ++i)
        nal[i] = static_cast<std::uint8_t>(i * 7 + 1);
    return nal;
}

Bytes annexB(const std::vector<Bytes>& units) {
    Bytes out;
    for (const auto& unit : units) {
        out.insert(out.end(), {0, 0, 0, 1});
        out.insert(out.end(), unit.begin(), unit.end());
    }
    return out;
}

// The payloads of one access unit through the depacketizer, sequence numbers from `first`.
std::vector<Depacketizer::AccessUnit> receive(Depacketizer& d, const Payloads& payloads,
                                              std::uint16_t first, std::uint32_t timestamp) {
    std::vector<Depacketizer::AccessUnit> done;
    for (std::size_t i = 0; i < payloads.size(); ++i)
        d.push(static_cast<std::uint16_t>(first + i), timestamp, i + 1 == payloads.size(),
               payloads[i], done);
    return done;
}

TEST(VideoPayloads, SmallUnitsAggregateLargeOnesFragmentAndAllComeBack) {
    for (const Codec codec : {Codec::h264, Codec::h265}) {
        const bool h264 = codec == Codec::h264;
        const std::vector<Bytes> units = {
            unitOf(codec, h264 ? h264::kSps : h265::kSps, 20, 0x60),
            unitOf(codec, h264 ? h264::kPps : h265::kPps, 8, 0x40),
            unitOf(codec, h264 ? h264::kSei : h265::kPrefixSei, 60, 0),
            unitOf(codec, h264 ? h264::kIdr : 19, 3000, 0x60),
            unitOf(codec, 1, 300, 0x20),
        };
        std::vector<Nal> nals(units.begin(), units.end());
        const auto payloads = packetize(codec, nals, 1000);
        // SPS, PPS and SEI in one aggregation; the slice in four fragments; the last alone.
        ASSERT_EQ(payloads.size(), 6u) << codecName(codec);
        const int aggregation = h264 ? h264::kStapA : h265::kAp;
        const int fragmentation = h264 ? h264::kFuA : h265::kFu;
        EXPECT_EQ(nalType(codec, payloads[0]), aggregation);
        if (h264) {
            EXPECT_EQ(payloads[0][0] & 0x60, 0x60); // NRI: the highest of the three
        }
        for (std::size_t i = 1; i <= 4; ++i) {
            EXPECT_EQ(nalType(codec, payloads[i]), fragmentation);
            EXPECT_LE(payloads[i].size(), 1000u);
        }
        const std::size_t fu = nalHeaderBytes(codec);
        EXPECT_EQ(payloads[1][fu] & 0xC0, 0x80); // start
        EXPECT_EQ(payloads[2][fu] & 0xC0, 0x00);
        EXPECT_EQ(payloads[4][fu] & 0xC0, 0x40); // end
        EXPECT_EQ(payloads[5], units[4]);

        Depacketizer d(codec);
        const auto done = receive(d, payloads, 65533, 9000); // the sequence wraps on the way
        ASSERT_EQ(done.size(), 1u);
        EXPECT_EQ(done[0].timestamp, 9000u);
        EXPECT_EQ(done[0].annexB, annexB(units));
        EXPECT_EQ(d.spoiledUnits(), 0u);
    }
}

TEST(VideoPayloads, WhereADecoderCanBegin) {
    const auto h264 = Codec::h264;
    const auto sps = unitOf(h264, h264::kSps, 10), idr = unitOf(h264, h264::kIdr, 3000),
               slice = unitOf(h264, 1, 3000);
    const auto keyPayloads = packetize(h264, std::vector<Nal>{sps, idr}, 1000);
    EXPECT_TRUE(beginsRandomAccess(h264, keyPayloads[0])); // the SPS, alone
    const auto idrPayloads = packetize(h264, std::vector<Nal>{idr}, 1000);
    EXPECT_TRUE(beginsRandomAccess(h264, idrPayloads[0]));  // the IDR's first fragment
    EXPECT_FALSE(beginsRandomAccess(h264, idrPayloads[1])); // not its second
    EXPECT_FALSE(beginsRandomAccess(h264, packetize(h264, std::vector<Nal>{slice}, 1000)[0]));
    const auto small = packetize(h264, std::vector<Nal>{sps, unitOf(h264, h264::kPps, 5)}, 1000);
    ASSERT_EQ(small.size(), 1u);
    EXPECT_TRUE(beginsRandomAccess(h264, small[0])); // a STAP-A that starts with the SPS
    const auto h265 = Codec::h265;
    EXPECT_TRUE(beginsRandomAccess(
        h265, packetize(h265, std::vector<Nal>{unitOf(h265, 19, 3000)}, 1000)[0])); // IDR_W_RADL
    EXPECT_FALSE(beginsRandomAccess(h265, unitOf(h265, 1, 50)));
    EXPECT_FALSE(beginsRandomAccess(h265, Bytes{0x40}));
}

TEST(VideoPayloads, ALostFragmentSpoilsItsUnitAndTheNextOneComesThrough) {
    const Codec codec = Codec::h264;
    const std::vector<Bytes> first = {unitOf(codec, h264::kIdr, 3000)};
    const std::vector<Bytes> second = {unitOf(codec, 1, 100)};
    auto payloads = packetize(codec, std::vector<Nal>(first.begin(), first.end()), 1000);
    ASSERT_EQ(payloads.size(), 4u);
    Depacketizer d(codec);
    std::vector<Depacketizer::AccessUnit> done;
    d.push(10, 3000, false, payloads[0], done);
    d.push(12, 3000, false, payloads[2], done); // 11 lost
    d.push(13, 3000, true, payloads[3], done);
    EXPECT_TRUE(done.empty());
    EXPECT_EQ(d.spoiledUnits(), 1u);
    const auto next = packetize(codec, std::vector<Nal>(second.begin(), second.end()), 1000);
    done = receive(d, next, 14, 6000);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].annexB, annexB(second));
}

TEST(VideoPayloads, AMissingMarkerEndsTheUnitWhenTheTimestampMovesOn) {
    const Codec codec = Codec::h265;
    const auto a = unitOf(codec, 1, 50), b = unitOf(codec, 1, 60);
    Depacketizer d(codec);
    std::vector<Depacketizer::AccessUnit> done;
    d.push(1, 100, false, a, done);
    d.push(2, 200, true, b, done);
    ASSERT_EQ(done.size(), 2u);
    EXPECT_EQ(done[0].annexB, annexB({a}));
    EXPECT_EQ(done[1].annexB, annexB({b}));
}

TEST(VideoPayloads, MalformedPayloadsAreNamedAndSpoilTheirUnit) {
    struct Case {
        Codec codec;
        Bytes payload;
        std::string error;
    };
    const std::vector<Case> cases = {
        {Codec::h264, {0x65}, "header alone"},
        {Codec::h264, {0xE5, 1}, "forbidden_zero_bit"},
        {Codec::h264, {0x78, 0, 9, 0x67}, "a size of 9"},
        {Codec::h264, {0x78}, "header alone"},
        {Codec::h264, {0x7C, 0xC5, 1}, "both its start and end"},
        {Codec::h264, {0x7C, 0x05, 1}, "whose start was lost"},
        {Codec::h264, {0x79, 0, 1}, "not allowed in packetization-mode 1"}, // STAP-B
        {Codec::h265, {0x64, 1, 0}, "PACI"},
        {Codec::h265, {0x60, 1, 0, 1}, "a size of 1"},
    };
    for (const auto& c : cases) {
        Depacketizer d(c.codec);
        std::vector<Depacketizer::AccessUnit> done;
        d.push(1, 0, true, c.payload, done);
        EXPECT_TRUE(done.empty());
        EXPECT_EQ(d.malformedPackets(), 1u);
        EXPECT_NE(d.lastError().find(c.error), std::string::npos) << d.lastError();
    }
}

TEST(VideoPayloads, AnAccessUnitOverTheLimitIsRefused) {
    Depacketizer d(Codec::h264, 1000);
    std::vector<Depacketizer::AccessUnit> done;
    for (std::uint16_t i = 0; i < 3; ++i)
        d.push(i, 0, i == 2, unitOf(Codec::h264, 1, 400), done);
    EXPECT_TRUE(done.empty());
    EXPECT_NE(d.lastError().find("over 1000 octets"), std::string::npos);
}

} // namespace
} // namespace sb::video
