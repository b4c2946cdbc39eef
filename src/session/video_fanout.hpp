#pragma once
// A room's video on its media worker: one source (a video leg, which encodes once) and every
// call that takes the room's video. What the source sends is relayed to each receiver as it
// is, only the RTP header rewritten (the receiver's SSRC, its own sequence numbers, a timestamp
// offset of its own, its payload type): the pictures are encoded once, whatever the number of
// receivers (ARCHITECTURE.md "Notes for speed"). A receiver starts at a picture it can decode
// from (a parameter set or a random access picture), and the source is asked for one when a
// receiver joins.
//
// Each receiver's sender reports carry the source's capture times (the source's own reports,
// shifted to the receiver's timestamps), as the room's audio reports do (ConferenceRoom::
// keepTimeBy): a receiver plays the two in sync (RFC 3550 §6.4.1).
//
// Feedback goes the other way: a receiver's picture loss indication or full intra request
// (RFC 4585 §6.3.1, RFC 5104 §4.3.1) becomes a PLI to the source, at most one per 300 ms; the
// loss a receiver reports (its RTCP report block's fraction lost) goes to the source in a
// receiver report of ours, about that source, so that its encoder can lower its bitrate.

#include "room/ids.hpp"
#include "rtp/rtp_stream.hpp"
#include "video/nal.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>

namespace sb::session {

class VideoFanout {
public:
    // The room's source: its stream (to receive from, and to send feedback on), the codec and
    // payload type that our offer and its answer settled.
    void setSource(room::LegId leg, std::unique_ptr<rtp::RtpStream> stream, video::Codec codec,
                   std::uint8_t payloadType);
    bool hasSource() const noexcept { return source_.has_value(); }
    std::optional<video::Codec> codec() const;

    // A call that takes the room's video, on `stream`, as `payloadType`; again for a receiver
    // already here, a new payload type.
    void addReceiver(room::LegId leg, std::unique_ptr<rtp::RtpStream> stream,
                     std::uint8_t payloadType);
    void updateReceiver(room::LegId leg, std::uint8_t payloadType);
    // The leg's video stream, source or receiver; nullptr if it has none here.
    rtp::RtpStream* stream(room::LegId leg);
    // The leg's video goes (and its ports); a source that goes leaves its receivers waiting.
    void remove(room::LegId leg);
    bool empty() const noexcept { return !source_ && receivers_.empty(); }
    // A PLI to the source (at most one per 300 ms): a receiver lost its place, and said so
    // in its signalling (SIP INFO picture_fast_update) rather than in RTCP.
    void requestKeyFrame() { askForKeyFrame(); }

    struct Stats {
        std::uint64_t packetsIn = 0, packetsOut = 0, keyFrameRequests = 0, lossReports = 0;
        std::int64_t sourceLost = 0; // packets of the sources' that never came (RFC 3550 A.3)
        std::uint64_t heldBack = 0;  // packets a receiver did not get while it waited for a key
    };
    const Stats& stats() const noexcept { return stats_; }

private:
    struct Source {
        room::LegId leg;
        std::unique_ptr<rtp::RtpStream> stream;
        video::Codec codec;
        std::uint8_t payloadType;
    };
    struct Receiver {
        std::unique_ptr<rtp::RtpStream> stream;
        std::uint8_t payloadType = 96;
        std::uint16_t sequence = 0; // the next one it gets
        // Added to the source's sequence numbers, from the picture it started at: a packet lost
        // on the way in is a gap in what it gets too, which it can report (RFC 3550 §A.3).
        std::uint16_t sequenceOffset = 0;
        std::uint32_t timestampOffset = 0;
        bool waitingForKey = true;
    };
    void relay(std::span<const std::byte> packet, const rtp::RtpView& view);
    void feedback(std::span<const std::byte> compound);
    void askForKeyFrame();

    std::optional<Source> source_;
    std::optional<std::uint32_t> sourceSsrc_; // what its packets carry, once one came
    std::map<room::LegId, Receiver> receivers_;
    std::vector<std::byte> buffer_;
    std::chrono::steady_clock::time_point lastKeyRequest_{};
    Stats stats_;
};

} // namespace sb::session
