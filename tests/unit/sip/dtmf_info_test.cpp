#include "sip/dtmf_info.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using std::chrono::milliseconds;

TEST(DtmfInfo, ReadsDtmfRelayBodies) {
    auto d = parseDtmfInfo("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->digit, '5');
    EXPECT_EQ(d->duration, milliseconds(160));
    d = parseDtmfInfo("Application/DTMF-Relay; x=1", "signal = #\nduration= 9999\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->digit, '#');
    EXPECT_EQ(d->duration, milliseconds(5000)); // kept within 40 ms – 5 s
    d = parseDtmfInfo("application/dtmf-relay", "Signal=10\r\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->digit, '*');
    EXPECT_EQ(d->duration, milliseconds(250)); // none given
}

TEST(DtmfInfo, ReadsBareDtmfBodies) {
    auto d = parseDtmfInfo("application/dtmf", "b\r\n");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->digit, 'B');
}

TEST(DtmfInfo, RefusesWhatIsNotADigit) {
    EXPECT_FALSE(parseDtmfInfo("application/dtmf-relay", "Signal=E\r\n"));
    EXPECT_FALSE(parseDtmfInfo("application/dtmf-relay", "Duration=100\r\n"));
    EXPECT_FALSE(parseDtmfInfo("application/dtmf-relay", "Signal=55\r\n"));
    EXPECT_FALSE(parseDtmfInfo("application/sdp", "Signal=5\r\n"));
    EXPECT_FALSE(parseDtmfInfo("application/dtmf", ""));
}

TEST(DtmfInfo, WritesDtmfRelayBodies) {
    EXPECT_EQ(dtmfRelayBody({'7', milliseconds(120)}), "Signal=7\r\nDuration=120\r\n");
}

} // namespace
} // namespace sb::sip
