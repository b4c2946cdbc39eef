// `switchboard video send`: a camera, a file or the test pattern, encoded as the video leg of an
// escalation call encodes it (H.264 or H.265, the frame metadata SEI on every frame), sent as
// RTP to one address, with an SDP file for the receiver (ffmpeg, VLC). For trying a source and
// an encoder setting before a call, and for the tests, which decode what it sends.

#include "cli/client.hpp"
#include "core/trace.hpp"
#include "video/stream_sdp.hpp"
#include "video/stream_sender.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

namespace sb::cli {
namespace {

struct VideoSendOptions {
    std::string source = "pattern", codec = "h264", preset = "480p", to, sdpFile, traceId, expertId,
                encoder, device;
    int bitrateKbps = 0, flashEvery = 0;
    std::uint64_t frames = 0;
    double delaySeconds = 0;
    std::size_t maxPayload = 1200;
};

std::atomic<bool> interrupted{false};

// Whole or not at all: a receiver that waits for the file never reads half of it.
bool writeWhole(const std::string& file, const std::string& text) {
    const std::string partial = file + ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!(out << text) || !out.flush()) return false;
    }
    return std::rename(partial.c_str(), file.c_str()) == 0;
}

int runSend(const VideoSendOptions& o) {
    const auto preset = video::findPreset(o.preset);
    if (!preset) {
        std::cerr << "switchboard video send: --preset: one of " << video::presetNames() << '\n';
        return kUsage;
    }
    const auto colon = o.to.rfind(':');
    const int port = colon == std::string::npos ? 0 : std::atoi(o.to.c_str() + colon + 1);
    if (port <= 0 || port > 65534) {
        std::cerr << "switchboard video send: --to: HOST:PORT, the port 1 to 65534 (RTCP on the "
                     "next)\n";
        return kUsage;
    }
    std::string host = o.to.substr(0, colon);
    if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
    auto rtp = video::DatagramSocket::to(host, static_cast<std::uint16_t>(port));
    auto rtcp = video::DatagramSocket::to(host, static_cast<std::uint16_t>(port + 1));
    if (!rtp || !rtcp) {
        std::cerr << "switchboard video send: --to: " << (rtp ? rtcp : rtp).error().message << '\n';
        return kUsage;
    }
    video::StreamTarget target;
    target.rtp = &*rtp;
    target.rtcp = &*rtcp;
    target.maxPayload = o.maxPayload;
    target.cname = "switchboard-" + randomHex(6);

    video::EncoderSettings settings;
    settings.codec = o.codec == "h265" ? video::Codec::h265 : video::Codec::h264;
    settings.width = preset->width;
    settings.height = preset->height;
    settings.fps = preset->fps;
    settings.bitrateKbps = o.bitrateKbps > 0 ? o.bitrateKbps : preset->bitrateKbps;
    settings.implementation = o.encoder;
    settings.device = o.device;
    auto encoder = video::Encoder::open(settings);
    if (!encoder) {
        std::cerr << "switchboard video send: " << encoder.error().message << '\n';
        return kRefused;
    }
    const std::string traceId = o.traceId.empty() ? newTraceId() : o.traceId;
    std::unique_ptr<video::Source> source;
    if (o.source == "pattern") {
        source = video::openTestPattern(preset->width, preset->height, preset->fps, traceId,
                                        o.flashEvery);
    } else {
        auto opened =
            video::openSource(o.source, preset->width, preset->height, preset->fps, traceId);
        if (!opened) {
            std::cerr << "switchboard video send: " << opened.error().message << '\n';
            return kRefused;
        }
        source = std::move(*opened);
    }

    video::StreamOptions options;
    options.metadata.traceId = traceId;
    options.metadata.expertId = o.expertId;
    options.frames = o.frames;
    options.stop = &interrupted;
    bool written = true;
    options.beforeFirstPacket = [&](std::span<const video::Nal> keyFrame) {
        if (!o.sdpFile.empty()) {
            video::StreamDescription description{settings.codec, host,
                                                 static_cast<std::uint16_t>(port),
                                                 target.payloadType, keyFrame};
            written = writeWhole(o.sdpFile, video::streamSdp(description));
        }
        if (o.delaySeconds > 0)
            std::this_thread::sleep_for(std::chrono::duration<double>(o.delaySeconds));
    };
    std::signal(SIGINT, [](int) { interrupted = true; });
    std::signal(SIGTERM, [](int) { interrupted = true; });
    auto report = video::sendStream(std::move(source), **encoder, target, options);
    if (!written) {
        std::cerr << "switchboard video send: cannot write " << o.sdpFile << '\n';
        return kRefused;
    }
    if (!report) {
        std::cerr << "switchboard video send: " << report.error().message << '\n';
        return kRefused;
    }
    std::cout << "sent " << report->frames << " frames (" << report->keyframes << " key), "
              << report->packets << " packets, " << report->octets << " octets of "
              << (*encoder)->name() << " " << settings.width << "x" << settings.height << "; trace "
              << traceId << '\n';
    return kOk;
}

} // namespace

std::vector<Command> addVideoCommands(CLI::App& app) {
    auto o = std::make_shared<VideoSendOptions>();
    auto* video = app.add_subcommand("video", "Video sources and streams");
    video->require_subcommand(1);

    struct SourcesOptions {
        ClientOptions client;
        int waitMs = 1000;
    };
    auto s = std::make_shared<SourcesOptions>();
    auto* sources = video->add_subcommand(
        "sources", "The sources an agent may bring into a call, and the NDI sources found on "
                   "the LAN (GET /v1/video/sources; JSON)");
    addClientOptions(*sources, s->client);
    sources->add_option("--wait", s->waitMs, "How long to listen for NDI sources, in ms")
        ->check(CLI::Range(0, 5000))
        ->capture_default_str();

    auto* send = video->add_subcommand(
        "send", "Encode a source and send it as RTP to HOST:PORT, as a call's video leg does");
    send->add_option("--source", o->source,
                     "\"pattern\" (the test pattern), \"ndi:HOST (Source)\" (an NDI source, "
                     "through the NDI runtime), or an FFmpeg input: a file, rtsp://, srt://, "
                     "udp://")
        ->capture_default_str();
    send->add_option("--codec", o->codec, "H.264 or H.265")
        ->check(CLI::IsMember({"h264", "h265"}))
        ->capture_default_str();
    send->add_option("--preset", o->preset, "Picture size and starting bitrate")
        ->check(CLI::IsMember({"1080p", "720p", "480p"}))
        ->capture_default_str();
    send->add_option("--bitrate", o->bitrateKbps, "Bitrate in kb/s (default: the preset's)");
    send->add_option("--encoder", o->encoder,
                     "A libavcodec encoder by name (default libx264 or libx265; h264_nvenc, "
                     "h264_vaapi, …)");
    send->add_option("--device", o->device,
                     "A VAAPI encoder's DRM render node (default /dev/dri/renderD128)");
    send->add_option("--to", o->to, "Where the RTP goes, HOST:PORT (RTCP to the next port)")
        ->required();
    send->add_option("--frames", o->frames,
                     "Stop after this many frames (default: the source's "
                     "end, or SIGINT)");
    send->add_option("--sdp", o->sdpFile, "Write the receiver's SDP here before the first packet");
    send->add_option("--delay", o->delaySeconds,
                     "Seconds to wait after writing the SDP, for the receiver to start");
    send->add_option("--trace", o->traceId, "The trace id the frames carry (default: a new one)");
    send->add_option("--expert", o->expertId, "The expert id the frames carry");
    send->add_option("--flash-every", o->flashEvery,
                     "The test pattern turns white every N frames (lip-sync measurements)");
    send->add_option("--max-payload", o->maxPayload, "Largest RTP payload in octets")
        ->check(CLI::Range(64, 65000))
        ->capture_default_str();
    return {{send, [o] { return runSend(*o); }},
            {sources, [s] {
                 return call(s->client, "GET",
                             "/v1/video/sources?wait_ms=" + std::to_string(s->waitMs), "", {},
                             printBody);
             }}};
}

} // namespace sb::cli
