// An NDI source as a video source: the runtime's receiver (recv_create_v3, recv_capture_v2),
// each video frame converted by libswscale to the encoder's size and YUV 4:2:0 and given back
// to the runtime at once.

#include "core/clock.hpp"
#include "video/ndi_runtime.hpp"
#include "video/source.hpp"

#include <chrono>
#include <fmt/format.h>

namespace sb::video {
namespace {

class NdiInput final : public Source {
public:
    NdiInput(std::shared_ptr<NdiRuntime> runtime, std::string name, int width, int height)
        : runtime_(std::move(runtime)), name_(std::move(name)), width_(width), height_(height) {}
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
            ndi::VideoFrame frame;
            const int type = t.recvCapture(receiver_, &frame, nullptr, nullptr, 500);
            if (type == ndi::kFrameError)
                return fail(Errc::closed,
                            fmt::format("NDI source {}: its connection failed", name_));
            if (type != ndi::kFrameVideo) continue; // nothing yet, or a status change
            // A live source: frames that queued while we were busy are old; the newest goes.
            ndi::VideoFrame newer;
            while (t.recvCapture(receiver_, &newer, nullptr, nullptr, 0) == ndi::kFrameVideo) {
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
    void resize(int width, int height) override {
        width_ = width;
        height_ = height;
        picture_ = allocatePicture(width, height); // the converter follows (a cached context)
    }

private:
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
    void* receiver_ = nullptr;
    FramePtr picture_;
    SwsContextPtr sws_;
};

} // namespace

Result<std::unique_ptr<Source>> openNdiSource(const std::string& name, int width, int height) {
    auto runtime = NdiRuntime::load();
    if (!runtime) return fail(runtime.error());
    auto input = std::make_unique<NdiInput>(std::move(runtime).value(), name, width, height);
    if (auto opened = input->open(); !opened) return fail(opened.error());
    return std::unique_ptr<Source>(std::move(input));
}

} // namespace sb::video
