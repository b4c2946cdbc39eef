#include "net/timer_wheel.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace sb::net {
namespace {

using namespace std::chrono_literals;
using Clock = TimerWheel::Clock;

struct WheelTest : testing::Test {
    Clock::time_point t0 = Clock::time_point(1h);
    Clock::time_point now = t0;
    TimerWheel wheel{[this] { return now; }, 10ms, 8}; // 8 slots of 10 ms: one lap is 80 ms
    std::vector<int> fired;

    void at(std::chrono::milliseconds offset) {
        now = t0 + offset;
        wheel.advance();
    }
    TimerWheel::TimerId add(std::chrono::milliseconds delay, int tag) {
        return wheel.schedule(delay, [this, tag] { fired.push_back(tag); });
    }
};

TEST_F(WheelTest, FiresNeverEarlyAndAtMostOneTickLate) {
    add(25ms, 1); // due at 25 ms: fires on the 30 ms tick
    at(29ms);
    EXPECT_TRUE(fired.empty());
    at(30ms);
    EXPECT_EQ(fired, std::vector<int>{1});
    EXPECT_EQ(wheel.pending(), 0u);
}

TEST_F(WheelTest, FiresInDeadlineOrderAcrossTicks) {
    add(50ms, 5);
    add(10ms, 1);
    add(30ms, 3);
    at(100ms);
    EXPECT_EQ(fired, (std::vector<int>{1, 3, 5}));
}

TEST_F(WheelTest, LongDelaysTakeLapsWithoutFiringEarly) {
    add(250ms, 9); // more than three laps of 80 ms; shares a slot with earlier ticks
    add(10ms, 1);
    at(240ms);
    EXPECT_EQ(fired, std::vector<int>{1});
    at(250ms);
    EXPECT_EQ(fired, (std::vector<int>{1, 9}));
}

TEST_F(WheelTest, CancelledTimersDoNotFireAndStaleIdsAreHarmless) {
    auto a = add(20ms, 1);
    add(20ms, 2);
    EXPECT_TRUE(wheel.cancel(a));
    EXPECT_FALSE(wheel.cancel(a));
    at(20ms);
    EXPECT_EQ(fired, std::vector<int>{2});
    auto b = add(10ms, 3); // may reuse a's slot in the pool
    EXPECT_FALSE(wheel.cancel(a)) << "an old id must not cancel the new timer";
    at(30ms);
    EXPECT_EQ(fired, (std::vector<int>{2, 3}));
    EXPECT_FALSE(wheel.cancel(b));
    EXPECT_FALSE(wheel.cancel({}));
}

TEST_F(WheelTest, CallbacksMayScheduleAndCancel) {
    TimerWheel::TimerId later;
    // Timer 1 re-arms itself once (as RFC 3261 Timer A does) and cancels timer 2, which was due
    // in the same tick; the timer it schedules may reuse timer 2's pool entry and must still
    // wait for its own deadline.
    bool rearmed = false;
    wheel.schedule(10ms, [&] {
        fired.push_back(1);
        wheel.cancel(later);
        if (!rearmed) {
            rearmed = true;
            add(20ms, 4);
        }
    });
    later = add(10ms, 2);
    at(10ms);
    EXPECT_EQ(fired, std::vector<int>{1});
    at(29ms);
    EXPECT_EQ(fired, std::vector<int>{1});
    at(30ms);
    EXPECT_EQ(fired, (std::vector<int>{1, 4}));
}

TEST_F(WheelTest, ZeroDelayFiresOnTheNextTickAndIdleTimeIsSkipped) {
    at(10s); // nothing pending: jumps ahead
    add(0ms, 7);
    at(10s);
    EXPECT_TRUE(fired.empty());
    at(10s + 10ms);
    EXPECT_EQ(fired, std::vector<int>{7});
}

TEST_F(WheelTest, ManyTimersAllFireOnce) {
    int count = 0;
    for (int i = 0; i < 10000; ++i)
        wheel.schedule(std::chrono::milliseconds(i % 1000), [&] { ++count; });
    EXPECT_EQ(wheel.pending(), 10000u);
    at(1010ms);
    EXPECT_EQ(count, 10000);
    EXPECT_EQ(wheel.pending(), 0u);
}

TEST_F(WheelTest, AnIdleWheelCountsANewDelayFromNowNotFromItsLastAdvance) {
    add(10ms, 1);
    at(10ms);
    // Nothing is scheduled for a long while, so nobody advances the wheel; then a timer is.
    now = t0 + 10s;
    add(100ms, 2);
    at(10s + 90ms);
    EXPECT_EQ(fired, std::vector<int>{1});
    at(10s + 100ms);
    EXPECT_EQ(fired, (std::vector<int>{1, 2}));
}

TEST_F(WheelTest, WakesItsDriverWhenAnEmptyWheelGetsATimer) {
    int wakes = 0;
    wheel.onWake([&] { ++wakes; });
    add(10ms, 1);
    add(20ms, 2);
    EXPECT_EQ(wakes, 1);
    at(20ms);
    add(10ms, 3);
    EXPECT_EQ(wakes, 2);
}

} // namespace
} // namespace sb::net
