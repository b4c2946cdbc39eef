#pragma once
// The SDP of one video stream we send, for a receiver that only listens (ffmpeg, VLC, a
// recorder): RFC 8866 with the format parameters of RFC 6184 §8.1 (H.264: packetization-mode
// 1, and profile-level-id from the stream's sequence parameter set) or RFC 7798 §7.1 (H.265).

#include "sdp/codec.hpp"
#include "video/nal.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace sb::video {

struct StreamDescription {
    Codec codec = Codec::h264;
    std::string address = "127.0.0.1"; // where the receiver listens
    std::uint16_t port = 0;            // RTP; RTCP on port + 1 (RFC 3550 §11)
    std::uint8_t payloadType = 96;
    std::span<const Nal> parameterSets; // a key frame's units; its SPS gives the profile
};

std::string streamSdp(const StreamDescription& stream);

// A call's video as a room offers and answers it. H.264 names its profile and level (RFC 6184
// §8.1): without profile-level-id an offer means Baseline at level 1.0, and a phone that
// decodes only Baseline would take a High-profile stream and show nothing. So calls get
// Constrained Baseline up to level 4.0 (42e028: every preset, up to 1080p at 30 a second),
// which the encoder makes for them (EncoderSettings::constrainedBaseline). H.265: Main, its
// default (RFC 7798 §7.1).
inline const sdp::Codec kCallH264{"H264", 90000, 1, "packetization-mode=1;profile-level-id=42e028"};
inline const sdp::Codec kCallH265{"H265", 90000, 1};

// RFC 6184 §8.1's profile-level-id: the three octets after the SPS's NAL header
// (profile_idc, the constraint flags, level_idc) in hex; empty without an SPS among `units`.
std::string profileLevelId(std::span<const Nal> units);

} // namespace sb::video
