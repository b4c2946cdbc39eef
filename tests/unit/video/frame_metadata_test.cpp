#include "video/frame_metadata.hpp"

#include <gtest/gtest.h>

namespace sb::video {
namespace {

using Bytes = std::vector<std::uint8_t>;

FrameMetadata sample() {
    // A capture time whose octets hold 00 00 01: the SEI must escape it.
    return {"4bf92f3577b34da6a3ce929d0e0e4736", "alice", 0x0000010000010203};
}

TEST(FrameMetadata, PayloadRoundTripsAndNamesWhatIsWrong) {
    const auto payload = encodeMetadataPayload(sample());
    EXPECT_EQ(payload.size(), 1u + 8 + 1 + 32 + 1 + 5);
    EXPECT_EQ(*decodeMetadataPayload(payload), sample());

    Bytes cut(payload.begin(), payload.end() - 1);
    const auto short_ = decodeMetadataPayload(cut);
    ASSERT_FALSE(short_);
    EXPECT_NE(short_.error().message.find("expert id"), std::string::npos);
    Bytes later = payload;
    later[0] = 2;
    EXPECT_EQ(decodeMetadataPayload(later).error().code, Errc::unsupported);
    EXPECT_FALSE(decodeMetadataPayload(Bytes{1, 0, 0}));

    FrameMetadata longId = sample();
    longId.expertId.assign(300, 'x');
    EXPECT_EQ(decodeMetadataPayload(encodeMetadataPayload(longId))->expertId.size(), 255u);
    // Cut before a character that would not fit whole: 127 "é" (254 octets), not 127½.
    std::string accents;
    for (int i = 0; i < 200; ++i)
        accents += "\xC3\xA9";
    longId.expertId = accents;
    EXPECT_EQ(decodeMetadataPayload(encodeMetadataPayload(longId))->expertId,
              accents.substr(0, 254));
}

TEST(FrameMetadata, SeiOfEachCodecReadsBack) {
    for (const Codec codec : {Codec::h264, Codec::h265}) {
        const auto sei = metadataSei(codec, sample());
        EXPECT_EQ(nalType(codec, sei), codec == Codec::h264 ? h264::kSei : h265::kPrefixSei);
        EXPECT_TRUE(splitAnnexB(sei).empty()) << "escaped: no start code inside";
        EXPECT_EQ(sei.back(), 0x80); // rbsp_trailing_bits
        const auto back = readMetadataSei(codec, sei);
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, sample());
    }
}

TEST(FrameMetadata, OnlyOurUuidCountsAndACutMessageIsAnError) {
    // An SEI of someone else's user data (x264 writes its version so): not ours.
    Bytes other = {h264::kSei, 5, 18};
    for (int i = 0; i < 16; ++i)
        other.push_back(static_cast<std::uint8_t>(i));
    other.insert(other.end(), {'h', 'i', 0x80});
    EXPECT_EQ(readMetadataSei(Codec::h264, other).error().code, Errc::not_found);
    EXPECT_EQ(readMetadataSei(Codec::h264, Bytes{0x65, 0x88}).error().code, Errc::not_found);

    auto sei = metadataSei(Codec::h264, sample());
    sei.resize(sei.size() / 2);
    EXPECT_EQ(readMetadataSei(Codec::h264, sei).error().code, Errc::invalid_input);
}

TEST(FrameMetadata, GoesBeforeTheFirstSliceOfTheAccessUnit) {
    // H.264: AUD, SPS, PPS, two slices of an IDR.
    const Bytes unit = {0, 0,    0,    1, 0x09, 0xF0, 0,    0,    0, 1, 0x67, 0x42, 0,   0,
                        1, 0x68, 0xCE, 0, 0,    1,    0x65, 0x88, 0, 0, 1,    0x65, 0x99};
    const auto out = withMetadata(Codec::h264, unit, sample());
    const auto units = splitAnnexB(out);
    ASSERT_EQ(units.size(), 6u);
    std::vector<int> types;
    types.reserve(units.size());
    for (const Nal nal : units)
        types.push_back(nalType(Codec::h264, nal));
    EXPECT_EQ(types, (std::vector<int>{h264::kAud, h264::kSps, h264::kPps, h264::kSei, 5, 5}));
    EXPECT_EQ(*readMetadataSei(Codec::h264, units[3]), sample());
}

} // namespace
} // namespace sb::video
