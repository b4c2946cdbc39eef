// A stand-in for the NDI runtime in tests, built as libndi.so.6: it implements the runtime's
// load entry point (NDIlib_v6_load) and the entries Switchboard calls, at their places in the
// table, and offers one source, "TESTHOST (Belt Camera)", that sends 640x360 UYVY frames at 30
// a second, each followed by its 33 ms of sound (a 1 kHz tone, stereo, planar floats at 48 kHz;
// and, for the finder, one named after each extra IP and Discovery Server it is given, as
// below). It proves only our side of the interface (the loading, the table, the frames'
// conversion), not NDI's: NDI's runtime is proprietary and not installed here.
//
// Built three ways (FAKE_NDI_KIND): 0 the working stand-in; 1 a library with NDI 4's load
// function only; 2 one whose table has empty entries.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

struct Source {
    const char* name;
    const char* url;
};
struct FindCreate {
    bool showLocalSources;
    const char* groups;
    const char* extraIps;
};
struct RecvCreate {
    Source source;
    int colorFormat, bandwidth;
    bool allowVideoFields;
    const char* receiverName;
};
struct VideoFrame {
    int xres, yres;
    std::uint32_t fourCC;
    int frameRateN, frameRateD;
    float pictureAspectRatio;
    int frameFormatType;
    std::int64_t timecode;
    std::uint8_t* data;
    int lineStrideInBytes;
    const char* metadata;
    std::int64_t timestamp;
};

constexpr int kWidth = 640, kHeight = 360;
const Source kSources[] = {{"TESTHOST (Belt Camera)", "127.0.0.1:5961"}};

struct AudioFrame {
    int sampleRate, channels, samples;
    std::int64_t timecode;
    float* data;
    int channelStrideInBytes;
    const char* metadata;
    std::int64_t timestamp;
};

struct Receiver {
    bool connected = false;
    bool soundDue = false;                                   // a frame's sound follows each picture
    std::vector<float> sound = std::vector<float>(2 * 1600); // stereo, planar, 33 ms at 48 kHz
    std::vector<std::uint8_t> frame = std::vector<std::uint8_t>(kWidth * kHeight * 2);
    std::uint64_t count = 0;
    std::chrono::steady_clock::time_point next = std::chrono::steady_clock::now();
};

bool initialize() {
    return true;
}
void destroy() {}
const char* version() {
    return "a stand-in for the NDI runtime, for tests (not NDI's)";
}
// The finder: our one source, and one more for each place beyond mDNS it is told to ask, named
// after it: the extra IPs its settings give ("EXTRA (ip)"), and the Discovery Servers of the
// configuration file NDI_CONFIG_DIR names ("DISCOVERY (server)"), as NDI's runtime reads them.
struct Finder {
    std::vector<std::string> names;
    std::vector<Source> sources;
};
void addEach(Finder& f, std::string_view prefix, std::string_view list) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto item = list.substr(0, comma);
        if (!item.empty()) f.names.push_back(std::string(prefix) + " (" + std::string(item) + ")");
        list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
    }
}
std::string discoveryOf(const char* folder) {
    if (!folder) return {};
    std::ifstream in(std::string(folder) + "/ndi-config.v1.json");
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto key = text.find("\"discovery\"");
    const auto open = key == std::string::npos ? key : text.find('"', text.find(':', key));
    const auto close = open == std::string::npos ? open : text.find('"', open + 1);
    return close == std::string::npos ? "" : text.substr(open + 1, close - open - 1);
}
void* findCreate(const FindCreate* settings) {
    auto* f = new Finder;
    f->names.emplace_back(kSources[0].name);
    if (settings && settings->extraIps) addEach(*f, "EXTRA", settings->extraIps);
    addEach(*f, "DISCOVERY", discoveryOf(std::getenv("NDI_CONFIG_DIR")));
    for (const auto& name : f->names)
        f->sources.push_back({name.c_str(), kSources[0].url});
    return f;
}
void findDestroy(void* f) {
    delete static_cast<Finder*>(f);
}
bool findWait(void*, std::uint32_t) {
    return true;
}
const Source* findSources(void* f, std::uint32_t* count) {
    auto& finder = *static_cast<Finder*>(f);
    *count = static_cast<std::uint32_t>(finder.sources.size());
    return finder.sources.data();
}
void* recvCreate(const RecvCreate* settings) {
    auto* r = new Receiver;
    r->connected =
        settings->source.name && std::strcmp(settings->source.name, kSources[0].name) == 0;
    return r;
}
void recvDestroy(void* r) {
    delete static_cast<Receiver*>(r);
}
int recvCapture(void* instance, VideoFrame* video, AudioFrame* audio, void*,
                std::uint32_t timeoutMs) {
    auto& r = *static_cast<Receiver*>(instance);
    if (r.connected && audio && std::exchange(r.soundDue, false)) {
        // A 1 kHz tone at a quarter of full scale in both channels, going on from the last.
        for (int i = 0; i < 1600; ++i)
            r.sound[i] = r.sound[1600 + i] =
                0.25F *
                static_cast<float>(std::sin(2 * 3.14159265358979 * 1000 *
                                            static_cast<double>(r.count * 1600 + i) / 48000));
        *audio = {48000, 2, 1600, 0, r.sound.data(), 1600 * 4, nullptr, 0};
        return 2; // an audio frame
    }
    if (!r.connected) {
        std::this_thread::sleep_for(std::chrono::milliseconds(timeoutMs));
        return 0; // nothing: no such source
    }
    // A frame every 33 ms; one not due yet within the timeout is not there (none: 0).
    if (r.next > std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(timeoutMs));
        return 0;
    }
    std::this_thread::sleep_until(r.next);
    r.next += std::chrono::microseconds(33333);
    // UYVY: a grey ramp that moves one step a frame, under neutral chroma.
    for (int y = 0; y < kHeight; ++y)
        for (int x = 0; x < kWidth; x += 2) {
            std::uint8_t* p = &r.frame[(y * kWidth + x) * 2];
            const auto luma = static_cast<std::uint8_t>(16 + (x + r.count * 4) % 220);
            p[0] = 128;
            p[1] = luma;
            p[2] = 128;
            p[3] = luma;
        }
    ++r.count;
    r.soundDue = true;
    std::memset(video, 0, sizeof *video);
    video->xres = kWidth;
    video->yres = kHeight;
    video->fourCC = 'U' | 'Y' << 8 | 'V' << 16 | static_cast<std::uint32_t>('Y') << 24;
    video->frameRateN = 30;
    video->frameRateD = 1;
    video->frameFormatType = 1; // progressive
    video->data = r.frame.data();
    video->lineStrideInBytes = kWidth * 2;
    return 1; // a video frame
}
void recvFreeVideo(void*, const VideoFrame*) {}
void recvFreeAudio(void*, const AudioFrame*) {}

} // namespace

// Kind 1 has an older runtime's load function only (NDI 4's), not v6's.
#if FAKE_NDI_KIND == 1
#define FAKE_NDI_LOAD NDIlib_v4_load
#else
#define FAKE_NDI_LOAD NDIlib_v6_load
#endif
extern "C" __attribute__((visibility("default"))) const void* FAKE_NDI_LOAD() {
    static void* table[100] = {};
    table[0] = reinterpret_cast<void*>(&initialize);
    table[1] = reinterpret_cast<void*>(&destroy);
    table[2] = reinterpret_cast<void*>(&version);
    table[5] = reinterpret_cast<void*>(&findCreate);
    table[6] = reinterpret_cast<void*>(&findDestroy);
    table[23] = reinterpret_cast<void*>(&recvDestroy);
    table[42] = reinterpret_cast<void*>(&findWait);
    table[43] = reinterpret_cast<void*>(&findSources);
    table[47] = reinterpret_cast<void*>(&recvFreeVideo);
    table[48] = reinterpret_cast<void*>(&recvFreeAudio);
    table[49] = reinterpret_cast<void*>(&recvCapture);
    table[84] = FAKE_NDI_KIND == 2 ? nullptr : reinterpret_cast<void*>(&recvCreate);
    return table;
}
