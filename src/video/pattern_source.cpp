#include "core/clock.hpp"
#include "video/source.hpp"
#include "video/test_pattern.hpp"

#include <chrono>
#include <thread>

namespace sb::video {
namespace {

// Paced as a camera is: picture n is ready at the start plus n frame periods, and one that
// the caller was too late to take is skipped, not sent in a burst after.
class PatternSource final : public Source {
public:
    PatternSource(int width, int height, int fps, std::string traceId, int flashEvery)
        : pattern_(width, height, traceId, flashEvery), fps_(fps),
          picture_(allocatePicture(width, height)), width_(width), height_(height),
          traceId_(std::move(traceId)), flashEvery_(flashEvery) {}

    Result<std::optional<Picture>> next() override {
        if (!picture_) return fail(Errc::io, "out of memory for a test pattern picture");
        const auto now = std::chrono::steady_clock::now();
        const auto period = std::chrono::microseconds(1000000 / fps_);
        if (!started_ || now > due() + period) { // a camera drops what it could not send
            start_ = now;
            paced_ = 0;
            started_ = true;
        }
        std::this_thread::sleep_until(due());
        ++paced_;
        const std::int64_t capture = unixTimeMicros();
        pattern_.draw(*picture_, count_++, capture);
        return std::optional<Picture>(Picture{picture_.get(), capture});
    }
    std::string describe() const override {
        return "test pattern " + std::to_string(width_) + "x" + std::to_string(height_);
    }
    void resize(int width, int height) override {
        pattern_ = TestPattern(width, height, traceId_, flashEvery_);
        picture_ = allocatePicture(width, height);
        width_ = width;
        height_ = height;
    }

private:
    TestPattern pattern_;
    int fps_;
    FramePtr picture_;
    int width_, height_;
    std::string traceId_;
    int flashEvery_;
    std::chrono::steady_clock::time_point due() const {
        return start_ + std::chrono::microseconds(paced_ * 1000000 / static_cast<unsigned>(fps_));
    }

    std::uint64_t count_ = 0; // pictures drawn: the pattern's frame number
    std::uint64_t paced_ = 0; // pictures since start_
    bool started_ = false;
    std::chrono::steady_clock::time_point start_;
};

} // namespace

Result<std::unique_ptr<Source>> openSource(const std::string& url, int width, int height, int fps,
                                           const std::string& traceId,
                                           const std::atomic<bool>* stop) {
    if (url.empty() || url == "pattern") return openTestPattern(width, height, fps, traceId);
    if (url.starts_with("ndi:")) return openNdiSource(url.substr(4), width, height, stop);
    return openFfmpegInput(url, width, height, true, stop);
}

std::unique_ptr<Source> openTestPattern(int width, int height, int fps, std::string traceId,
                                        int flashEvery) {
    return std::make_unique<PatternSource>(width, height, fps, std::move(traceId), flashEvery);
}

} // namespace sb::video
