// An FFmpeg input as a video source: libavformat demuxes (file, RTSP, SRT, UDP/RTP),
// libavcodec decodes, libswscale converts to the encoder's size and YUV 4:2:0. A file is read
// at its own pace (its timestamps against the clock, as ffmpeg's -re does); a network input
// paces itself. Its audio stream, if it has one, is decoded as it comes between the pictures
// and converted by libswresample to the sound the room takes (mono, 48 kHz). Pictures and
// sound are timed by their own timestamps, on one wall clock from the first of them: what a
// receiver needs to keep them in sync.

#include "core/clock.hpp"
#include "video/source.hpp"

#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <thread>

namespace sb::video {
namespace {

class FfmpegInput final : public Source {
public:
    FfmpegInput(std::string url, int width, int height, bool pace, const std::atomic<bool>* stop)
        : url_(std::move(url)), width_(width), height_(height), pace_(pace), stop_(stop) {}
    ~FfmpegInput() override { av_channel_layout_uninit(&swrLayout_); }
    FfmpegInput(const FfmpegInput&) = delete;
    FfmpegInput& operator=(const FfmpegInput&) = delete;

    Result<void> open() {
        AVDictionary* options = nullptr;
        if (url_.starts_with("rtsp:")) av_dict_set(&options, "rtsp_transport", "tcp", 0);
        // An SDP file describes RTP (RFC 4566), which libavformat reads from a file only when
        // the protocols it names are allowed.
        if (url_.ends_with(".sdp"))
            av_dict_set(&options, "protocol_whitelist", "file,udp,rtp,crypto,srtp", 0);
        AVFormatContext* raw = avformat_alloc_context();
        if (!raw) return fail(Errc::io, "out of memory for a video input");
        // A network input that stops sending fails after a while instead of blocking forever,
        // and at once when its leg stops: libavformat asks this between its waits (udp, tcp,
        // rtsp and srt all do).
        raw->interrupt_callback = {&FfmpegInput::interrupted, this};
        deadline_ = Clock::now() + kOpenTimeout;
        const int status = avformat_open_input(&raw, url_.c_str(), nullptr, &options);
        av_dict_free(&options);
        if (status < 0)
            return fail(Errc::io, fmt::format("video input {}: {}", url_, avError(status)));
        format_.reset(raw);
        if (const int found = avformat_find_stream_info(format_.get(), nullptr); found < 0)
            return fail(Errc::io, fmt::format("video input {}: {}", url_, avError(found)));
        const AVCodec* decoder = nullptr;
        stream_ = av_find_best_stream(format_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
        if (stream_ == AVERROR_STREAM_NOT_FOUND)
            return fail(Errc::unsupported, fmt::format("video input {} has no video stream", url_));
        if (stream_ < 0 || !decoder)
            return fail(Errc::unsupported,
                        fmt::format("video input {}: no decoder for its video stream", url_));
        decoder_.reset(avcodec_alloc_context3(decoder));
        const AVStream* stream = format_->streams[stream_];
        if (!decoder_ || avcodec_parameters_to_context(decoder_.get(), stream->codecpar) < 0)
            return fail(Errc::io, fmt::format("video input {}: out of memory", url_));
        if (const int opened = avcodec_open2(decoder_.get(), decoder, nullptr); opened < 0)
            return fail(Errc::unsupported, fmt::format("video input {}: decoder {}: {}", url_,
                                                       decoder->name, avError(opened)));
        timeBase_ = stream->time_base;
        openSound();
        const char* protocol = avio_find_protocol_name(url_.c_str());
        isFile_ = protocol && std::string_view(protocol) == "file";
        pace_ = pace_ && isFile_;
        packet_.reset(av_packet_alloc());
        decoded_.reset(av_frame_alloc());
        picture_ = allocatePicture(width_, height_);
        if (!packet_ || !decoded_ || !picture_)
            return fail(Errc::io, fmt::format("video input {}: out of memory", url_));
        return {};
    }

    Result<std::optional<Picture>> next() override {
        for (;;) {
            const int received = avcodec_receive_frame(decoder_.get(), decoded_.get());
            if (received == 0) return convert();
            if (received == AVERROR_EOF) return std::optional<Picture>();
            if (received != AVERROR(EAGAIN))
                return fail(Errc::io, fmt::format("video input {}: {}", url_, avError(received)));
            deadline_ = Clock::now() + kReadTimeout;
            const int read = av_read_frame(format_.get(), packet_.get());
            if (read == AVERROR_EOF) {
                avcodec_send_packet(decoder_.get(), nullptr); // drain what the decoder holds
                continue;
            }
            if (read < 0)
                return fail(isFile_ ? Errc::io : Errc::closed,
                            fmt::format("video input {}: {}", url_, avError(read)));
            if (packet_->stream_index == soundStream_) decodeSound();
            if (packet_->stream_index == stream_) {
                const int sent = avcodec_send_packet(decoder_.get(), packet_.get());
                // A damaged packet costs its picture, not the input.
                if (sent < 0 && sent != AVERROR_INVALIDDATA) {
                    av_packet_unref(packet_.get());
                    return fail(Errc::io, fmt::format("video input {}: {}", url_, avError(sent)));
                }
            }
            av_packet_unref(packet_.get());
        }
    }

    std::string describe() const override { return url_; }
    bool hasSound() const override { return soundDecoder_ != nullptr; }
    void resize(int width, int height) override {
        width_ = width;
        height_ = height;
        picture_ = allocatePicture(width, height); // the converter follows (a cached context)
    }
    std::vector<Sound> takeSound() override { return std::exchange(sound_, {}); }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kOpenTimeout = std::chrono::seconds(10);
    static constexpr auto kReadTimeout = std::chrono::seconds(5);

    static int interrupted(void* self) {
        const auto& input = *static_cast<const FfmpegInput*>(self);
        if (input.stop_ && input.stop_->load(std::memory_order_relaxed)) return 1;
        return Clock::now() > input.deadline_ ? 1 : 0;
    }

    Result<std::optional<Picture>> convert() {
        if (!picture_) return fail(Errc::io, fmt::format("video input {}: out of memory", url_));
        AVFrame& in = *decoded_;
        const std::int64_t capture = paceFile(in);
        sws_.reset(sws_getCachedContext(
            sws_.release(), in.width, in.height, static_cast<AVPixelFormat>(in.format), width_,
            height_, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
        if (!sws_)
            return fail(Errc::unsupported,
                        fmt::format("video input {}: cannot convert {}x{} pictures of format {}",
                                    url_, in.width, in.height, in.format));
        av_frame_make_writable(picture_.get());
        sws_scale(sws_.get(), in.data, in.linesize, 0, in.height, picture_->data,
                  picture_->linesize);
        av_frame_unref(decoded_.get());
        return std::optional<Picture>(Picture{picture_.get(), capture});
    }

    // A file is read as fast as the disk goes: each picture is held until its time comes, and
    // its capture time is that time, on the file's own clock (so that a busy machine that
    // falls behind sends the pictures late, not bunched together). Others come when they come.
    // The wait ends early when the leg stops.
    std::int64_t paceFile(const AVFrame& in) {
        const auto capture = captureOf(in.best_effort_timestamp, timeBase_, true);
        if (pace_ && capture) {
            const auto due = started_ + std::chrono::microseconds(*capture - startedWall_);
            while (Clock::now() < due && !(stop_ && stop_->load(std::memory_order_relaxed)))
                std::this_thread::sleep_until(
                    std::min(due, Clock::now() + std::chrono::milliseconds(100)));
        }
        return capture.value_or(unixTimeMicros());
    }

    // The wall-clock time of a timestamp: the input's clock, from its first timestamp (of a
    // picture or a sound), which is when it was read. A clock that strays a second from the
    // wall clock (a camera restarted, a wrap, a file whose timestamps jump) starts again from
    // now: a file's next picture is never more than a second away. In a file only a picture
    // moves the clock so (its sound may be read well ahead of its pictures).
    std::optional<std::int64_t> captureOf(std::int64_t pts, AVRational timeBase, bool picture) {
        if (pts == AV_NOPTS_VALUE) return std::nullopt;
        const std::int64_t at = av_rescale_q(pts, timeBase, AVRational{1, 1000000});
        const std::int64_t now = unixTimeMicros();
        if (!firstPts_ ||
            ((picture || !pace_) && std::abs(startedWall_ + (at - *firstPts_) - now) > 1000000)) {
            firstPts_ = at;
            started_ = std::chrono::steady_clock::now();
            startedWall_ = now;
        }
        return startedWall_ + (at - *firstPts_);
    }

    // The input's audio stream, if it has one that can be decoded and converted; without, the
    // source is pictures alone.
    void openSound() {
        const AVCodec* decoder = nullptr;
        const int found =
            av_find_best_stream(format_.get(), AVMEDIA_TYPE_AUDIO, -1, stream_, &decoder, 0);
        if (found < 0 || !decoder) return;
        CodecContextPtr context(avcodec_alloc_context3(decoder));
        if (!context ||
            avcodec_parameters_to_context(context.get(), format_->streams[found]->codecpar) < 0 ||
            avcodec_open2(context.get(), decoder, nullptr) < 0)
            return;
        if (!converterFor(context->ch_layout, context->sample_fmt, context->sample_rate)) return;
        soundStream_ = found;
        soundTimeBase_ = format_->streams[found]->time_base;
        soundDecoder_ = std::move(context);
        soundFrame_.reset(av_frame_alloc());
        if (!soundFrame_) soundDecoder_.reset();
    }

    // The resampler for sound of this layout, format and rate: made again when a stream's
    // sound changes them mid-way (a broadcast going from 5.1 to stereo), since one made for
    // the old layout would read planes that the new frames do not have.
    SwrContext* converterFor(const AVChannelLayout& layout, int format, int rate) {
        if (swr_ && format == swrFormat_ && rate == swrRate_ &&
            av_channel_layout_compare(&layout, &swrLayout_) == 0)
            return swr_.get();
        swr_.reset();
        SwrContext* swr = nullptr;
        AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
        // (FFmpeg 5.1 declares the input layout non-const; it only reads it.)
        if (swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_S16, kSoundRate,
                                const_cast<AVChannelLayout*>(&layout),
                                static_cast<AVSampleFormat>(format), rate, 0, nullptr) < 0)
            return nullptr;
        SwrContextPtr converter(swr);
        av_channel_layout_uninit(&swrLayout_);
        if (swr_init(converter.get()) < 0 || av_channel_layout_copy(&swrLayout_, &layout) < 0)
            return nullptr;
        swrFormat_ = format;
        swrRate_ = rate;
        swr_ = std::move(converter);
        return swr_.get();
    }

    // The audio packet just read, decoded and converted onto the sound waiting to be taken. A
    // damaged packet costs its sound only.
    void decodeSound() {
        if (!soundDecoder_ || avcodec_send_packet(soundDecoder_.get(), packet_.get()) < 0) return;
        while (avcodec_receive_frame(soundDecoder_.get(), soundFrame_.get()) == 0) {
            const AVFrame& in = *soundFrame_;
            SwrContext* converter = converterFor(in.ch_layout, in.format, in.sample_rate);
            if (!converter) {
                av_frame_unref(soundFrame_.get());
                continue;
            }
            Sound sound;
            sound.captureMicros = captureOf(in.best_effort_timestamp, soundTimeBase_, false)
                                      .value_or(soundEnd_.value_or(unixTimeMicros()));
            sound.samples.resize(
                static_cast<std::size_t>(swr_get_out_samples(converter, in.nb_samples)));
            auto* out = reinterpret_cast<std::uint8_t*>(sound.samples.data());
            const int converted =
                swr_convert(converter, &out, static_cast<int>(sound.samples.size()),
                            const_cast<const std::uint8_t**>(in.extended_data), in.nb_samples);
            av_frame_unref(soundFrame_.get());
            if (converted <= 0) continue;
            sound.samples.resize(static_cast<std::size_t>(converted));
            soundEnd_ = sound.captureMicros + std::int64_t{converted} * 1000000 / kSoundRate;
            sound_.push_back(std::move(sound));
        }
    }

    std::string url_;
    int width_, height_;
    FormatContextPtr format_;
    CodecContextPtr decoder_;
    PacketPtr packet_;
    FramePtr decoded_, picture_;
    SwsContextPtr sws_;
    int stream_ = -1;
    AVRational timeBase_{1, 1};
    bool isFile_ = false, pace_ = true;
    std::optional<std::int64_t> firstPts_; // µs, the input's clock: when the reading began
    Clock::time_point deadline_;           // of the read (or the opening) under way
    const std::atomic<bool>* stop_;        // the leg's: set, every wait ends
    std::chrono::steady_clock::time_point started_;
    std::int64_t startedWall_ = 0;
    // Its sound, if it has any.
    int soundStream_ = -1;
    AVRational soundTimeBase_{1, 1};
    CodecContextPtr soundDecoder_;
    SwrContextPtr swr_; // made for swrLayout_, swrFormat_ and swrRate_
    AVChannelLayout swrLayout_{};
    int swrFormat_ = -1, swrRate_ = 0;
    FramePtr soundFrame_;
    std::vector<Sound> sound_;             // converted, not taken yet
    std::optional<std::int64_t> soundEnd_; // the capture time after the last sound
};

} // namespace

Result<std::unique_ptr<Source>> openFfmpegInput(const std::string& url, int width, int height,
                                                bool pace, const std::atomic<bool>* stop) {
    auto input = std::make_unique<FfmpegInput>(url, width, height, pace, stop);
    if (auto opened = input->open(); !opened) return fail(opened.error());
    return std::unique_ptr<Source>(std::move(input));
}

} // namespace sb::video
