#pragma once
// FFmpeg's C objects (libavcodec, libavformat, libavutil, libswscale and libswresample 5.1)
// owned by unique_ptrs, and its error codes as sentences.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace sb::video {

struct AvFrameFree {
    void operator()(AVFrame* frame) const noexcept { av_frame_free(&frame); }
};
struct AvPacketFree {
    void operator()(AVPacket* packet) const noexcept { av_packet_free(&packet); }
};
struct AvCodecContextFree {
    void operator()(AVCodecContext* context) const noexcept { avcodec_free_context(&context); }
};
struct AvFormatContextClose {
    void operator()(AVFormatContext* context) const noexcept { avformat_close_input(&context); }
};
struct SwsContextFree {
    void operator()(SwsContext* context) const noexcept { sws_freeContext(context); }
};

using FramePtr = std::unique_ptr<AVFrame, AvFrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, AvPacketFree>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, AvCodecContextFree>;
using FormatContextPtr = std::unique_ptr<AVFormatContext, AvFormatContextClose>;
struct SwrContextFree {
    void operator()(SwrContext* context) const noexcept { swr_free(&context); }
};

using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextFree>;
using SwrContextPtr = std::unique_ptr<SwrContext, SwrContextFree>;

// av_strerror's sentence for an AVERROR code.
std::string avError(int code);

// A picture of `width` × `height` in planar YUV 4:2:0 (the encoders' input), its buffers
// allocated; nullptr when out of memory.
FramePtr allocatePicture(int width, int height);

} // namespace sb::video
