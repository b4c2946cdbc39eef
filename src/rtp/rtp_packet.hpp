#pragma once
// RTP packets (RFC 3550 §5.1): a validated view of a received packet, and the in-place header
// rewrites a relay makes (SSRC, sequence number, timestamp, payload type) so that a packet
// crosses from one leg to the other without being copied or decoded (ARCHITECTURE.md "Notes for
// speed").

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::rtp {

inline constexpr std::size_t kFixedHeaderBytes = 12;

struct RtpView {
    bool marker = false;
    std::uint8_t payloadType = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0, ssrc = 0;
    std::uint8_t csrcCount = 0;
    // RFC 3550 §5.3.1 header extension (RFC 8285 profiles 0xBEDE and 0x100x), if present.
    bool hasExtension = false;
    std::uint16_t extensionProfile = 0;
    std::span<const std::byte> extension; // its data, without the 4-byte extension header
    std::span<const std::byte> payload;   // without the padding
    std::size_t headerBytes = 0;          // fixed header, CSRCs and extension
    std::uint8_t paddingBytes = 0;

    std::uint32_t csrc(std::size_t i, std::span<const std::byte> packet) const noexcept;
};

// Where the padding count is: readable at the end (`read`), or inside SRTP's encryption, with
// the authentication tag after it (`encrypted`, RFC 3711 §3.1: read it once decrypted; the
// payload then runs to the end).
enum class RtpPadding { read, encrypted };
// Validates and reads a packet. Errors (Errc::invalid_input, naming the problem): shorter than
// the fixed header, version other than 2, CSRCs or extension running past the end, a padding
// count of zero or larger than what follows the header.
Result<RtpView> parseRtp(std::span<const std::byte> packet, RtpPadding padding = RtpPadding::read);

// RFC 5761 §4: on a multiplexed port, RTCP's packet types 192–223 sit where RTP's marker bit
// and payload type are; RTP payload types 64–95 are not used so that the two can be told apart.
bool looksLikeRtcp(std::span<const std::byte> packet) noexcept;

// Header rewrites in a buffer that parseRtp() accepted.
void setSsrc(std::span<std::byte> packet, std::uint32_t ssrc) noexcept;
void setSequence(std::span<std::byte> packet, std::uint16_t sequence) noexcept;
void setTimestamp(std::span<std::byte> packet, std::uint32_t timestamp) noexcept;
void setPayloadType(std::span<std::byte> packet, std::uint8_t payloadType) noexcept;

struct RtpHeaderFields {
    bool marker = false;
    std::uint8_t payloadType = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0, ssrc = 0;
};
// Writes a 12-byte header (no CSRC, no extension, no padding) into `out`, which must hold at
// least kFixedHeaderBytes; returns the bytes written.
std::size_t writeRtpHeader(std::span<std::byte> out, const RtpHeaderFields& fields) noexcept;

} // namespace sb::rtp
