#include "core/log.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace sb::log {
namespace {

TEST(Log, LevelsAreSetPerModuleAtRunTime) {
    EXPECT_TRUE(setLevel("test-a", "debug"));
    EXPECT_TRUE(setLevel("test-b", "error"));
    EXPECT_EQ(get("test-a").level(), spdlog::level::debug);
    EXPECT_EQ(get("test-b").level(), spdlog::level::err);
    EXPECT_FALSE(setLevel("test-a", "loud"));
    EXPECT_EQ(get("test-a").level(), spdlog::level::debug);
}

TEST(RateLimit, AllowsABurstPerWindow) {
    RateLimit limit(3, std::chrono::hours(1));
    std::uint64_t suppressed = 0;
    int allowed = 0;
    for (int i = 0; i < 10; ++i)
        allowed += limit.allow(suppressed) ? 1 : 0;
    EXPECT_EQ(allowed, 3);
}

TEST(RateLimit, ReportsWhatItSuppressedWhenTheNextWindowOpens) {
    // A window of 20 ms; the sleep only has to outlast it (correctness, not speed).
    RateLimit limit(1, std::chrono::milliseconds(20));
    std::uint64_t suppressed = 99;
    ASSERT_TRUE(limit.allow(suppressed));
    EXPECT_EQ(suppressed, 0u);
    for (int i = 0; i < 4; ++i)
        EXPECT_FALSE(limit.allow(suppressed));
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    ASSERT_TRUE(limit.allow(suppressed));
    EXPECT_EQ(suppressed, 4u);
}

} // namespace
} // namespace sb::log
