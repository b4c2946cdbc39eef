#include "core/byte_io.hpp"

#include <array>
#include <gtest/gtest.h>

namespace sb {
namespace {

std::array<std::byte, 8> sample() {
    return {std::byte{0x12}, std::byte{0x34}, std::byte{0x56}, std::byte{0x78},
            std::byte{0x9a}, std::byte{0xbc}, std::byte{0xde}, std::byte{0xf0}};
}

TEST(ByteReader, ReadsBigEndianIntegers) {
    auto data = sample();
    ByteReader r(data);
    EXPECT_EQ(r.u8(), 0x12);
    EXPECT_EQ(r.u16(), 0x3456);
    EXPECT_EQ(r.u24(), 0x789abcu);
    EXPECT_EQ(r.remaining(), 2u);
    EXPECT_EQ(r.u16(), 0xdef0);
    EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ReadPastEndFailsWithoutMoving) {
    auto data = sample();
    ByteReader r(data);
    ASSERT_TRUE(r.skip(6));
    EXPECT_FALSE(r.u32().has_value());
    EXPECT_EQ(r.position(), 6u);
    EXPECT_FALSE(r.bytes(3).has_value());
    EXPECT_FALSE(r.skip(3));
    EXPECT_EQ(r.u16(), 0xdef0);
}

TEST(ByteWriter, WritesWhatReaderReads) {
    ByteWriter w;
    w.u8(1);
    w.u16(0x0203);
    w.u32(0x04050607);
    w.u64(0x08090a0b0c0d0e0fULL);
    ASSERT_EQ(w.size(), 15u);
    ByteReader r(w.view());
    EXPECT_EQ(r.u8(), 1);
    EXPECT_EQ(r.u16(), 0x0203);
    EXPECT_EQ(r.u32(), 0x04050607u);
    EXPECT_EQ(r.u64(), 0x08090a0b0c0d0e0fULL);
}

TEST(ByteWriter, PatchesLengthAfterTheFact) {
    ByteWriter w;
    w.u16(0);
    w.u32(0xffffffff);
    EXPECT_TRUE(w.patchU16(0, 4));
    EXPECT_FALSE(w.patchU16(5, 1));
    ByteReader r(w.view());
    EXPECT_EQ(r.u16(), 4);
}

} // namespace
} // namespace sb
