#pragma once
// The SDP of one video stream we send, for a receiver that only listens (ffmpeg, VLC, a
// recorder): RFC 8866 with the format parameters of RFC 6184 §8.1 (H.264: packetization-mode
// 1, and profile-level-id from the stream's sequence parameter set) or RFC 7798 §7.1 (H.265).

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

// RFC 6184 §8.1's profile-level-id: the three octets after the SPS's NAL header
// (profile_idc, the constraint flags, level_idc) in hex; empty without an SPS among `units`.
std::string profileLevelId(std::span<const Nal> units);

} // namespace sb::video
