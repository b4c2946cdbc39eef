// An NDI source as a video source: the runtime's receiver (recv_create_v3, recv_capture_v2),
// each video frame converted by libswscale to the encoder's size and YUV 4:2:0, each audio
// frame by libswresample to the sound the room takes (mono, 48 kHz), and given back to the
// runtime at once. Both are timed by when they came (an audio frame's first sample: its
// length before), on the one clock.

#include "core/clock.hpp"
#include "video/ndi_runtime.hpp"
#include "video/source.hpp"

#include <atomic>
#include <chrono>
#include <fmt/format.h>
#include <utility>
#include <vector>

namespace sb::video {
namespace {

class NdiInput final : public Source {
public:
    NdiInput(std::shared_ptr<NdiRuntime> runtime, std::string name, int width, int height,
             const std::atomic<bool>* stop)
        : runtime_(std::move(runtime)), name_(std::move(name)), width_(width), height_(height),
          stop_(stop) {}
    ~NdiInput() override {
        if (receiver_) runtime_->table().recvDestroy(receiver_);
    }

    Result<void> open() {
        ndi::RecvCreate settings;
        settings.source.name = name_.c_str();
        settings.receiverName = "Switchboard";
        receiver_ = runtime_->table().recvCreate(&settings);
        if (!receiver_)
            return fail(Errc::io,
                        fmt::format("NDI source {}: the runtime made no receiver", name_));
        picture_ = allocatePicture(width_, height_);
        if (!picture_) return fail(Errc::io, "out of memory for a video picture");
        return {};
    }

    Result<std::optional<Picture>> next() override {
        const auto& t = runtime_->table();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            if (stop_ && stop_->load(std::memory_order_relaxed))
                return fail(Errc::closed, fmt::format("NDI source {}: stopped", name_));
            ndi::VideoFrame frame;
            ndi::AudioFrame audio;
            const int type = t.recvCapture(receiver_, &frame, &audio, nullptr, 500);
            if (type == ndi::kFrameError)
                return fail(Errc::closed,
                            fmt::format("NDI source {}: its connection failed", name_));
            if (type == ndi::kFrameAudio) hear(audio);
            if (type != ndi::kFrameVideo) continue; // nothing yet, sound, or a status change
            // A live source: frames that queued while we were busy are old; the newest goes
            // (and all the sound that came with them).
            for (;;) {
                ndi::VideoFrame newer;
                const int more = t.recvCapture(receiver_, &newer, &audio, nullptr, 0);
                if (more == ndi::kFrameAudio) {
                    hear(audio);
                    continue;
                }
                if (more != ndi::kFrameVideo) break;
                t.recvFreeVideo(receiver_, &frame);
                frame = newer;
            }
            auto converted = convert(frame);
            t.recvFreeVideo(receiver_, &frame);
            if (!converted) return fail(converted.error());
            return std::optional<Picture>(Picture{picture_.get(), unixTimeMicros()});
        }
        return fail(Errc::closed, fmt::format("NDI source {} sent nothing for 5 s", name_));
    }

    std::string describe() const override { return "ndi:" + name_; }
    bool hasSound() const override { return true; } // if it sends none, the room hears silence
    std::vector<Sound> takeSound() override { return std::exchange(sound_, {}); }
    void resize(int width, int height) override {
        width_ = width;
        height_ = height;
        picture_ = allocatePicture(width, height); // the converter follows (a cached context)
    }

private:
    // An audio frame, converted onto the sound waiting to be taken, and given back. One we
    // cannot convert costs its sound only.
    void hear(const ndi::AudioFrame& audio) {
        const auto now = unixTimeMicros();
        if (audio.data && audio.channels > 0 && audio.channels <= 64 && audio.samples > 0 &&
            audio.sampleRate > 0 && audio.channelStrideInBytes > 0 && converter(audio)) {
            std::vector<const std::uint8_t*> planes;
            planes.reserve(static_cast<std::size_t>(audio.channels));
            for (int c = 0; c < audio.channels; ++c)
                planes.push_back(reinterpret_cast<const std::uint8_t*>(audio.data) +
                                 std::ptrdiff_t{c} * audio.channelStrideInBytes);
            Sound sound;
            sound.captureMicros = now - std::int64_t{audio.samples} * 1000000 / audio.sampleRate;
            sound.samples.resize(
                static_cast<std::size_t>(swr_get_out_samples(swr_.get(), audio.samples)));
            auto* out = reinterpret_cast<std::uint8_t*>(sound.samples.data());
            const int converted =
                swr_convert(swr_.get(), &out, static_cast<int>(sound.samples.size()), planes.data(),
                            audio.samples);
            if (converted > 0) {
                sound.samples.resize(static_cast<std::size_t>(converted));
                sound_.push_back(std::move(sound));
            }
        }
        runtime_->table().recvFreeAudio(receiver_, &audio);
    }

    // libswresample from the frame's planar floats to mono 16-bit at kSoundRate, made again
    // when its rate or channels change.
    bool converter(const ndi::AudioFrame& audio) {
        if (swr_ && audio.sampleRate == soundRate_ && audio.channels == soundChannels_) return true;
        AVChannelLayout in;
        av_channel_layout_default(&in, audio.channels);
        AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
        SwrContext* swr = nullptr;
        const bool made =
            swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_S16, kSoundRate, &in, AV_SAMPLE_FMT_FLTP,
                                audio.sampleRate, 0, nullptr) >= 0;
        av_channel_layout_uninit(&in);
        swr_.reset(swr);
        if (!made || swr_init(swr_.get()) < 0) {
            swr_.reset();
            return false;
        }
        soundRate_ = audio.sampleRate;
        soundChannels_ = audio.channels;
        return true;
    }

    Result<void> convert(const ndi::VideoFrame& frame) {
        if (!picture_) return fail(Errc::io, "out of memory for a video picture");
        AVPixelFormat format = AV_PIX_FMT_NONE;
        if (frame.fourCC == ndi::kUyvy) format = AV_PIX_FMT_UYVY422;
        if (frame.fourCC == ndi::kBgra) format = AV_PIX_FMT_BGRA;
        if (frame.fourCC == ndi::kBgrx) format = AV_PIX_FMT_BGR0;
        if (format == AV_PIX_FMT_NONE || frame.xres <= 0 || frame.yres <= 0 || !frame.data ||
            frame.lineStrideInBytes <= 0)
            return fail(
                Errc::unsupported,
                fmt::format("NDI source {}: a {}x{} frame of FourCC {:#010x} we do not take", name_,
                            frame.xres, frame.yres, frame.fourCC));
        sws_.reset(sws_getCachedContext(sws_.release(), frame.xres, frame.yres, format, width_,
                                        height_, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr,
                                        nullptr));
        if (!sws_) return fail(Errc::unsupported, "NDI: no conversion for its pictures");
        av_frame_make_writable(picture_.get());
        const std::uint8_t* planes[1] = {frame.data};
        const int strides[1] = {frame.lineStrideInBytes};
        sws_scale(sws_.get(), planes, strides, 0, frame.yres, picture_->data, picture_->linesize);
        return {};
    }

    std::shared_ptr<NdiRuntime> runtime_;
    std::string name_;
    int width_, height_;
    const std::atomic<bool>* stop_; // the leg's: set, a wait for a picture ends
    void* receiver_ = nullptr;
    FramePtr picture_;
    SwsContextPtr sws_;
    SwrContextPtr swr_;
    int soundRate_ = 0, soundChannels_ = 0;
    std::vector<Sound> sound_; // converted, not taken yet
};

} // namespace

Result<std::unique_ptr<Source>> openNdiSource(const std::string& name, int width, int height,
                                              const std::atomic<bool>* stop) {
    auto runtime = NdiRuntime::load();
    if (!runtime) return fail(runtime.error());
    auto input = std::make_unique<NdiInput>(std::move(runtime).value(), name, width, height, stop);
    if (auto opened = input->open(); !opened) return fail(opened.error());
    return std::unique_ptr<Source>(std::move(input));
}

} // namespace sb::video
