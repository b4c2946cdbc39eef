#pragma once
// A whole video stream to one RTP address: pictures from a source, encoded once, each with the
// frame metadata SEI (frame_metadata.hpp), packetized, and sent with RTCP sender reports. It
// runs on the calling thread until the source ends, `frames` have gone, or `stop` is set: the
// `switchboard video send` command runs it, and a room's video leg runs it on a video thread
// of its own (video_legs.hpp).
//
// The receiver's feedback acts on the encoder between frames: a picture loss indication or a
// full intra request (RFC 4585 §6.3.1, RFC 5104 §4.3.1) makes the next picture an IDR, and
// the loss its receiver reports lowers the bitrate (a fifth at a time above 10% lost; back up
// by 8% after five seconds under 2%, to the starting bitrate at most).

#include "core/result.hpp"
#include "video/datagram_socket.hpp"
#include "video/encoder.hpp"
#include "video/frame_metadata.hpp"
#include "video/sound_sender.hpp"
#include "video/source.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sb::video {

struct StreamTarget {
    DatagramSocket* rtp = nullptr;  // connected to the receiver's RTP address
    DatagramSocket* rtcp = nullptr; // to its RTCP address; nullptr: on `rtp` (RFC 5761)
    std::uint8_t payloadType = 96;
    std::size_t maxPayload = 1200; // room for SRTP, a tunnel's headers and IPv6 under 1500
    std::string cname;
};

struct StreamReport {
    std::uint64_t frames = 0, keyframes = 0, packets = 0, octets = 0;
    std::uint64_t keyFrameRequests = 0, bitrateChanges = 0, repeated = 0;
};

struct StreamOptions {
    FrameMetadata metadata;   // its capture time is each picture's own
    std::uint64_t frames = 0; // 0: until the source ends or `stop`
    const std::atomic<bool>* stop = nullptr;
    // Called once, with the first key frame's units, before anything is sent: the caller
    // writes the SDP (stream_sdp.hpp) a receiver needs, or answers the room's offer.
    std::function<void(std::span<const Nal> firstKeyFrame)> beforeFirstPacket;
    // With it, a source that fails or ends is opened again (every two seconds until it
    // comes), and meanwhile its last picture is sent again at the frame rate: the call keeps
    // its video, frozen (the "last frame" of graceful degradation). `degraded` and
    // `recovered` say when it stops and comes back. It is called on a thread of its own: what
    // it reads must not change meanwhile (the sender resizes what it opens).
    std::function<Result<std::unique_ptr<Source>>()> reopen;
    std::function<void(const std::string& reason)> degraded;
    std::function<void()> recovered;
    // The source's sound goes here as it comes, with the pictures (a room's video leg).
    SoundSender* sound = nullptr;
    // Asked between pictures: a preset to change to (its size and starting bitrate), if one
    // was asked for since. The encoder and the source then make pictures of its size, from
    // an IDR; the receiver's decoder follows the new parameter sets.
    std::function<std::optional<VideoPreset>()> presetChange;
    // Told when the receiver's loss reports changed the bitrate: the new one, and the loss
    // that moved it (RFC 3550 §6.4.1's fraction lost, in 256ths).
    std::function<void(int kbps, std::uint8_t fractionLost)> bitrateChanged;
};

Result<StreamReport> sendStream(std::unique_ptr<Source> source, Encoder& encoder,
                                const StreamTarget& target, const StreamOptions& options);

} // namespace sb::video
