#pragma once
// Video sources as legs of a room (room::LegMedia::Kind::videoSource): a leg per source that an
// escalation brings in. The room's graph offers the leg video to send (its codecs, its port);
// the leg answers with the codec it takes, opens its source and encoder, and sends its stream
// there from a video thread of its own (stream_sender.hpp), where the room relays it to every
// call that takes the room's video (session::VideoFanout) and sends the calls' feedback back.
//
// A source that fails while the leg is up degrades the leg (its last picture is sent again,
// frozen) and recovers it when it comes back; a source that cannot be opened at all fails
// the leg. Neither touches the calls: a video leg is a bridge, and its failure degrades the
// room, never ends the expert's audio.
//
// The leg's thread reports to the room through the control loop (asio::post); hanging up
// stops the thread, and the provider joins stopped threads, never the control loop.

#include "room/leg.hpp"
#include "video/nal.hpp"

#include <asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sb::video {

// A source an agent may name: the test pattern ("pattern"), or one from the configuration.
struct SourceConfig {
    std::string name;
    std::string url; // an FFmpeg input: a file, rtsp://, srt://, udp://
};

struct VideoOptions {
    std::string preset = "720p";
    Codec codec = Codec::h264;         // preferred, where the room's offer has both
    std::string encoder;               // a libavcodec encoder by name; empty: libx264 or libx265
    std::string vaapiDevice;           // a VAAPI encoder's render node; empty: the first
    std::string address = "127.0.0.1"; // where the legs' sockets are (the graph's side)
    std::vector<SourceConfig> sources;
};

class VideoLegs final : public room::LegProvider {
public:
    VideoLegs(asio::io_context& control, VideoOptions options);
    ~VideoLegs() override; // stops and joins every leg's thread
    VideoLegs(const VideoLegs&) = delete;
    VideoLegs& operator=(const VideoLegs&) = delete;

    // `dial.target` names the source ("pattern" or a configured name); `dial.offer` is the
    // room's offer; the tags "Trace-ID" and "Expert-ID" go into every frame's metadata.
    Result<std::unique_ptr<room::Leg>> place(room::LegId id, const room::Dial& dial,
                                             room::LegSink& sink) override;
    bool securesSignalling(std::string_view) const override { return true; } // in-process
    room::LegMedia media() const override { return {room::LegMedia::Kind::videoSource}; }

    // Whether `name` is a source a leg can be placed to.
    bool knows(std::string_view name) const;
    // Leg `leg`'s pictures at another preset's size and bitrate from its next picture on (an
    // IDR with the new parameter sets, in-band). Errors: no such preset (Errc::invalid_input),
    // no such leg (Errc::not_found).
    Result<void> setPreset(room::LegId leg, std::string_view preset);
    // What kind of source a configured one is: "ndi" or "ffmpeg" (its URL stays ours: it may
    // hold a camera's credentials).
    static std::string_view kindOf(const SourceConfig& source) {
        return source.url.starts_with("ndi:") ? "ndi" : "ffmpeg";
    }
    const VideoOptions& options() const noexcept { return options_; }

    struct Shared; // a leg's state, shared with its thread

private:
    friend class VideoLeg;
    void retire(std::thread thread, std::shared_ptr<const Shared> shared);

    asio::io_context& control_;
    VideoOptions options_;
    // Stopped legs' threads, joined here once they are done.
    std::vector<std::pair<std::thread, std::shared_ptr<const Shared>>> retired_;
    std::map<room::LegId, std::shared_ptr<Shared>> legs_; // those not retired yet
};

} // namespace sb::video
