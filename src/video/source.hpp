#pragma once
// Where pictures come from: the test pattern, an FFmpeg input (a file, RTSP, SRT, UDP/RTP:
// whatever libavformat opens), or an NDI source. Every source gives pictures of the size the
// encoder was opened with, converted by libswscale where the source's differ, each with the
// wall-clock time it was captured at; an FFmpeg input with an audio stream gives its sound
// too, converted by libswresample, on the same clock (for lip sync). Sources block until their next
// picture: they run on a video thread of their own, never on a media worker (ARCHITECTURE.md
// "Threads").

#include "core/result.hpp"
#include "video/av.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::video {

struct Picture {
    AVFrame* frame = nullptr;       // YUV 4:2:0, the size the source was opened for
    std::int64_t captureMicros = 0; // since 1970, UTC
};

// Sound captured with the pictures (a camera's or a file's audio): mono 16-bit PCM at
// kSoundRate, its first sample captured at `captureMicros`, on the pictures' clock.
inline constexpr int kSoundRate = 48000;
struct Sound {
    std::vector<std::int16_t> samples;
    std::int64_t captureMicros = 0;
};

class Source {
public:
    virtual ~Source() = default;
    // The next picture, or nullopt at the end of a file. An error when the input failed
    // (Errc::io, or Errc::closed for a network source that stopped sending).
    virtual Result<std::optional<Picture>> next() = 0;
    // How logs and the API name it.
    virtual std::string describe() const = 0;
    // Whether it has sound; and the sound captured since the last call, in order (read while
    // reading pictures: call it after next()).
    virtual bool hasSound() const { return false; }
    virtual std::vector<Sound> takeSound() { return {}; }
    // Pictures of this size from the next one on (a call's video changes its preset).
    virtual void resize(int width, int height) = 0;
};

// The test pattern (test_pattern.hpp) at `fps`, its frames captured on the wall clock.
std::unique_ptr<Source> openTestPattern(int width, int height, int fps, std::string traceId,
                                        int flashEvery = 0);

// An FFmpeg input by URL or path. Errors name the input and what is wrong: it cannot be
// opened, or has no video stream (Errc::unsupported), or no decoder for it. A file is read at
// its own pace unless `pace` is false (a benchmark reads it as fast as it goes). Once `stop`
// (if given) is set, a wait of libavformat's for the network ends at once, as it would after
// its timeout: a leg that hangs up does not wait for a silent input.
Result<std::unique_ptr<Source>> openFfmpegInput(const std::string& url, int width, int height,
                                                bool pace = true,
                                                const std::atomic<bool>* stop = nullptr);

// An NDI source by its NDI name ("HOST (Source)"), received through the NDI runtime
// (ndi_runtime.hpp), its pictures (UYVY, or BGRA with alpha) converted. Errc::unsupported when
// no runtime is installed, saying what to install; a source that sends nothing for five
// seconds fails its read with Errc::closed, and so does one whose `stop` is set meanwhile.
Result<std::unique_ptr<Source>> openNdiSource(const std::string& name, int width, int height,
                                              const std::atomic<bool>* stop = nullptr);

// The source a configuration or a command names: "" or "pattern", the test pattern;
// "ndi:HOST (Source)", an NDI source; anything else, an FFmpeg input (each with `stop`).
Result<std::unique_ptr<Source>> openSource(const std::string& url, int width, int height, int fps,
                                           const std::string& traceId,
                                           const std::atomic<bool>* stop = nullptr);

} // namespace sb::video
