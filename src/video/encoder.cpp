#include "video/encoder.hpp"

extern "C" {
#include <libavutil/opt.h>
}

#include <array>
#include <fmt/format.h>

namespace sb::video {
namespace {

// 30 frames a second; bitrates a video call starts at (about 0.07 bits a pixel for H.264).
constexpr std::array kPresets = {
    VideoPreset{"1080p", 1920, 1080, 30, 4000},
    VideoPreset{"720p", 1280, 720, 30, 2500},
    VideoPreset{"480p", 854, 480, 30, 1000},
};

bool isX264(std::string_view name) {
    return name == "libx264";
}

bool isSoftware(std::string_view name) {
    return name.empty() || name == "libx264" || name == "libx265";
}

} // namespace

std::optional<VideoPreset> findPreset(std::string_view name) {
    for (const auto& preset : kPresets)
        if (preset.name == name) return preset;
    return std::nullopt;
}

std::string presetNames() {
    std::string names;
    for (const auto& preset : kPresets)
        names += fmt::format("{}{}", names.empty() ? "" : ", ", preset.name);
    return names;
}

Result<std::unique_ptr<Encoder>> Encoder::open(const EncoderSettings& settings) {
    if (settings.width <= 0 || settings.height <= 0 || settings.width % 2 || settings.height % 2)
        return fail(Errc::config, fmt::format("a picture of {}x{}: both sides must be even and "
                                              "positive (4:2:0)",
                                              settings.width, settings.height));
    if (settings.fps <= 0 || settings.fps > 120)
        return fail(Errc::config, fmt::format("{} frames a second: 1 to 120", settings.fps));
    std::unique_ptr<Encoder> encoder(new Encoder(settings));
    if (encoder->settings_.implementation.empty())
        encoder->settings_.implementation = settings.codec == Codec::h264 ? "libx264" : "libx265";
    if (auto opened = encoder->openCodec(); !opened) return fail(opened.error());
    encoder->packet_.reset(av_packet_alloc());
    if (!encoder->packet_) return fail(Errc::io, "out of memory for a video packet");
    return encoder;
}

Result<std::unique_ptr<Encoder>> Encoder::openOrSoftware(const EncoderSettings& settings,
                                                         std::string& whyNot) {
    auto opened = open(settings);
    if (opened || isSoftware(settings.implementation)) return opened;
    whyNot = opened.error().message;
    EncoderSettings software = settings;
    software.implementation.clear();
    return open(software);
}

const char* Encoder::name() const noexcept {
    return settings_.implementation.c_str();
}

Result<void> Encoder::openCodec() {
    vbvAfterNextFrame_ = 0; // a new context has its VBV
    const AVCodec* codec = avcodec_find_encoder_by_name(settings_.implementation.c_str());
    if (!codec)
        return fail(Errc::unsupported,
                    fmt::format("video encoder {} is not in this libavcodec (Debian's "
                                "libavcodec59 has libx264 and libx265)",
                                settings_.implementation));
    const AVCodecID wanted = settings_.codec == Codec::h264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC;
    if (codec->id != wanted)
        return fail(Errc::config,
                    fmt::format("video encoder {} does not make {}", settings_.implementation,
                                codecName(settings_.codec)));
    CodecContextPtr context(avcodec_alloc_context3(codec));
    if (!context) return fail(Errc::io, "out of memory for a video encoder");
    context->width = settings_.width;
    context->height = settings_.height;
    context->pix_fmt = AV_PIX_FMT_YUV420P;
    context->time_base = AVRational{1, kVideoClock};
    context->framerate = AVRational{settings_.fps, 1};
    context->gop_size = settings_.fps * settings_.keyframeSeconds;
    context->max_b_frames = 0; // a B-frame waits for the picture after it
    const std::int64_t bitrate = std::int64_t{settings_.bitrateKbps} * 1000;
    context->bit_rate = bitrate;
    context->rc_max_rate = bitrate;
    context->rc_buffer_size = static_cast<int>(bitrate); // one second of VBV
    // No AV_CODEC_FLAG_GLOBAL_HEADER: the parameter sets go in-band, before every IDR.
    std::unique_ptr<HardwareFrames> hardware;
    const std::string_view implementation = settings_.implementation;
    if (implementation.ends_with("_vaapi")) {
        auto frames =
            HardwareFrames::openVaapi(settings_.device, settings_.width, settings_.height);
        if (!frames) return fail(frames.error());
        hardware = std::move(frames).value();
        context->pix_fmt = AV_PIX_FMT_VAAPI;
        context->hw_frames_ctx = av_buffer_ref(hardware->frames());
        if (!context->hw_frames_ctx) return fail(Errc::io, "out of memory for VAAPI surfaces");
        // One picture in flight, not the default's two: a frame leaves as the next comes.
        av_opt_set_int(context->priv_data, "async_depth", 1, 0);
    } else if (implementation.ends_with("_nvenc")) {
        // NVENC's ultra-low-latency tuning; a forced I picture is an IDR, as with x264.
        av_opt_set(context->priv_data, "preset", "p2", 0);
        av_opt_set(context->priv_data, "tune", "ull", 0);
        av_opt_set_int(context->priv_data, "zerolatency", 1, 0);
        av_opt_set_int(context->priv_data, "forced-idr", 1, 0);
    }
    const bool x264 = isX264(settings_.implementation);
    const bool x265 = settings_.implementation == "libx265";
    if (settings_.constrainedBaseline && settings_.codec == Codec::h264) {
        // x264's and NVENC's "baseline" is Constrained Baseline (constraint_set1: no FMO, ASO
        // or redundant slices); VAAPI takes the profile from the context.
        if (x264 || implementation.ends_with("_nvenc"))
            av_opt_set(context->priv_data, "profile", "baseline", 0);
        context->profile = FF_PROFILE_H264_CONSTRAINED_BASELINE;
        context->level = 40;
    }
    if (x264 || x265) {
        const std::string speed = !settings_.speed.empty() ? settings_.speed
                                  : x264                   ? "veryfast"
                                                           : "ultrafast";
        av_opt_set(context->priv_data, "preset", speed.c_str(), 0);
        av_opt_set(context->priv_data, "tune", "zerolatency", 0);
        av_opt_set_int(context->priv_data, "forced-idr", 1, 0); // an I picture asked is an IDR
        if (x265) av_opt_set(context->priv_data, "x265-params", "log-level=error", 0);
    }
    if (const int status = avcodec_open2(context.get(), codec, nullptr); status < 0)
        return fail(Errc::config,
                    fmt::format("video encoder {} refused {}x{} at {} kb/s: {}",
                                settings_.implementation, settings_.width, settings_.height,
                                settings_.bitrateKbps, avError(status)));
    context_ = std::move(context);
    hardware_ = std::move(hardware);
    return {};
}

Result<void> Encoder::encode(AVFrame& picture, std::int64_t pts, bool keyframe,
                             std::vector<EncodedFrame>& out) {
    FramePtr surface;
    if (hardware_) {
        auto uploaded = hardware_->upload(picture);
        if (!uploaded) return fail(uploaded.error());
        surface = std::move(uploaded).value();
    }
    AVFrame& frame = surface ? *surface : picture;
    frame.pts = pts;
    frame.pict_type = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (const int status = avcodec_send_frame(context_.get(), &frame); status < 0)
        return fail(Errc::io, fmt::format("video encoder {}: {}", name(), avError(status)));
    if (vbvAfterNextFrame_ != 0) {
        setVbv(vbvAfterNextFrame_);
        vbvAfterNextFrame_ = 0;
    }
    return drain(out);
}

Result<void> Encoder::drain(std::vector<EncodedFrame>& out) {
    for (;;) {
        const int status = avcodec_receive_packet(context_.get(), packet_.get());
        if (status == AVERROR(EAGAIN) || status == AVERROR_EOF) return {};
        if (status < 0)
            return fail(Errc::io, fmt::format("video encoder {}: {}", name(), avError(status)));
        EncodedFrame frame;
        frame.annexB.assign(packet_->data, packet_->data + packet_->size);
        frame.pts = packet_->pts;
        frame.keyframe = (packet_->flags & AV_PKT_FLAG_KEY) != 0;
        out.push_back(std::move(frame));
        av_packet_unref(packet_.get());
    }
}

Result<void> Encoder::resize(int width, int height, int kbps) {
    if (width <= 0 || height <= 0 || width % 2 || height % 2 || kbps <= 0)
        return fail(Errc::config, fmt::format("a picture of {}x{} at {} kb/s: even sides and a "
                                              "positive bitrate",
                                              width, height, kbps));
    settings_.width = width;
    settings_.height = height;
    settings_.bitrateKbps = kbps;
    return openCodec();
}

void Encoder::setVbv(std::int64_t bitrate) {
    context_->rc_max_rate = bitrate;
    context_->rc_buffer_size = static_cast<int>(bitrate); // one second
}

Result<void> Encoder::setBitrate(int kbps) {
    if (kbps <= 0) return fail(Errc::config, "a bitrate must be positive");
    settings_.bitrateKbps = kbps;
    if (isX264(settings_.implementation)) {
        // libavcodec's libx264 wrapper compares these with x264's before each frame and calls
        // x264_encoder_reconfig when they differ: the VBV's first, then the average. Going
        // down, a VBV maximum below the old average makes x264 warn ("assuming CBR"), so the
        // average goes first and the VBV after the next frame.
        const std::int64_t bitrate = std::int64_t{kbps} * 1000;
        const bool lower = bitrate < context_->bit_rate;
        context_->bit_rate = bitrate;
        vbvAfterNextFrame_ = lower ? bitrate : 0;
        if (!lower) setVbv(bitrate);
        return {};
    }
    return openCodec();
}

} // namespace sb::video
