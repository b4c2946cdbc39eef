#include "core/log.hpp"

#include <gtest/gtest.h>

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

TEST(RateLimit, AllowsBurstThenSuppressesAndCounts) {
    RateLimit limit(3, std::chrono::hours(1));
    std::uint64_t suppressed = 0;
    int allowed = 0;
    for (int i = 0; i < 10; ++i)
        allowed += limit.allow(suppressed) ? 1 : 0;
    EXPECT_EQ(allowed, 3);
}

TEST(RateLimit, ReportsSuppressedCountWhenWindowReopens) {
    RateLimit limit(1, std::chrono::milliseconds(0));
    std::uint64_t suppressed = 99;
    EXPECT_TRUE(limit.allow(suppressed));
    EXPECT_EQ(suppressed, 0u);
}

} // namespace
} // namespace sb::log
