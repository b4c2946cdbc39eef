#include "video/nal.hpp"

#include <gtest/gtest.h>

namespace sb::video {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytesOf(Nal nal) {
    return {nal.begin(), nal.end()};
}

TEST(AnnexB, SplitsOnThreeAndFourOctetStartCodesAndDropsTrailingZeros) {
    const Bytes stream = {0xAA, 0, 0, 0, 1, 0x67, 0x42, 0,    0,    1,   0x68,
                          0xCE, 0, 0, 0, 0, 1,    0x65, 0x88, 0x00, 0x00};
    const auto units = splitAnnexB(stream);
    ASSERT_EQ(units.size(), 3u);
    EXPECT_EQ(bytesOf(units[0]), (Bytes{0x67, 0x42}));
    EXPECT_EQ(bytesOf(units[1]), (Bytes{0x68, 0xCE}));
    EXPECT_EQ(bytesOf(units[2]), (Bytes{0x65, 0x88}));
    EXPECT_TRUE(splitAnnexB(Bytes{1, 2, 3, 0, 0}).empty());
    EXPECT_TRUE(splitAnnexB(Bytes{0, 0, 1}).empty());
}

TEST(AnnexB, NalTypesOfBothCodecs) {
    EXPECT_EQ(nalType(Codec::h264, Bytes{0x65}), h264::kIdr);
    EXPECT_EQ(nalType(Codec::h264, Bytes{0x06}), h264::kSei);
    EXPECT_EQ(nalType(Codec::h265, Bytes{0x4E, 0x01}), h265::kPrefixSei);
    EXPECT_EQ(nalType(Codec::h265, Bytes{0x40, 0x01}), h265::kVps);
    EXPECT_EQ(nalType(Codec::h265, Bytes{0x40}), -1); // a header of two octets
    EXPECT_TRUE(isVcl(Codec::h264, 5));
    EXPECT_FALSE(isVcl(Codec::h264, 7));
    EXPECT_TRUE(isVcl(Codec::h265, 19));
    EXPECT_FALSE(isVcl(Codec::h265, 39));
    EXPECT_TRUE(isRandomAccess(Codec::h265, 19)); // IDR_W_RADL
    EXPECT_FALSE(isRandomAccess(Codec::h264, 1));
}

TEST(EmulationPrevention, EscapesWhatWouldLookLikeAStartCodeAndUndoesIt) {
    const Bytes rbsp = {0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0};
    Bytes escaped;
    appendEscaped(escaped, rbsp);
    EXPECT_EQ(escaped, (Bytes{0, 0, 3, 0, 0, 3, 0, 1, 0, 0, 3, 2, 0, 0, 3, 3, 0, 0, 4, 0, 0}));
    EXPECT_EQ(unescape(escaped), rbsp);
    EXPECT_TRUE(splitAnnexB(escaped).empty()); // no start code inside
}

} // namespace
} // namespace sb::video
