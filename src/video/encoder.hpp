#pragma once
// One video encoder (libavcodec: libx264, libx265, or a hardware encoder by name), set for
// live calls: no B-frames, zerolatency, in-band parameter sets with every key frame (a phone
// that joins late, or lost a key frame, needs nothing from the SDP to decode), a bitrate that
// can change between frames, and an IDR on request (RFC 4585 PLI, RFC 5104 FIR, SIP INFO
// picture_fast_update: RFC 5168).

#include "core/result.hpp"
#include "video/av.hpp"
#include "video/hardware_frames.hpp"
#include "video/nal.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::video {

// Picture sizes and rates the configuration names ("1080p", "720p", "480p").
struct VideoPreset {
    std::string_view name;
    int width = 0, height = 0, fps = 30;
    int bitrateKbps = 0; // where a call starts; RTCP loss reports move it down
};
std::optional<VideoPreset> findPreset(std::string_view name);
// The names above, for error messages.
std::string presetNames();

struct EncoderSettings {
    Codec codec = Codec::h264;
    int width = 854, height = 480, fps = 30;
    int bitrateKbps = 1000;
    int keyframeSeconds = 2;
    // The libavcodec encoder; empty for libx264 or libx265. "h264_nvenc" and "hevc_nvenc"
    // take the same pictures (NVENC uploads them itself); "h264_vaapi" and "hevc_vaapi" get
    // them uploaded to `device` (hardware_frames.hpp).
    std::string implementation;
    std::string device; // a VAAPI encoder's DRM render node; empty: /dev/dri/renderD128
    // The encoder's speed preset; empty for veryfast (x264) or ultrafast (x265), which keep
    // 1080p at 30 frames a second on two cores.
    std::string speed;
    // H.264 in Constrained Baseline, level 4.0 (every preset up to 1080p at 30 a second): what
    // a call's phone surely decodes, and what stream_sdp.hpp's kCallH264 offers. Otherwise the
    // encoder's own choice (x264: High).
    bool constrainedBaseline = false;
};

struct EncodedFrame {
    std::vector<std::uint8_t> annexB; // the access unit, start codes and all
    std::int64_t pts = 0;             // 90 kHz
    bool keyframe = false;
};

class Encoder {
public:
    // Errors (Errc::unsupported or config) name the encoder or the option it refused.
    static Result<std::unique_ptr<Encoder>> open(const EncoderSettings& settings);
    // As open; but when a hardware encoder cannot open (no GPU, no driver), the software one
    // of the codec instead, and `whyNot` says why the hardware one did not.
    static Result<std::unique_ptr<Encoder>> openOrSoftware(const EncoderSettings& settings,
                                                           std::string& whyNot);

    // Encodes `picture` (YUV 4:2:0 of the settings' size) at `pts` (90 kHz); `keyframe` asks
    // for an IDR. What the encoder gives back (with zerolatency, this picture) goes to `out`.
    Result<void> encode(AVFrame& picture, std::int64_t pts, bool keyframe,
                        std::vector<EncodedFrame>& out);

    // A new target bitrate from the next frame on. x264 changes it in place; the others are
    // opened again, and their next frame is an IDR.
    Result<void> setBitrate(int kbps);
    // Pictures of another size, at another bitrate, from the next frame on: the encoder is
    // opened again, and its next frame is an IDR with the new parameter sets (in-band, so a
    // receiver's decoder follows the change without a new offer).
    Result<void> resize(int width, int height, int kbps);

    const EncoderSettings& settings() const noexcept { return settings_; }
    const char* name() const noexcept;

private:
    explicit Encoder(const EncoderSettings& settings) : settings_(settings) {}
    Result<void> openCodec();
    Result<void> drain(std::vector<EncodedFrame>& out);
    void setVbv(std::int64_t bitrate); // x264's VBV maximum and buffer (one second of it)

    EncoderSettings settings_;
    std::unique_ptr<HardwareFrames> hardware_; // a VAAPI encoder's surfaces
    CodecContextPtr context_;
    PacketPtr packet_;
    std::int64_t vbvAfterNextFrame_ = 0; // x264 going down: its VBV, once the average is set
};

} // namespace sb::video
