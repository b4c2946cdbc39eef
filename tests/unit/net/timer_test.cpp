#include "net/timer.hpp"
#include "support/run_until.hpp"

#include <gtest/gtest.h>
#include <thread>

namespace sb::net {
namespace {

using namespace std::chrono_literals;

TEST(Timer, FiresOnce) {
    asio::io_context io;
    Timer t(io);
    int fired = 0;
    t.after(5ms, [&] { ++fired; });
    EXPECT_TRUE(t.armed());
    EXPECT_TRUE(test::runUntil(io, [&] { return fired == 1; }));
    EXPECT_FALSE(t.armed());
    io.restart();
    io.run_for(20ms);
    EXPECT_EQ(fired, 1);
}

TEST(Timer, CancelAndRearm) {
    asio::io_context io;
    Timer t(io);
    int first = 0, second = 0;
    t.after(5ms, [&] { ++first; });
    t.cancel();
    t.after(5ms, [&] { ++second; });
    t.after(10ms, [&] { second += 10; }); // replaces the previous callback
    io.run_for(50ms);
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 10);
}

TEST(Timer, DestroyedTimerNeverCallsBack) {
    asio::io_context io;
    int fired = 0;
    {
        Timer t(io);
        t.after(1ms, [&] { ++fired; });
    }
    io.run_for(20ms);
    EXPECT_EQ(fired, 0);
}

// Both timers expire before the loop runs, so both handlers are queued together; the first to
// run destroys the other Timer, whose queued handler must then do nothing.
TEST(Timer, QueuedCallbackOfADestroyedTimerDoesNotRun) {
    asio::io_context io;
    auto a = std::make_unique<Timer>(io);
    auto b = std::make_unique<Timer>(io);
    int ran = 0;
    a->after(1ms, [&] {
        ++ran;
        b.reset();
    });
    b->after(1ms, [&] {
        ++ran;
        a.reset();
    });
    std::this_thread::sleep_for(10ms);
    io.run_for(30ms);
    EXPECT_EQ(ran, 1);
}

TEST(Timer, CallbackMayDestroyItsOwnTimer) {
    asio::io_context io;
    auto t = std::make_unique<Timer>(io);
    bool ran = false;
    t->after(1ms, [&] {
        ran = true;
        t.reset();
    });
    EXPECT_TRUE(test::runUntil(io, [&] { return ran; }));
    EXPECT_EQ(t, nullptr);
}

} // namespace
} // namespace sb::net
