// Q.850 causes and SIP (RFC 3398, RFC 3326): the tables both ways, causes by class, and the
// Reason header written and read, with what a peer may put around it.
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

TEST(Q850, TheReasonHeaderCarriesTheCauseEitherWay) {
    EXPECT_EQ(reasonHeader(17), "Q.850;cause=17");
    EXPECT_EQ(causeInReason(reasonHeader(17)), 17);
    EXPECT_EQ(causeInReason("SIP;cause=200;text=\"Call completed elsewhere\", "
                            "q.850 ; text=\"busy\" ; cause = 17"),
              17);
    EXPECT_EQ(causeInReason("SIP;cause=487"), std::nullopt);
    EXPECT_EQ(causeInReason("Q.850;text=\"none\""), std::nullopt);
    EXPECT_EQ(causeInReason("Q.850;cause=300"), std::nullopt);
    EXPECT_EQ(causeInReason("Q.850;cause=1x"), std::nullopt);
    EXPECT_EQ(causeInReason(""), std::nullopt);
}

} // namespace
} // namespace sb::h323
