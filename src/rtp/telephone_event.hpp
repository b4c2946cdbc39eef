#pragma once
// RFC 4733 telephone-events: the four-byte payload of a DTMF event packet (§2.3: event, end
// bit, volume, duration), and the events' names as keypad digits (§3.2: 0–9, * = 10, # = 11,
// A–D = 12–15).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace sb::rtp {

struct TelephoneEvent {
    std::uint8_t event = 0;
    bool end = false;
    std::uint8_t volume = 10;   // −dBm0, 0–63
    std::uint16_t duration = 0; // in the event clock's ticks, since the event's timestamp
};

inline constexpr std::size_t kTelephoneEventBytes = 4;

// nullopt for a payload shorter than four bytes (longer ones carry redundant blocks, RFC 4733
// §2.6 and RFC 2198; the first block is read).
std::optional<TelephoneEvent> parseTelephoneEvent(std::span<const std::byte> payload) noexcept;
// Writes the four bytes into `out` (at least that long).
void writeTelephoneEvent(std::span<std::byte> out, const TelephoneEvent& e) noexcept;
// Each event block's duration in `payload` (four bytes a block) from an `inClock` event clock
// to an `outClock` one, in place and saturating at 0xffff: where two legs agreed
// telephone-event at different rates (8000 on one, 48000 beside Opus on the other).
void rescaleTelephoneEvents(std::span<std::byte> payload, std::uint32_t inClock,
                            std::uint32_t outClock) noexcept;

// '0'–'9', '*', '#', 'A'–'D' (either case) ↔ events 0–15; nullopt for anything else.
std::optional<std::uint8_t> eventForDigit(char digit) noexcept;
std::optional<char> digitForEvent(std::uint8_t event) noexcept;

} // namespace sb::rtp
