// bench/video (issue 18): our video pipeline against the ffmpeg command line, in the same run,
// on the same pictures and encoder settings:
//  - the pictures: ffmpeg's testsrc2 at the preset's size, 30 frames a second, written once as
//    a raw YUV 4:2:0 file (y4m), which both read as fast as they go;
//  - ours: the file through libavformat, libx264 (veryfast, zerolatency, the preset's bitrate,
//    a key frame every two seconds, no B-frames), the frame metadata SEI, RFC 6184 payloads
//    and RTP to a loopback port; ffmpeg: the same file, encoder and settings, `-f rtp` to
//    another. Frames a second (wall clock) and CPU per frame (the process's, every thread);
//  - the latency we add: from a picture's arrival from its source to its last packet sent;
//  - one encode for many: the CPU per frame with 1 receiver and with 10 (each with its own
//    RTP header on the same payloads, as the room's relay gives each call its own).
// Goals: ≥ 0.95 × ffmpeg's frames a second at equal CPU; added latency ≤ 1 frame; 10
// receivers ≤ 1.2 × one.
//
// Usage: video [frames (default 300)] [preset (default 720p)]
#include "video/datagram_socket.hpp"
#include "video/encoder.hpp"
#include "video/frame_metadata.hpp"
#include "video/rtp_video.hpp"
#include "video/rtp_writer.hpp"
#include "video/source.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace sb::video;
using Clock = std::chrono::steady_clock;

double cpuSeconds(const rusage& u) {
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double selfCpu() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return cpuSeconds(u);
}

struct Figures {
    double fps = 0, cpuMsPerFrame = 0;
    double latencyMeanMs = 0, latencyP99Ms = 0;
    std::uint64_t frames = 0;
};

// A port on loopback that receives and discards (the kernel drops what its buffer cannot hold).
struct Sink {
    DatagramSocket socket = DatagramSocket::bind("127.0.0.1").value();
    std::uint16_t port() const { return socket.localPort(); }
};

// Our pipeline over `file`, its RTP to `receivers` writers each with its own header.
Figures ours(const std::string& file, const VideoPreset& preset, int receivers) {
    auto source = openFfmpegInput(file, preset.width, preset.height, false);
    if (!source) {
        std::fprintf(stderr, "video: %s\n", source.error().message.c_str());
        std::exit(1);
    }
    EncoderSettings settings;
    settings.width = preset.width;
    settings.height = preset.height;
    settings.fps = preset.fps;
    settings.bitrateKbps = preset.bitrateKbps;
    auto encoder = Encoder::open(settings);
    if (!encoder) {
        std::fprintf(stderr, "video: %s\n", encoder.error().message.c_str());
        std::exit(1);
    }
    Sink sink;
    auto socket = DatagramSocket::to("127.0.0.1", sink.port()).value();
    std::vector<RtpWriter> writers;
    writers.reserve(static_cast<std::size_t>(receivers));
    for (int i = 0; i < receivers; ++i)
        writers.emplace_back(RtpWriterSettings{96, 0x1000u + i, 0, 0, "bench"});
    FrameMetadata metadata{"4bf92f3577b34da6a3ce929d0e0e4736", "alice", 0};
    std::vector<EncodedFrame> encoded;
    std::vector<double> latencies;
    Figures f;
    const auto send = [&](std::span<const std::uint8_t> datagram) { socket.send(datagram); };
    const double cpu0 = selfCpu();
    const auto start = Clock::now();
    for (std::int64_t n = 0;; ++n) {
        auto next = (*source)->next();
        if (!next || !*next) break;
        const auto arrived = Clock::now();
        encoded.clear();
        (void)(*encoder)->encode(*(*next)->frame, n * 3000, n == 0, encoded);
        for (const auto& frame : encoded) {
            metadata.captureMicros = (*next)->captureMicros;
            const auto unit = withMetadata(Codec::h264, frame.annexB, metadata);
            const auto payloads = packetize(Codec::h264, splitAnnexB(unit), 1200);
            for (auto& writer : writers)
                writer.write(payloads, frame.pts, send);
            ++f.frames;
        }
        latencies.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - arrived).count());
    }
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    f.fps = static_cast<double>(f.frames) / wall;
    f.cpuMsPerFrame = (selfCpu() - cpu0) * 1000 / static_cast<double>(f.frames);
    std::sort(latencies.begin(), latencies.end());
    for (double l : latencies)
        f.latencyMeanMs += l / static_cast<double>(latencies.size());
    f.latencyP99Ms = latencies[latencies.size() * 99 / 100];
    return f;
}

// Runs a command to its end: its wall time and CPU (rusage of the child). Its start-up and
// the encoder's opening are in both (ours opens its encoder before the clock starts, so the
// figures favour ffmpeg by that much; over 600 frames, about 1%).
std::pair<double, double> run(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const auto start = Clock::now();
    const pid_t child = fork();
    if (child == 0) {
        std::freopen("/dev/null", "w", stdout); // ffmpeg's -f rtp prints its SDP
        execvp(args[0], args.data());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "video: %s failed\n", argv[0].c_str());
        std::exit(1);
    }
    return {std::chrono::duration<double>(Clock::now() - start).count(), cpuSeconds(usage)};
}

Figures ffmpeg(const std::string& file, const VideoPreset& preset, int frames) {
    Sink sink;
    const std::string rate = std::to_string(preset.bitrateKbps) + "k";
    const auto [wall, cpu] = run({"ffmpeg",
                                  "-nostdin",
                                  "-hide_banner",
                                  "-loglevel",
                                  "error",
                                  "-i",
                                  file,
                                  "-c:v",
                                  "libx264",
                                  "-preset",
                                  "veryfast",
                                  "-tune",
                                  "zerolatency",
                                  "-b:v",
                                  rate,
                                  "-maxrate",
                                  rate,
                                  "-bufsize",
                                  rate,
                                  "-g",
                                  std::to_string(2 * preset.fps),
                                  "-bf",
                                  "0",
                                  "-f",
                                  "rtp",
                                  "-pkt_size",
                                  "1212",
                                  "rtp://127.0.0.1:" + std::to_string(sink.port())});
    Figures f;
    f.frames = static_cast<std::uint64_t>(frames);
    f.fps = frames / wall;
    f.cpuMsPerFrame = cpu * 1000 / frames;
    return f;
}

} // namespace

int main(int argc, char** argv) {
    const int frames = argc > 1 ? std::atoi(argv[1]) : 300;
    const auto preset = findPreset(argc > 2 ? argv[2] : "720p");
    if (frames < 30 || !preset) {
        std::fprintf(stderr, "usage: video [frames, at least 30] [1080p|720p|480p]\n");
        return 2;
    }
    av_log_set_level(AV_LOG_ERROR);
    const auto dir =
        std::filesystem::temp_directory_path() / ("sb-bench-video-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "pictures.y4m").string();
    const std::string size = std::to_string(preset->width) + "x" + std::to_string(preset->height);
    run({"ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc2=size=" + size + ":rate=" + std::to_string(preset->fps), "-frames:v",
         std::to_string(frames), "-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe", file});

    const Figures mine = ours(file, *preset, 1);
    const Figures theirs = ffmpeg(file, *preset, frames);
    const Figures ten = ours(file, *preset, 10);
    std::filesystem::remove_all(dir);

    std::printf("video %s, %d frames of libx264 veryfast zerolatency at %d kb/s\n", size.c_str(),
                frames, preset->bitrateKbps);
    std::printf("frames a second: ours %.1f, ffmpeg %.1f, ratio %.2f (goal 0.95 at equal CPU)\n",
                mine.fps, theirs.fps, mine.fps / theirs.fps);
    std::printf("CPU per frame: ours %.2f ms, ffmpeg %.2f ms, ratio %.2f; frames per CPU second: "
                "ours %.1f, ffmpeg %.1f, ratio %.2f\n",
                mine.cpuMsPerFrame, theirs.cpuMsPerFrame, mine.cpuMsPerFrame / theirs.cpuMsPerFrame,
                1000 / mine.cpuMsPerFrame, 1000 / theirs.cpuMsPerFrame,
                theirs.cpuMsPerFrame / mine.cpuMsPerFrame);
    std::printf("latency from a picture's arrival to its last packet: mean %.2f ms, p99 %.2f ms "
                "(goal: one frame, %.1f ms)\n",
                mine.latencyMeanMs, mine.latencyP99Ms, 1000.0 / preset->fps);
    std::printf(
        "CPU per frame with 10 receivers: %.2f ms, with 1: %.2f ms, ratio %.2f (goal 1.2)\n",
        ten.cpuMsPerFrame, mine.cpuMsPerFrame, ten.cpuMsPerFrame / mine.cpuMsPerFrame);
    return 0;
}
