#include "video/encoder.hpp"
#include "video/frame_metadata.hpp"
#include "video/rtp_video.hpp"
#include "video/source.hpp"
#include "video/stream_sdp.hpp"
#include "video/test_pattern.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace sb::video {
namespace {

// Our frames as libavcodec's own decoder sees them: each picture, and the SEI user data it
// exports (AV_FRAME_DATA_SEI_UNREGISTERED).
class Decoder {
public:
    explicit Decoder(Codec codec) {
        const AVCodec* codec_ =
            avcodec_find_decoder(codec == Codec::h264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC);
        context_.reset(avcodec_alloc_context3(codec_));
        EXPECT_EQ(avcodec_open2(context_.get(), codec_, nullptr), 0);
        packet_.reset(av_packet_alloc());
        frame_.reset(av_frame_alloc());
    }
    // The metadata of each picture `annexB` gives.
    std::vector<FrameMetadata> decode(std::vector<std::uint8_t> annexB) {
        annexB.resize(annexB.size() + AV_INPUT_BUFFER_PADDING_SIZE);
        packet_->data = annexB.data();
        packet_->size = static_cast<int>(annexB.size() - AV_INPUT_BUFFER_PADDING_SIZE);
        EXPECT_EQ(avcodec_send_packet(context_.get(), packet_.get()), 0);
        std::vector<FrameMetadata> out;
        while (avcodec_receive_frame(context_.get(), frame_.get()) == 0) {
            size_ = {frame_->width, frame_->height};
            for (int i = 0; i < frame_->nb_side_data; ++i) {
                const AVFrameSideData& sd = *frame_->side_data[i];
                if (sd.type != AV_FRAME_DATA_SEI_UNREGISTERED || sd.size < 16 ||
                    !std::equal(kMetadataUuid.begin(), kMetadataUuid.end(), sd.data))
                    continue;
                auto metadata = decodeMetadataPayload({sd.data + 16, sd.size - 16});
                EXPECT_TRUE(metadata);
                if (metadata) out.push_back(*metadata);
            }
            av_frame_unref(frame_.get());
        }
        return out;
    }
    std::pair<int, int> size() const { return size_; }

private:
    CodecContextPtr context_;
    PacketPtr packet_;
    FramePtr frame_;
    std::pair<int, int> size_;
};

std::vector<int> typesOf(Codec codec, const std::vector<std::uint8_t>& annexB) {
    std::vector<int> types;
    for (const Nal nal : splitAnnexB(annexB))
        types.push_back(nalType(codec, nal));
    return types;
}

bool contains(const std::vector<int>& types, int type) {
    return std::find(types.begin(), types.end(), type) != types.end();
}

class EncoderTest : public ::testing::TestWithParam<Codec> {};

// 320x240 pictures of `codec` at `kbps`, by the codec's software encoder.
EncoderSettings qvga(Codec codec, int kbps) {
    EncoderSettings settings;
    settings.codec = codec;
    settings.width = 320;
    settings.height = 240;
    settings.bitrateKbps = kbps;
    return settings;
}

TEST_P(EncoderTest, KeyFramesCarryTheirParameterSetsAndEveryFrameItsMetadata) {
    const Codec codec = GetParam();
    auto encoder = Encoder::open(qvga(codec, 300));
    ASSERT_TRUE(encoder) << encoder.error().message;
    auto picture = allocatePicture(320, 240);
    TestPattern pattern(320, 240, "4bf92f3577b34da6a3ce929d0e0e4736");
    Decoder decoder(codec);
    Depacketizer depacketizer(codec);
    std::uint16_t sequence = 0;
    std::vector<EncodedFrame> encoded;
    int decoded = 0;
    for (int n = 0; n < 12; ++n) {
        pattern.draw(*picture, static_cast<std::uint64_t>(n), 1'700'000'000'000'000 + n * 33'333);
        if (n == 8) {
            ASSERT_TRUE((*encoder)->setBitrate(150));
        }
        encoded.clear();
        // Frame 5 is asked for as a key frame (a PLI's answer).
        ASSERT_TRUE((*encoder)->encode(*picture, n * 3000, n == 0 || n == 5, encoded));
        for (const auto& frame : encoded) {
            const auto types = typesOf(codec, frame.annexB);
            // x264 changes its bitrate in place; x265 is opened again, from an IDR.
            const bool wantKey = frame.pts == 0 || frame.pts == 15000 ||
                                 (codec == Codec::h265 && frame.pts == 24000);
            EXPECT_EQ(frame.keyframe, wantKey) << "pts " << frame.pts;
            if (frame.keyframe) { // in-band parameter sets (no SDP needed)
                EXPECT_TRUE(contains(types, codec == Codec::h264 ? h264::kSps : h265::kSps));
                EXPECT_TRUE(contains(types, codec == Codec::h264 ? h264::kPps : h265::kPps));
                if (codec == Codec::h265) {
                    EXPECT_TRUE(contains(types, h265::kVps));
                }
            }
            FrameMetadata metadata{"4bf92f3577b34da6a3ce929d0e0e4736", "alice",
                                   1'700'000'000'000'000 + frame.pts};
            const auto unit = withMetadata(codec, frame.annexB, metadata);
            // Through our RTP payloads and back, small packets to make fragments.
            const auto payloads = packetize(codec, splitAnnexB(unit), 500);
            std::vector<Depacketizer::AccessUnit> done;
            for (std::size_t i = 0; i < payloads.size(); ++i)
                depacketizer.push(sequence++, static_cast<std::uint32_t>(frame.pts),
                                  i + 1 == payloads.size(), payloads[i], done);
            ASSERT_EQ(done.size(), 1u);
            const auto seen = decoder.decode(done[0].annexB);
            ASSERT_EQ(seen.size(), 1u) << "pts " << frame.pts;
            EXPECT_EQ(seen[0], metadata);
            ++decoded;
        }
    }
    EXPECT_EQ(decoded, 12); // zerolatency: a frame out for each in
    EXPECT_EQ(decoder.size(), (std::pair{320, 240}));
}

INSTANTIATE_TEST_SUITE_P(BothCodecs, EncoderTest, ::testing::Values(Codec::h264, Codec::h265),
                         [](const auto& info) { return std::string(codecName(info.param)); });

// What libav* logs while it is set, its warnings and worse.
class AvLogCapture {
public:
    AvLogCapture() {
        lines().clear();
        av_log_set_callback([](void*, int level, const char* format, va_list args) {
            if (level > AV_LOG_WARNING) return;
            char line[512];
            std::vsnprintf(line, sizeof line, format, args);
            lines().emplace_back(line);
        });
    }
    ~AvLogCapture() { av_log_set_callback(av_log_default_callback); }
    AvLogCapture(const AvLogCapture&) = delete;
    AvLogCapture& operator=(const AvLogCapture&) = delete;
    static std::vector<std::string>& lines() {
        static std::vector<std::string> seen;
        return seen;
    }
};

TEST(Encoder, X264TakesALowerBitrateWithoutAWarning) {
    auto encoder = Encoder::open(qvga(Codec::h264, 800));
    ASSERT_TRUE(encoder) << encoder.error().message;
    auto picture = allocatePicture(320, 240);
    TestPattern pattern(320, 240, "4bf92f3577b34da6a3ce929d0e0e4736");
    const AvLogCapture log;
    std::vector<EncodedFrame> encoded;
    for (int n = 0; n < 12; ++n) {
        // Down twice, as loss reports ask, and up again.
        const int kbps = n == 3 ? 500 : n == 6 ? 400 : n == 9 ? 900 : 0;
        if (kbps != 0) {
            ASSERT_TRUE((*encoder)->setBitrate(kbps));
        }
        pattern.draw(*picture, static_cast<std::uint64_t>(n), 1'700'000'000'000'000 + n * 33'333);
        ASSERT_TRUE((*encoder)->encode(*picture, n * 3000, n == 0, encoded));
    }
    EXPECT_EQ(encoded.size(), 12u);
    for (const auto& line : AvLogCapture::lines())
        ADD_FAILURE() << "libav* said: " << line;
}

// A call's H.264 (stream_sdp.hpp's kCallH264): Constrained Baseline (profile_idc 66 with
// constraint_set1, RFC 6184 §8.1) at level 4.0 at most, what its offer names.
TEST(Encoder, ACallsH264IsConstrainedBaselineAsItsOfferSays) {
    auto settings = qvga(Codec::h264, 300);
    settings.constrainedBaseline = true;
    auto encoder = Encoder::open(settings);
    ASSERT_TRUE(encoder) << encoder.error().message;
    auto picture = allocatePicture(320, 240);
    TestPattern pattern(320, 240, "");
    pattern.draw(*picture, 0, 1'700'000'000'000'000);
    std::vector<EncodedFrame> encoded;
    ASSERT_TRUE((*encoder)->encode(*picture, 0, true, encoded));
    ASSERT_EQ(encoded.size(), 1u);
    const std::string id = profileLevelId(splitAnnexB(encoded[0].annexB));
    ASSERT_EQ(id.size(), 6u);
    const auto octet = [&](int i) { return std::stoi(id.substr(2 * i, 2), nullptr, 16); };
    EXPECT_EQ(octet(0), 0x42) << id;
    EXPECT_NE(octet(1) & 0x40, 0) << id;
    EXPECT_LE(octet(2), 40) << id;
    EXPECT_NE(kCallH264.parameters.find("profile-level-id=42e028"), std::string::npos);
}

TEST(Encoder, RefusesWhatItCannotMakeByName) {
    EncoderSettings odd;
    odd.width = 321;
    EXPECT_EQ(Encoder::open(odd).error().code, Errc::config);
    EncoderSettings missing;
    missing.implementation = "no_such_encoder";
    const auto none = Encoder::open(missing);
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("no_such_encoder"), std::string::npos);
    EncoderSettings wrong;
    wrong.implementation = "libx265"; // H.265 asked to make H.264
    EXPECT_EQ(Encoder::open(wrong).error().code, Errc::config);
    EXPECT_TRUE(findPreset("720p"));
    EXPECT_EQ(findPreset("720p")->width, 1280);
    EXPECT_FALSE(findPreset("4k"));
}

// No GPU here: what a hardware encoder says without its device, and the software one a video
// leg takes instead. On a machine with the device, the hardware encoder opens and encodes.
TEST(Encoder, AHardwareEncoderWithoutItsDeviceIsNamedAndTheSoftwareOneStandsIn) {
    EncoderSettings vaapi;
    vaapi.implementation = "h264_vaapi";
    vaapi.device = "/nonexistent/renderD128";
    const auto refused = Encoder::open(vaapi);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::unsupported);
    EXPECT_NE(refused.error().message.find("VAAPI: no device at /nonexistent/renderD128"),
              std::string::npos)
        << refused.error().message;
    std::string whyNot;
    auto software = Encoder::openOrSoftware(vaapi, whyNot);
    ASSERT_TRUE(software) << software.error().message;
    EXPECT_STREQ((*software)->name(), "libx264");
    EXPECT_EQ(whyNot, refused.error().message);
    auto picture = allocatePicture(vaapi.width, vaapi.height);
    std::vector<EncodedFrame> out;
    ASSERT_TRUE((*software)->encode(*picture, 0, true, out));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].keyframe);

    EncoderSettings nvenc; // NVENC without NVIDIA's driver: libcuda is not there
    nvenc.codec = Codec::h265;
    nvenc.implementation = "hevc_nvenc";
    whyNot.clear();
    auto either = Encoder::openOrSoftware(nvenc, whyNot);
    ASSERT_TRUE(either) << either.error().message;
    EXPECT_STREQ((*either)->name(), whyNot.empty() ? "hevc_nvenc" : "libx265") << whyNot;
    // A software encoder that fails is not replaced by itself.
    EncoderSettings odd;
    odd.width = 321;
    whyNot.clear();
    EXPECT_FALSE(Encoder::openOrSoftware(odd, whyNot));
    EXPECT_TRUE(whyNot.empty());
}

// A UDP port on loopback that the kernel has just handed out and nothing holds now.
int freeUdpPort() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), size), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size), 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

TEST(FfmpegInput, ASilentNetworkInputStopsWaitingWhenItsLegStops) {
    // Nothing sends to this input: opening it waits for a first packet, up to ten seconds. The
    // leg's stop, set meanwhile, ends the wait (a leg hung up, or Switchboard stopping, does
    // not wait for a silent camera).
    std::atomic<bool> stop{false};
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop = true;
    });
    const auto started = std::chrono::steady_clock::now();
    const auto input =
        openFfmpegInput("udp://127.0.0.1:" + std::to_string(freeUdpPort()), 320, 240, true, &stop);
    const auto waited = std::chrono::steady_clock::now() - started;
    stopper.join();
    EXPECT_FALSE(input);
    EXPECT_LT(waited, std::chrono::seconds(5)) << "it waited for its own timeout";
}

TEST(FfmpegInput, NamesAnInputThatIsMissingOrHasNoVideo) {
    const auto missing = openFfmpegInput("/nonexistent/clip.mp4", 320, 240);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("/nonexistent/clip.mp4"), std::string::npos);
    // A WAV file: audio only.
    const std::string wav = ::testing::TempDir() + "tone.wav";
    {
        std::FILE* f = std::fopen(wav.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        const std::uint32_t samples = 8000, bytes = samples * 2;
        auto u32 = [&](std::uint32_t v) { std::fwrite(&v, 4, 1, f); };
        auto u16 = [&](std::uint16_t v) { std::fwrite(&v, 2, 1, f); };
        std::fwrite("RIFF", 1, 4, f);
        u32(36 + bytes);
        std::fwrite("WAVEfmt ", 1, 8, f);
        u32(16);
        u16(1);
        u16(1);
        u32(8000);
        u32(16000);
        u16(2);
        u16(16);
        std::fwrite("data", 1, 4, f);
        u32(bytes);
        for (std::uint32_t i = 0; i < samples; ++i)
            u16(static_cast<std::uint16_t>(i * 300));
        std::fclose(f);
    }
    const auto audio = openFfmpegInput(wav, 320, 240);
    ASSERT_FALSE(audio);
    EXPECT_EQ(audio.error().code, Errc::unsupported);
    EXPECT_NE(audio.error().message.find("has no video stream"), std::string::npos);
}

TEST(StreamSdp, NamesTheCodecAndTheProfileOfTheSps) {
    const std::vector<std::uint8_t> sps = {0x67, 0x64, 0x00, 0x1f, 0xac};
    const std::vector<Nal> units = {sps};
    const auto sdp = streamSdp({Codec::h264, "127.0.0.1", 5004, 96, units});
    EXPECT_NE(sdp.find("m=video 5004 RTP/AVP 96\r\n"), std::string::npos);
    EXPECT_NE(sdp.find("a=rtpmap:96 H264/90000\r\n"), std::string::npos);
    EXPECT_NE(sdp.find("a=fmtp:96 packetization-mode=1;profile-level-id=64001f\r\n"),
              std::string::npos);
    const auto h265 = streamSdp({Codec::h265, "::1", 5006, 97, {}});
    EXPECT_NE(h265.find("c=IN IP6 ::1\r\n"), std::string::npos);
    EXPECT_NE(h265.find("a=rtpmap:97 H265/90000\r\n"), std::string::npos);
}

} // namespace
} // namespace sb::video
