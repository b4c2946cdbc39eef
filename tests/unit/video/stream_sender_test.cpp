// The sender while its source is away (video/stream_sender.hpp): the last picture goes on at the
// frame rate while the source is opened again, however long that opening takes.
#include "video/datagram_socket.hpp"
#include "video/encoder.hpp"
#include "video/source.hpp"
#include "video/stream_sender.hpp"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>

namespace sb::video {
namespace {

using namespace std::chrono_literals;

// The test pattern for a few pictures, then an input that has failed.
class FailingSource final : public Source {
public:
    FailingSource() : pattern_(openTestPattern(320, 240, 30, "")) {}
    Result<std::optional<Picture>> next() override {
        if (++pictures_ > 3) return fail(Errc::closed, "the camera stopped sending");
        return pattern_->next();
    }
    std::string describe() const override { return "a camera that stops"; }
    void resize(int width, int height) override { pattern_->resize(width, height); }

private:
    std::unique_ptr<Source> pattern_;
    int pictures_ = 0;
};

// A camera that takes as long as the whole test to open (until the leg stops) must not stop the
// repeated picture: at 30 a second for two seconds, about 60 of them (10 is the bar, for a busy
// machine); an opening on the sender's own thread let through none.
TEST(StreamSender, TheLastPictureGoesOnWhileTheSourceIsOpenedAgain) {
    auto receiver = DatagramSocket::bind("127.0.0.1");
    ASSERT_TRUE(receiver) << receiver.error().message;
    auto rtp = DatagramSocket::to("127.0.0.1", receiver->localPort());
    ASSERT_TRUE(rtp) << rtp.error().message;
    EncoderSettings settings;
    settings.width = 320;
    settings.height = 240;
    settings.bitrateKbps = 300;
    auto encoder = Encoder::open(settings);
    ASSERT_TRUE(encoder) << encoder.error().message;

    std::atomic<bool> stop{false}, degraded{false};
    StreamTarget target;
    target.rtp = &*rtp;
    target.cname = "test";
    StreamOptions options;
    options.stop = &stop;
    options.degraded = [&](const std::string&) { degraded = true; };
    options.reopen = [&]() -> Result<std::unique_ptr<Source>> {
        while (!stop)
            std::this_thread::sleep_for(10ms);
        return fail(Errc::io, "the camera never answered");
    };
    std::thread stopper([&] {
        for (int i = 0; i < 500 && !degraded; ++i)
            std::this_thread::sleep_for(10ms);
        std::this_thread::sleep_for(2s);
        stop = true;
    });
    auto report = sendStream(std::make_unique<FailingSource>(), **encoder, target, options);
    stopper.join();
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(degraded);
    EXPECT_GE(report->repeated, 10u);
}

} // namespace
} // namespace sb::video
