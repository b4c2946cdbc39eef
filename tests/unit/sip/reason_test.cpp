// RFC 3326's Reason header: a cause written, and read back from values as peers write them
// (several reason-values, spaces, a quoted text holding separators).
#include "sip/reason.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

TEST(Reason, ACauseIsWrittenAndReadBack) {
    EXPECT_EQ(reasonValue("Q.850", 17), "Q.850;cause=17");
    EXPECT_EQ(reasonCause(reasonValue("Q.850", 17), "Q.850"), 17);
    EXPECT_EQ(reasonCause("SIP;cause=200;text=\"Call completed elsewhere\"", "SIP"), 200);
}

TEST(Reason, TheProtocolAskedForIsFoundAmongSeveral) {
    const std::string_view value =
        "SIP;cause=487;text=\"cancelled, then; retried\", q.850 ; text=\"busy\" ; cause = 17";
    EXPECT_EQ(reasonCause(value, "Q.850"), 17);
    EXPECT_EQ(reasonCause(value, "SIP"), 487);
    EXPECT_EQ(reasonCause(value, "preemption"), std::nullopt);
}

TEST(Reason, AValueWithoutAUsableCauseGivesNone) {
    EXPECT_EQ(reasonCause("Q.850;text=\"none\"", "Q.850"), std::nullopt);
    EXPECT_EQ(reasonCause("Q.850;cause=1x", "Q.850"), std::nullopt);
    EXPECT_EQ(reasonCause("Q.850;cause=99999", "Q.850"), std::nullopt);
    EXPECT_EQ(reasonCause("Q.850;cause=-1", "Q.850"), std::nullopt);
    EXPECT_EQ(reasonCause("Q.850;text=\"unterminated;cause=17", "Q.850"), std::nullopt);
    EXPECT_EQ(reasonCause("", "Q.850"), std::nullopt);
}

// What a room's legs carry across a gateway: the Q.850 cause only, in one form.
TEST(Reason, TheQ850CauseIsWrittenInOneForm) {
    EXPECT_EQ(q850Reason("SIP;cause=200, Q.850 ; CAUSE=31;text=\"x\""), "Q.850;cause=31");
    EXPECT_EQ(q850Reason("SIP;cause=487"), "");
    EXPECT_EQ(q850Reason(""), "");
}

} // namespace
} // namespace sb::sip
