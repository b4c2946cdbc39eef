// Q.850 causes and SIP statuses (RFC 3398): the tables both ways, and causes by class.
#include "h323/q850.hpp"

#include <gtest/gtest.h>

namespace sb::h323 {
namespace {

TEST(Q850, CausesBecomeTheResponsesRfc3398Names) {
    EXPECT_EQ(sipStatusOf(16), 0) << "normal clearing is a BYE's";
    EXPECT_EQ(sipStatusOf(1), 404);
    EXPECT_EQ(sipStatusOf(17), 486);
    EXPECT_EQ(sipStatusOf(18), 408);
    EXPECT_EQ(sipStatusOf(19), 480);
    EXPECT_EQ(sipStatusOf(21), 403);
    EXPECT_EQ(sipStatusOf(34), 503);
    EXPECT_EQ(sipStatusOf(65), 488);
    EXPECT_EQ(sipStatusOf(79), 501);
    EXPECT_EQ(sipStatusOf(102), 504);
    EXPECT_EQ(sipStatusOf(127), 500);
    // Left out of the table: by class.
    EXPECT_EQ(sipStatusOf(30), 480);
    EXPECT_EQ(sipStatusOf(44), 503);
    EXPECT_EQ(sipStatusOf(66), 501);
    EXPECT_EQ(sipStatusOf(95), 500);
}

TEST(Q850, ResponsesBecomeTheCausesRfc3398Names) {
    EXPECT_EQ(causeOf(404), 1);
    EXPECT_EQ(causeOf(486), 17);
    EXPECT_EQ(causeOf(480), 18);
    EXPECT_EQ(causeOf(603), 21);
    EXPECT_EQ(causeOf(408), 102);
    EXPECT_EQ(causeOf(503), 41);
    EXPECT_EQ(causeOf(487), 16);
    EXPECT_EQ(causeOf(488), 65);
    EXPECT_EQ(causeOf(499), 127) << "one the table leaves out: interworking";
    for (int status : {404, 486, 603, 408, 484})
        EXPECT_EQ(causeOf(sipStatusOf(causeOf(status))), causeOf(status)) << status;
}

// A cause crosses a gateway as RFC 3326 writes it; only that exact form is read back.
TEST(Q850, ACauseCrossesAsAReasonValue) {
    EXPECT_EQ(reasonOf(17), "Q.850;cause=17");
    EXPECT_EQ(q850Of(reasonOf(17)), 17);
    EXPECT_EQ(q850Of("Q.850;cause=127"), 127);
    for (std::string_view bad :
         {"", "Q.850;cause=", "Q.850;cause=128", "Q.850;cause=17;text=x", "SIP;cause=486",
          "q.850;cause=16", "Q.850;cause=-1", "Q.850;cause=017"})
        EXPECT_FALSE(q850Of(bad)) << bad;
}

} // namespace
} // namespace sb::h323
