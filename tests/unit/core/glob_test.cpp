#include "core/glob.hpp"
#include "core/weekly_window.hpp"

#include <gtest/gtest.h>
#include <string>

namespace sb {
namespace {

TEST(Glob, Matches) {
    EXPECT_TRUE(globMatch("*", ""));
    EXPECT_TRUE(globMatch("*", "anything"));
    EXPECT_TRUE(globMatch("support-*", "support-1"));
    EXPECT_TRUE(globMatch("support-*", "support-"));
    EXPECT_FALSE(globMatch("support-*", "support"));
    EXPECT_TRUE(globMatch("b?b", "bob"));
    EXPECT_FALSE(globMatch("b?b", "bb"));
    EXPECT_TRUE(globMatch("*ill*g*", "billing"));
    EXPECT_TRUE(globMatch("a*b*c", "aXbYbZc"));
    EXPECT_FALSE(globMatch("a*b*c", "aXbYbZ"));
    EXPECT_FALSE(globMatch("Billing", "billing")); // case-sensitive
    EXPECT_TRUE(globMatch("a*", "a*"));
    EXPECT_FALSE(globMatch("", "a"));
    // The last star only: no exponential backtracking on a long near-miss.
    EXPECT_FALSE(globMatch("*a*a*a*a*a*a*a*a*b", std::string(10000, 'a')));
}

TEST(Glob, Validation) {
    EXPECT_FALSE(globProblem("support-*"));
    EXPECT_FALSE(globProblem("topic with spaces?"));
    EXPECT_TRUE(globProblem(""));
    EXPECT_TRUE(globProblem("bill[ab]"));
    EXPECT_TRUE(globProblem("{a,b}"));
    EXPECT_TRUE(globProblem("a\\*"));
    EXPECT_TRUE(globProblem("tab\there"));
    EXPECT_TRUE(globProblem(std::string(257, 'a')));
    EXPECT_EQ(globSpecificity("billing-eu*"), 10u);
    EXPECT_EQ(globSpecificity("*"), 0u);
}

TEST(WeeklyWindow, ClockAndDays) {
    EXPECT_EQ(parseClock("08:30", false), 510);
    EXPECT_EQ(parseClock("24:00", true), 1440);
    EXPECT_FALSE(parseClock("24:00", false));
    EXPECT_FALSE(parseClock("24:01", true));
    EXPECT_FALSE(parseClock("8:30", false));
    EXPECT_FALSE(parseClock("08:60", false));
    EXPECT_EQ(formatClock(510), "08:30");
    EXPECT_EQ(formatClock(1440), "24:00");
    EXPECT_EQ(parseWeekday("sun"), 0u);
    EXPECT_EQ(parseWeekday("sat"), 6u);
    EXPECT_FALSE(parseWeekday("Mon"));
    EXPECT_EQ(weekdayNames(0b1000001), (std::vector<std::string_view>{"sat", "sun"}));
}

TEST(WeeklyWindow, Contains) {
    const WeeklyWindow office{0b0111110, 8 * 60, 18 * 60}; // Mon–Fri
    EXPECT_TRUE(office.contains(1, 8 * 60));
    EXPECT_FALSE(office.contains(1, 18 * 60));
    EXPECT_FALSE(office.contains(0, 12 * 60));
    const WeeklyWindow night{1 << 6, 22 * 60, 6 * 60}; // Saturday night
    EXPECT_TRUE(night.contains(6, 23 * 60));
    EXPECT_TRUE(night.contains(0, 5 * 60));
    EXPECT_FALSE(night.contains(6, 5 * 60));
    EXPECT_FALSE(night.contains(0, 23 * 60));
    EXPECT_TRUE((WeeklyWindow{}).contains(3, 0));
}

} // namespace
} // namespace sb
