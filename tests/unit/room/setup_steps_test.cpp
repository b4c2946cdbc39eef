#include "room/setup_steps.hpp"

#include <gtest/gtest.h>
#include <memory>
#include <vector>

namespace sb::room {
namespace {

TEST(SetupSteps, TeardownRunsEveryUndoOnceNewestFirst) {
    std::vector<int> log;
    {
        SetupSteps setup;
        for (int i = 0; i < 3; ++i)
            setup.add([&log, i] { log.push_back(i); });
        EXPECT_EQ(setup.steps(), 3u);
        setup.unwind();
        setup.unwind();
        EXPECT_EQ(setup.steps(), 0u);
    }
    EXPECT_EQ(log, (std::vector<int>{2, 1, 0}));
}

TEST(SetupSteps, TheDestructorUnwinds) {
    int undone = 0;
    {
        SetupSteps setup;
        setup.add([&] { ++undone; });
    }
    EXPECT_EQ(undone, 1);
}

TEST(SetupSteps, AnUndoThatEndsItsOwnerRunsOnce) {
    int undone = 0;
    auto owner = std::make_unique<SetupSteps>();
    owner->add([&] { ++undone; });
    owner->add([&] { owner.reset(); }); // the owner goes, and unwinds again, mid-unwind
    owner->unwind();
    EXPECT_EQ(undone, 1);
}

} // namespace
} // namespace sb::room
