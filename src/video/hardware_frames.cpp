#include "video/hardware_frames.hpp"

extern "C" {
#include <libavutil/hwcontext.h>
}

#include <fmt/format.h>

namespace sb::video {

Result<std::unique_ptr<HardwareFrames>> HardwareFrames::openVaapi(const std::string& device,
                                                                  int width, int height) {
    const std::string path = device.empty() ? kDefaultVaapiDevice : device;
    std::unique_ptr<HardwareFrames> made(new HardwareFrames);
    AVBufferRef* opened = nullptr;
    if (const int status =
            av_hwdevice_ctx_create(&opened, AV_HWDEVICE_TYPE_VAAPI, path.c_str(), nullptr, 0);
        status < 0)
        return fail(Errc::unsupported,
                    fmt::format("VAAPI: no device at {} ({}): a VAAPI encoder needs a GPU's "
                                "render node and its driver (Debian's intel-media-va-driver or "
                                "mesa-va-drivers)",
                                path, avError(status)));
    made->device_.reset(opened);
    made->frames_.reset(av_hwframe_ctx_alloc(made->device_.get()));
    if (!made->frames_) return fail(Errc::io, "out of memory for VAAPI surfaces");
    auto* pool = reinterpret_cast<AVHWFramesContext*>(made->frames_->data);
    pool->format = AV_PIX_FMT_VAAPI;
    pool->sw_format = AV_PIX_FMT_NV12;
    pool->width = width;
    pool->height = height;
    pool->initial_pool_size = 8; // the encoder's references and the surface being filled
    if (const int status = av_hwframe_ctx_init(made->frames_.get()); status < 0)
        return fail(Errc::unsupported, fmt::format("VAAPI at {}: no {}x{} NV12 surfaces ({})", path,
                                                   width, height, avError(status)));
    made->nv12_.reset(av_frame_alloc());
    if (!made->nv12_) return fail(Errc::io, "out of memory for a picture");
    made->nv12_->format = AV_PIX_FMT_NV12;
    made->nv12_->width = width;
    made->nv12_->height = height;
    if (av_frame_get_buffer(made->nv12_.get(), 0) < 0)
        return fail(Errc::io, "out of memory for a picture");
    made->toNv12_.reset(sws_getContext(width, height, AV_PIX_FMT_YUV420P, width, height,
                                       AV_PIX_FMT_NV12, SWS_POINT, nullptr, nullptr, nullptr));
    if (!made->toNv12_) return fail(Errc::io, "libswscale cannot convert 4:2:0 to NV12");
    return made;
}

Result<FramePtr> HardwareFrames::upload(const AVFrame& picture) {
    // Same size: the conversion only interleaves the chroma planes.
    sws_scale(toNv12_.get(), picture.data, picture.linesize, 0, picture.height, nv12_->data,
              nv12_->linesize);
    FramePtr surface(av_frame_alloc());
    if (!surface) return fail(Errc::io, "out of memory for a VAAPI surface");
    if (const int status = av_hwframe_get_buffer(frames_.get(), surface.get(), 0); status < 0)
        return fail(Errc::io, fmt::format("VAAPI: no free surface ({})", avError(status)));
    if (const int status = av_hwframe_transfer_data(surface.get(), nv12_.get(), 0); status < 0)
        return fail(Errc::io, fmt::format("VAAPI: the upload failed ({})", avError(status)));
    return surface;
}

} // namespace sb::video
