// The NDI loader against stand-ins for the runtime (tests/support/fake_ndi_runtime.cpp): it
// proves our side of the interface only — the search, the load function, the table's places,
// the frames' conversion — since NDI's own runtime is proprietary and not installed here.
#include "video/ndi_runtime.hpp"
#include "video/source.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <gtest/gtest.h>

namespace sb::video {
namespace {

// Points NDI_RUNTIME_DIR_V6 at a folder for the test's length.
struct RuntimeDir {
    explicit RuntimeDir(const std::string& dir) { setenv("NDI_RUNTIME_DIR_V6", dir.c_str(), 1); }
    ~RuntimeDir() { unsetenv("NDI_RUNTIME_DIR_V6"); }
};
std::string stand_in(int kind) {
    return SB_FAKE_NDI_DIR + std::to_string(kind);
}

TEST(NdiRuntime, WithoutOneTheErrorSaysWhatToInstall) {
    RuntimeDir dir("/nonexistent");
    auto runtime = NdiRuntime::load();
    if (runtime) GTEST_SKIP() << "an NDI runtime is installed here: " << (*runtime)->file();
    EXPECT_EQ(runtime.error().code, Errc::unsupported);
    EXPECT_NE(runtime.error().message.find("NDI_RUNTIME_DIR_V6"), std::string::npos);
    EXPECT_NE(runtime.error().message.find("https://ndi.video/"), std::string::npos);
    EXPECT_NE(runtime.error().message.find("/nonexistent/libndi.so.6"), std::string::npos);
    const auto source = openNdiSource("TESTHOST (Belt Camera)", 320, 240);
    ASSERT_FALSE(source);
    EXPECT_NE(source.error().message.find("no NDI runtime"), std::string::npos);
}

TEST(NdiRuntime, AWrongOrPartialLibraryIsNamedAndNothingCrashes) {
    {
        RuntimeDir dir(stand_in(1));
        auto runtime = NdiRuntime::load();
        ASSERT_FALSE(runtime);
        EXPECT_NE(runtime.error().message.find("has no NDIlib_v6_load"), std::string::npos)
            << runtime.error().message;
    }
    {
        RuntimeDir dir(stand_in(2));
        auto runtime = NdiRuntime::load();
        ASSERT_FALSE(runtime);
        EXPECT_NE(runtime.error().message.find("entry 84 of its table is empty"), std::string::npos)
            << runtime.error().message;
    }
}

TEST(NdiRuntime, TheStandInsSourcesAreFoundAndItsFramesConverted) {
    RuntimeDir dir(stand_in(0));
    auto runtime = NdiRuntime::load();
    ASSERT_TRUE(runtime) << runtime.error().message;
    EXPECT_NE((*runtime)->version().find("stand-in"), std::string::npos);
    const auto sources = (*runtime)->sources(100);
    ASSERT_EQ(sources.size(), 1u);
    EXPECT_EQ(sources[0].name, "TESTHOST (Belt Camera)");
    EXPECT_EQ(sources[0].url, "127.0.0.1:5961");

    auto source = openSource("ndi:TESTHOST (Belt Camera)", 320, 240, 30, "");
    ASSERT_TRUE(source) << source.error().message;
    EXPECT_EQ((*source)->describe(), "ndi:TESTHOST (Belt Camera)");
    std::vector<std::uint8_t> first;
    for (int n = 0; n < 3; ++n) {
        auto picture = (*source)->next();
        ASSERT_TRUE(picture && *picture) << (picture ? "none" : picture.error().message);
        const AVFrame& f = *(*picture)->frame;
        ASSERT_EQ(f.width, 320);
        ASSERT_EQ(f.height, 240);
        // The ramp, scaled: dark on the left, brighter to the right, grey chroma.
        const std::uint8_t* row = f.data[0] + 120 * f.linesize[0];
        EXPECT_NE(row[10], row[200]);
        EXPECT_NEAR(f.data[1][60 * f.linesize[1] + 80], 128, 2);
        if (n == 0)
            first.assign(row, row + 320);
        else
            EXPECT_NE(std::vector<std::uint8_t>(row, row + 320), first) << "it moves";
    }
    // Its sound (the stand-in's 1 kHz tone, stereo planar floats at 48 kHz, after each picture):
    // mono 16-bit at 48 kHz, 1600 samples a picture, each block with its capture time.
    EXPECT_TRUE((*source)->hasSound());
    const auto sound = (*source)->takeSound();
    std::size_t samples = 0;
    int loudest = 0;
    for (const auto& block : sound) {
        samples += block.samples.size();
        for (auto v : block.samples)
            loudest = std::max(loudest, std::abs(int{v}));
        EXPECT_GT(block.captureMicros, 0);
    }
    EXPECT_NEAR(static_cast<double>(samples), 3 * 1600, 64);
    EXPECT_GT(loudest, 32767 / 8);
}

TEST(NdiRuntime, ASourceTheRuntimeDoesNotHaveFailsItsReadNotTheProcess) {
    RuntimeDir dir(stand_in(0));
    auto source = openSource("ndi:ELSEWHERE (Nothing)", 320, 240, 30, "");
    ASSERT_TRUE(source) << source.error().message; // NDI connects lazily, as the real one does
    auto picture = (*source)->next();
    ASSERT_FALSE(picture);
    EXPECT_EQ(picture.error().code, Errc::closed);
    EXPECT_NE(picture.error().message.find("sent nothing"), std::string::npos);
}

TEST(NdiRuntime, AReadWaitingForASilentSourceEndsWhenItsLegStops) {
    RuntimeDir dir(stand_in(0));
    const std::atomic<bool> stop{true};
    auto source = openSource("ndi:ELSEWHERE (Nothing)", 320, 240, 30, "", &stop);
    ASSERT_TRUE(source) << source.error().message;
    auto picture = (*source)->next();
    ASSERT_FALSE(picture);
    EXPECT_EQ(picture.error().code, Errc::closed);
    EXPECT_EQ(picture.error().message, "NDI source ELSEWHERE (Nothing): stopped");
}

} // namespace
} // namespace sb::video
