#pragma once
// Pictures for a VAAPI encoder (h264_vaapi, hevc_vaapi): such an encoder takes surfaces of its
// device, not pictures in memory, so each picture is converted to NV12 (the layout every VAAPI
// driver encodes from) and uploaded into a surface of the device's pool (libavutil's
// hwcontext). The device is a DRM render node, /dev/dri/renderD128 unless told.

#include "core/result.hpp"
#include "video/av.hpp"

extern "C" {
#include <libavutil/buffer.h>
}

#include <memory>
#include <string>

namespace sb::video {

struct AvBufferUnref {
    void operator()(AVBufferRef* buffer) const noexcept { av_buffer_unref(&buffer); }
};
using BufferPtr = std::unique_ptr<AVBufferRef, AvBufferUnref>;

inline constexpr const char* kDefaultVaapiDevice = "/dev/dri/renderD128";

class HardwareFrames {
public:
    // Opens `device` (empty: the default) and a pool of surfaces of `width` × `height`. The
    // error names the device and what libva answered, and what a machine needs for it.
    static Result<std::unique_ptr<HardwareFrames>> openVaapi(const std::string& device, int width,
                                                             int height);

    // The pool, for the encoder's hw_frames_ctx (the caller takes a reference of its own).
    AVBufferRef* frames() const noexcept { return frames_.get(); }

    // `picture` (YUV 4:2:0 of the pool's size) in a surface of the device.
    Result<FramePtr> upload(const AVFrame& picture);

private:
    HardwareFrames() = default;

    BufferPtr device_, frames_;
    FramePtr nv12_;
    SwsContextPtr toNv12_;
};

} // namespace sb::video
