#include "rtp/telephone_event.hpp"

#include <algorithm>

namespace sb::rtp {
namespace {

constexpr char kDigits[] = "0123456789*#ABCD";

} // namespace

std::optional<TelephoneEvent> parseTelephoneEvent(std::span<const std::byte> p) noexcept {
    if (p.size() < kTelephoneEventBytes) return std::nullopt;
    const auto flags = std::to_integer<std::uint8_t>(p[1]);
    return TelephoneEvent{std::to_integer<std::uint8_t>(p[0]), (flags & 0x80) != 0,
                          static_cast<std::uint8_t>(flags & 0x3f),
                          static_cast<std::uint16_t>(std::to_integer<unsigned>(p[2]) << 8 |
                                                     std::to_integer<unsigned>(p[3]))};
}

void writeTelephoneEvent(std::span<std::byte> out, const TelephoneEvent& e) noexcept {
    out[0] = std::byte{e.event};
    out[1] = std::byte{static_cast<std::uint8_t>((e.end ? 0x80 : 0) | (e.volume & 0x3f))};
    out[2] = std::byte{static_cast<std::uint8_t>(e.duration >> 8)};
    out[3] = std::byte{static_cast<std::uint8_t>(e.duration & 0xff)};
}

void rescaleTelephoneEvents(std::span<std::byte> payload, std::uint32_t inClock,
                            std::uint32_t outClock) noexcept {
    if (inClock == 0 || inClock == outClock) return;
    for (std::size_t at = 0; at + kTelephoneEventBytes <= payload.size();
         at += kTelephoneEventBytes) {
        const std::uint64_t ticks = std::to_integer<std::uint64_t>(payload[at + 2]) << 8 |
                                    std::to_integer<std::uint64_t>(payload[at + 3]);
        const auto scaled = std::min<std::uint64_t>(ticks * outClock / inClock, 0xffff);
        payload[at + 2] = std::byte{static_cast<std::uint8_t>(scaled >> 8)};
        payload[at + 3] = std::byte{static_cast<std::uint8_t>(scaled & 0xff)};
    }
}

std::optional<std::uint8_t> eventForDigit(char digit) noexcept {
    if (digit >= 'a' && digit <= 'd') digit = static_cast<char>(digit - 'a' + 'A');
    for (std::uint8_t i = 0; i < 16; ++i)
        if (kDigits[i] == digit) return i;
    return std::nullopt;
}

std::optional<char> digitForEvent(std::uint8_t event) noexcept {
    if (event >= 16) return std::nullopt; // flash and the tones of §3.2's table beyond the keypad
    return kDigits[event];
}

} // namespace sb::rtp
