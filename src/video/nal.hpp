#pragma once
// NAL units of H.264 (ITU-T H.264 (08/2021)) and H.265 (ITU-T H.265 (09/2023)): the Annex B
// byte stream an encoder gives, the unit's type from its header, and emulation prevention
// (H.264 §7.4.1, H.265 §7.4.2), which keeps a start code from appearing inside a unit.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sb::video {

enum class Codec { h264, h265 };

const char* codecName(Codec codec) noexcept; // "H264", "H265": the RTP encoding names

// The 90 kHz clock of both RTP formats (RFC 6184 §8.1, RFC 7798 §7.1). Our encoders count in
// it too, so that a frame's pts is its RTP timestamp less the stream's base.
inline constexpr int kVideoClock = 90000;

using Nal = std::span<const std::uint8_t>;

// The NAL units of an Annex B byte stream (B.2 of both): each after a start code of three or
// four octets, trailing zero octets dropped. Octets before the first start code are ignored.
std::vector<Nal> splitAnnexB(std::span<const std::uint8_t> stream);

// The header's length: one octet for H.264 (§7.3.1), two for H.265 (§7.3.1.2).
inline std::size_t nalHeaderBytes(Codec codec) noexcept {
    return codec == Codec::h264 ? 1 : 2;
}
// nal_unit_type, or -1 for a unit too short to have a header.
int nalType(Codec codec, Nal nal) noexcept;

// H.264 Table 7-1 and H.265 Table 7-1.
namespace h264 {
inline constexpr int kIdr = 5, kSei = 6, kSps = 7, kPps = 8, kAud = 9;
inline constexpr int kStapA = 24, kFuA = 28; // RFC 6184 §5.2
} // namespace h264
namespace h265 {
inline constexpr int kBlaFirst = 16, kIrapLast = 23, kVps = 32, kSps = 33, kPps = 34, kAud = 35,
                     kPrefixSei = 39;
inline constexpr int kAp = 48, kFu = 49; // RFC 7798 §4.4
} // namespace h265

// A unit of coded picture data (VCL): H.264 types 1–5, H.265 types 0–31.
bool isVcl(Codec codec, int type) noexcept;
// A unit that starts a picture a decoder can begin with: an IDR (H.264) or an IRAP (H.265).
bool isRandomAccess(Codec codec, int type) noexcept;

// Appends `rbsp` to `out` with emulation prevention: 0x03 after two zero octets wherever the
// next would be 0x00–0x03 (H.264 §7.4.1, H.265 §7.4.2).
void appendEscaped(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> rbsp);
// The reverse: the emulation prevention octets removed.
std::vector<std::uint8_t> unescape(std::span<const std::uint8_t> escaped);

} // namespace sb::video
