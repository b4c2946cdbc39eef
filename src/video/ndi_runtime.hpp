#pragma once
// The NDI runtime, loaded at run time as NDI's SDK documents for applications that do not ship
// it (DistroAV and FFmpeg's former NDI device do the same): the library is looked for in the
// folder that NDI_RUNTIME_DIR_V6 (then _V5) names, then by the loader's own search, as
// libndi.so.6, then libndi.so.5; its one exported load function (NDIlib_v6_load,
// NDIlib_v5_load) gives the table of its entry points. The runtime is proprietary and never
// shipped: without it, NDI sources are refused with an error that says what to install and
// from where, and everything else runs on.
//
// The table's layout is the SDK's ABI: the entries we use are at fixed places in it, which
// ndi_runtime.cpp names (the v5 and v6 tables extend the v4 one and keep its order).

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sb::video {

// A source as NDI names it: "HOST (Source)", and where it is.
struct NdiSource {
    std::string name, url;
};

// The parts of the SDK's C structures that cross the interface (NDIlib_source_t,
// NDIlib_find_create_t, NDIlib_recv_create_v3_t, NDIlib_video_frame_v2_t,
// NDIlib_audio_frame_v2_t), as laid out there.
namespace ndi {
struct Source {
    const char* name = nullptr;
    const char* url = nullptr;
};
struct FindCreate {
    bool showLocalSources = true;
    const char* groups = nullptr;
    const char* extraIps = nullptr;
};
struct RecvCreate {
    Source source;
    int colorFormat = 1; // UYVY, or BGRA where the source has alpha
    int bandwidth = 100; // the highest
    bool allowVideoFields = false;
    const char* receiverName = nullptr;
};
struct VideoFrame {
    int xres = 0, yres = 0;
    std::uint32_t fourCC = 0;
    int frameRateN = 0, frameRateD = 0;
    float pictureAspectRatio = 0;
    int frameFormatType = 0;
    std::int64_t timecode = 0;
    std::uint8_t* data = nullptr;
    int lineStrideInBytes = 0;
    const char* metadata = nullptr;
    std::int64_t timestamp = 0;
};
// NDIlib_audio_frame_v2_t: 32-bit float, planar (channel c at data + c × the stride).
struct AudioFrame {
    int sampleRate = 0, channels = 0, samples = 0;
    std::int64_t timecode = 0;
    float* data = nullptr;
    int channelStrideInBytes = 0;
    const char* metadata = nullptr;
    std::int64_t timestamp = 0;
};
inline constexpr int kFrameVideo = 1, kFrameAudio = 2, kFrameError = 4; // NDIlib_frame_type_e
constexpr std::uint32_t fourCC(char a, char b, char c, char d) {
    return std::uint32_t(std::uint8_t(a)) | std::uint32_t(std::uint8_t(b)) << 8 |
           std::uint32_t(std::uint8_t(c)) << 16 | std::uint32_t(std::uint8_t(d)) << 24;
}
inline constexpr std::uint32_t kUyvy = fourCC('U', 'Y', 'V', 'Y'),
                               kBgra = fourCC('B', 'G', 'R', 'A'),
                               kBgrx = fourCC('B', 'G', 'R', 'X');

// The entries of the runtime's table that we call, each at its place in the SDK's table.
struct Table {
    bool (*initialize)();
    void (*destroy)();
    const char* (*version)();
    void* (*findCreate)(const FindCreate*);
    void (*findDestroy)(void*);
    bool (*findWaitForSources)(void*, std::uint32_t);
    const Source* (*findCurrentSources)(void*, std::uint32_t*);
    void* (*recvCreate)(const RecvCreate*);
    void (*recvDestroy)(void*);
    int (*recvCapture)(void*, VideoFrame*, AudioFrame*, void* metadata, std::uint32_t timeoutMs);
    void (*recvFreeVideo)(void*, const VideoFrame*);
    void (*recvFreeAudio)(void*, const AudioFrame*);
};
} // namespace ndi

class NdiRuntime {
public:
    ~NdiRuntime();
    NdiRuntime(const NdiRuntime&) = delete;
    NdiRuntime& operator=(const NdiRuntime&) = delete;

    // The runtime, loaded and initialized; Errc::unsupported when none is installed (the
    // message says what to install and from where), or when what is there is not a runtime
    // we can use (no load function, an empty table, initialization refused), naming the file.
    static Result<std::shared_ptr<NdiRuntime>> load();

    const std::string& file() const noexcept { return file_; }
    std::string version() const;
    // The sources NDI finds in `waitMs` (its own mDNS, and `extraIps`, comma-separated).
    std::vector<NdiSource> sources(std::uint32_t waitMs, const std::string& extraIps = {}) const;
    const ndi::Table& table() const noexcept { return table_; }

private:
    NdiRuntime() = default;
    void* handle_ = nullptr;
    std::string file_;
    ndi::Table table_{};
};

// NDI's configuration for this process, as NDI documents it (ndi-config.v1.json: networks.ips,
// the machines to find sources on beyond mDNS's reach; networks.discovery, the Discovery
// Servers): written into `folder`, and NDI_CONFIG_DIR set to it, before the runtime is first
// loaded (at start-up: setenv is not for a running process's other threads). Nothing when both
// lists are empty. Errors (Errc::io) name the file.
Result<void> configureNdi(const std::filesystem::path& folder,
                          const std::vector<std::string>& extraIps,
                          const std::vector<std::string>& discoveryServers);

} // namespace sb::video
