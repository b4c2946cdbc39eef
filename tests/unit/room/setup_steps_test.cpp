#include "room/setup_steps.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace sb::room {
namespace {

TEST(SetupSteps, AFailingStepUndoesTheEarlierOnesNewestFirstAndNamesItself) {
    std::vector<std::string> log;
    SetupSteps setup;
    auto ok = [](const char*) { return [] { return Result<void>(); }; };
    ASSERT_TRUE(setup.step("ports", ok("ports"), [&] { log.emplace_back("-ports"); }));
    ASSERT_TRUE(setup.step("codec", ok("codec"), [&] { log.emplace_back("-codec"); }));
    auto failed = setup.step(
        "call", [] { return Result<void>(fail(Errc::io, "no route")); },
        [&] { log.emplace_back("-call"); });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "call: no route");
    EXPECT_EQ(failed.error().code, Errc::io);
    EXPECT_EQ(log, (std::vector<std::string>{"-codec", "-ports"}));
    EXPECT_EQ(setup.steps(), 0u);
}

TEST(SetupSteps, TeardownRunsEveryUndoOnceNewestFirst) {
    std::vector<int> log;
    {
        SetupSteps setup;
        for (int i = 0; i < 3; ++i)
            ASSERT_TRUE(setup.step(
                "step", [] { return Result<void>(); }, [&log, i] { log.push_back(i); }));
        setup.unwind();
        setup.unwind();
    }
    EXPECT_EQ(log, (std::vector<int>{2, 1, 0}));
}

TEST(SetupSteps, TheDestructorUnwindsAndReleaseForgets) {
    int undone = 0;
    {
        SetupSteps setup;
        ASSERT_TRUE(setup.step(
            "a", [] { return Result<void>(); }, [&] { ++undone; }));
    }
    EXPECT_EQ(undone, 1);
    {
        SetupSteps setup;
        ASSERT_TRUE(setup.step(
            "a", [] { return Result<void>(); }, [&] { ++undone; }));
        setup.release();
    }
    EXPECT_EQ(undone, 1);
}

} // namespace
} // namespace sb::room
