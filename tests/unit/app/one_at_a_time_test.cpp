#include "app/one_at_a_time.hpp"

#include <gtest/gtest.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace sb::app {
namespace {

TEST(OneAtATime, AJobStartsOnlyOnceTheOneBeforeItHasFinished) {
    OneAtATime queue;
    std::vector<std::string> log;
    OneAtATime::Next finishFirst;
    queue.run([&](OneAtATime::Next next) {
        log.emplace_back("first starts");
        finishFirst = std::move(next); // it goes on asynchronously
    });
    queue.run([&](const OneAtATime::Next& next) {
        log.emplace_back("second");
        next();
    });
    EXPECT_EQ(log, std::vector<std::string>{"first starts"});
    EXPECT_EQ(queue.waiting(), 1u);
    finishFirst();
    EXPECT_EQ(log, (std::vector<std::string>{"first starts", "second"}));
    EXPECT_EQ(queue.waiting(), 0u);
}

TEST(OneAtATime, AJobThatThrowsDoesNotStopTheQueue) {
    OneAtATime queue;
    bool ran = false;
    EXPECT_THROW(queue.run([](const OneAtATime::Next&) { throw std::runtime_error("bug"); }),
                 std::runtime_error);
    queue.run([&](const OneAtATime::Next& next) {
        ran = true;
        next();
    });
    EXPECT_TRUE(ran);
}

} // namespace
} // namespace sb::app
