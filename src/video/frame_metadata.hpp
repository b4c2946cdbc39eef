#pragma once
// The metadata every frame we send carries: the escalation's trace id, the expert's id and the
// frame's capture time, in an SEI user_data_unregistered message under our own UUID (H.264
// §D.1.7, H.265 §D.2.7). It is added after encoding, as a NAL unit of its own ahead of the
// picture's first coded slice, so that the same code serves both codecs and any encoder.
// The layout is documented for receivers in docs/video-sei.md.

#include "core/result.hpp"
#include "video/nal.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sb::video {

// 672b78d2-cd90-4900-9cf9-d74200a13eaf, the uuid_iso_iec_11578 of our SEI.
inline constexpr std::array<std::uint8_t, 16> kMetadataUuid = {
    0x67, 0x2b, 0x78, 0xd2, 0xcd, 0x90, 0x49, 0x00, 0x9c, 0xf9, 0xd7, 0x42, 0x00, 0xa1, 0x3e, 0xaf};

struct FrameMetadata {
    std::string traceId;            // at most 255 octets (32 hex digits in practice)
    std::string expertId;           // at most 255 octets
    std::int64_t captureMicros = 0; // the capture time, microseconds since 1970 (UTC)

    bool operator==(const FrameMetadata&) const = default;
};

// user_data_payload_byte of version 1: version (1), capture time (8, big-endian), the trace
// id's length (1) and octets, the expert id's length (1) and octets. Longer ids are cut at 255.
std::vector<std::uint8_t> encodeMetadataPayload(const FrameMetadata& metadata);
Result<FrameMetadata> decodeMetadataPayload(std::span<const std::uint8_t> payload);

// A whole SEI NAL unit (header, one sei_message, rbsp trailing bits, emulation prevention)
// carrying `metadata`: nal_unit_type 6 for H.264, 39 (prefix SEI) for H.265.
std::vector<std::uint8_t> metadataSei(Codec codec, const FrameMetadata& metadata);

// An access unit in Annex B with our SEI inserted before its first VCL unit (where H.264
// §7.4.1.2.3 and H.265 §7.4.2.4.4 place SEI), each unit behind a four-octet start code.
std::vector<std::uint8_t> withMetadata(Codec codec, std::span<const std::uint8_t> accessUnit,
                                       const FrameMetadata& metadata);

// Our metadata from an SEI NAL unit: not_found when the unit holds no user_data_unregistered
// under our UUID, invalid_input (naming what) when it is malformed.
Result<FrameMetadata> readMetadataSei(Codec codec, Nal sei);

} // namespace sb::video
