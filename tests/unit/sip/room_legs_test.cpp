// SIP legs for rooms: what the guard asks of a target's signalling (RFC 3261 §19.1).
#include "sip/room_legs.hpp"
#include "support/recording_sender.hpp"

#include <gtest/gtest.h>

namespace sb::sip {
namespace {

using namespace std::chrono_literals;

TEST(RoomLegs, SignallingIsSecureForSipsOrTransportTls) {
    auto now = net::TimerWheel::Clock::now();
    net::TimerWheel wheel([&] { return now; }, 10ms);
    test::RecordingSender sender;
    B2bua b2bua(wheel, sender, {});
    RoomLegs legs(b2bua, "<sip:switchboard@127.0.0.1>");
    EXPECT_TRUE(legs.securesSignalling("sips:alice@example.com"));
    EXPECT_TRUE(legs.securesSignalling("sip:alice@example.com;transport=TLS"));
    EXPECT_FALSE(legs.securesSignalling("sip:alice@example.com;transport=tcp"));
    EXPECT_FALSE(legs.securesSignalling("sip:alice@example.com"));
    EXPECT_FALSE(legs.securesSignalling("not a uri"));
}

} // namespace
} // namespace sb::sip
