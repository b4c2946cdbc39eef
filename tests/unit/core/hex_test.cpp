#include "core/hex.hpp"

#include <array>
#include <gtest/gtest.h>

namespace sb {
namespace {

TEST(Hex, WritesLowerCase) {
    const std::array<std::uint8_t, 4> bytes{0x00, 0x9f, 0xa0, 0xff};
    EXPECT_EQ(toHex(bytes), "009fa0ff");
    EXPECT_EQ(toHex({}), "");
}

TEST(Hex, ReadsBackWhatItWrote) {
    std::array<std::uint8_t, 4> bytes{};
    ASSERT_TRUE(fromHex("009fa0ff", bytes));
    EXPECT_EQ(bytes, (std::array<std::uint8_t, 4>{0x00, 0x9f, 0xa0, 0xff}));
}

TEST(Hex, UpperCaseOnlyWhenAsked) {
    std::array<std::uint8_t, 2> bytes{};
    EXPECT_FALSE(fromHex("A0ff", bytes));
    ASSERT_TRUE(fromHex("A0fF", bytes, /*anyCase=*/true));
    EXPECT_EQ(bytes, (std::array<std::uint8_t, 2>{0xa0, 0xff}));
}

TEST(Hex, RefusesOtherLengthsAndNonDigits) {
    std::array<std::uint8_t, 2> bytes{};
    EXPECT_FALSE(fromHex("a0f", bytes));
    EXPECT_FALSE(fromHex("a0fff0", bytes));
    EXPECT_FALSE(fromHex("a0fg", bytes, true));
    EXPECT_FALSE(fromHex("a0 f", bytes, true));
    EXPECT_EQ(hexDigitValue('F'), 15);
    EXPECT_EQ(hexDigitValue('/'), -1);
    EXPECT_EQ(hexDigitValue(':'), -1);
    EXPECT_EQ(hexDigitValue('G'), -1);
}

} // namespace
} // namespace sb
