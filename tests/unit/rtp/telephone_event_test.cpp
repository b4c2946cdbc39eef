#include "rtp/telephone_event.hpp"

#include <array>
#include <gtest/gtest.h>

namespace sb::rtp {
namespace {

TEST(TelephoneEvent, ReadsAndWritesTheFourBytesOfRfc4733) {
    // Event 9, end bit, volume 10, duration 1280 (RFC 4733 §2.3).
    const std::array<std::byte, 4> wire{std::byte{9}, std::byte{0x8a}, std::byte{0x05},
                                        std::byte{0x00}};
    auto e = parseTelephoneEvent(wire);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->event, 9);
    EXPECT_TRUE(e->end);
    EXPECT_EQ(e->volume, 10);
    EXPECT_EQ(e->duration, 1280);
    std::array<std::byte, 4> out{};
    writeTelephoneEvent(out, *e);
    EXPECT_EQ(out, wire);
    EXPECT_FALSE(parseTelephoneEvent(std::span(wire).first(3)));
}

TEST(TelephoneEvent, NamesTheKeypad) {
    EXPECT_EQ(eventForDigit('0'), 0);
    EXPECT_EQ(eventForDigit('9'), 9);
    EXPECT_EQ(eventForDigit('*'), 10);
    EXPECT_EQ(eventForDigit('#'), 11);
    EXPECT_EQ(eventForDigit('d'), 15);
    EXPECT_FALSE(eventForDigit('E'));
    EXPECT_EQ(digitForEvent(11), '#');
    EXPECT_EQ(digitForEvent(12), 'A');
    EXPECT_FALSE(digitForEvent(16)); // flash: no keypad digit
}

} // namespace
} // namespace sb::rtp
