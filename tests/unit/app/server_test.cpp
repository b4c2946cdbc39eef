#include "app/server.hpp"
#include "core/log.hpp"

#include <chrono>
#include <csignal>
#include <future>
#include <gtest/gtest.h>
#include <thread>

namespace sb::app {
namespace {

using namespace std::chrono_literals;

// Runs server.run() on a thread and reports whether it returned within a bound, so that a
// broken stop() fails the test instead of hanging it.
bool runReturnsWithin(Server& server, std::chrono::seconds bound) {
    auto done = std::async(std::launch::async, [&] { server.run(); });
    return done.wait_for(bound) == std::future_status::ready;
}

TEST(Server, StopFromAnotherThreadEndsRun) {
    Server server(defaultConfig());
    ASSERT_TRUE(server.start());
    std::thread stopper([&] {
        std::this_thread::sleep_for(50ms);
        server.stop();
    });
    EXPECT_TRUE(runReturnsWithin(server, 10s));
    stopper.join();
}

TEST(Server, StopBeforeRunEndsRunAtOnce) {
    Server server(defaultConfig());
    ASSERT_TRUE(server.start());
    server.stop();
    server.stop(); // twice is harmless
    EXPECT_TRUE(runReturnsWithin(server, 10s));
}

TEST(Server, SigtermEndsRun) {
    Server server(defaultConfig());
    ASSERT_TRUE(server.start());
    std::raise(SIGTERM); // caught by the server's signal_set, delivered once run() runs
    EXPECT_TRUE(runReturnsWithin(server, 10s));
}

TEST(Server, RunWithoutStartReturns) {
    Server server(defaultConfig());
    EXPECT_TRUE(runReturnsWithin(server, 10s));
}

TEST(Server, StartAppliesTheLogConfiguration) {
    Config config = defaultConfig();
    config.log.level = "warning";
    config.log.modules = {{"sip", "debug"}};
    Server server(std::move(config));
    ASSERT_TRUE(server.start());
    EXPECT_EQ(log::get("sip").level(), spdlog::level::debug);
    EXPECT_EQ(log::get("app").level(), spdlog::level::warn);
    EXPECT_FALSE(server.start()) << "a second start() is refused";
    server.stop();
    EXPECT_TRUE(runReturnsWithin(server, 10s));
    ASSERT_TRUE(log::setDefaultLevel("info"));
}

TEST(Server, StartRejectsAnUnknownLevel) {
    Config config = defaultConfig();
    config.log.level = "loud";
    Server server(std::move(config));
    auto started = server.start();
    ASSERT_FALSE(started);
    EXPECT_EQ(started.error().code, Errc::config);
}

} // namespace
} // namespace sb::app
