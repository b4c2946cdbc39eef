#pragma once
// A whole video stream to one RTP address: pictures from a source, encoded once, each with the
// frame metadata SEI (frame_metadata.hpp), packetized, and sent with RTCP sender reports on
// the next port. It runs on the calling thread until the source ends, `frames` have gone, or
// `stop` is set: the `switchboard video send` command runs it, and the room's video leg runs
// the same steps on its video thread.

#include "core/result.hpp"
#include "video/encoder.hpp"
#include "video/frame_metadata.hpp"
#include "video/source.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace sb::video {

struct StreamTarget {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0; // RTP; RTCP on port + 1
    std::uint8_t payloadType = 96;
    std::size_t maxPayload = 1200; // room for SRTP, a tunnel's headers and IPv6 under 1500
    std::string cname;
};

struct StreamReport {
    std::uint64_t frames = 0, keyframes = 0, packets = 0, octets = 0;
};

struct StreamOptions {
    FrameMetadata metadata;   // its capture time is each picture's own
    std::uint64_t frames = 0; // 0: until the source ends or `stop`
    const std::atomic<bool>* stop = nullptr;
    // Called once, with the first key frame's units, before anything is sent: the caller
    // writes the SDP (stream_sdp.hpp) a receiver needs.
    std::function<void(std::span<const Nal> firstKeyFrame)> beforeFirstPacket;
};

Result<StreamReport> sendStream(Source& source, Encoder& encoder, const StreamTarget& target,
                                const StreamOptions& options);

} // namespace sb::video
