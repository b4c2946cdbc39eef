// Bridged calls through rooms: each call the B2BUA bridges is a room of two legs that follows
// the call (ringing, connected, hold and back, closed), and the room ends the call when it
// hangs a leg up. Descriptions cross untouched here (no media anchor; session's tests cover it).
#include "app/bridged_rooms.hpp"
#include "support/b2bua_harness.hpp"

#include <gtest/gtest.h>

namespace sb::app {
namespace {

using test::parsed;

std::string sdp(int port, std::string_view direction = "sendrecv") {
    return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio " +
           std::to_string(port) + " RTP/AVP 0\r\na=" + std::string(direction) + "\r\n";
}

class BridgedRoomsTest : public test::B2buaHarness {
protected:
    BridgedRoomsTest() {
        make({}, [this](sip::B2buaOptions& o) { o.callRooms = &rooms_; });
        rooms_.use(*b2bua_);
    }
    ~BridgedRoomsTest() override { b2bua_.reset(); }

    const room::Room& room() {
        const room::Room* r = rooms_.roomOf(1);
        EXPECT_NE(r, nullptr);
        return *r;
    }
    // The caller's ACK for our 200.
    void ack(std::string_view toTag) {
        deliver(fmt::format("ACK sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKack\r\n"
                            "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\n"
                            "To: <sip:bob@127.0.0.1>;tag={}\r\n"
                            "Call-ID: c1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
                            toTag),
                5070);
    }

    BridgedRooms rooms_{nullptr};
};

TEST_F(BridgedRoomsTest, TheRoomFollowsTheCallFromRingingToHoldToItsEnd) {
    invite("bob", "X-IF-Trace-ID: 4bf92f3577b34da6a3ce929d0e0e4736\r\n", "z9hG4bKa1", "c1",
           sdp(4000));
    EXPECT_EQ(room().state(), room::RoomState::setup);
    EXPECT_EQ(room().traceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
    auto outbound = parsed(sender_.sent.back());
    respond(outbound, 180, "b1");
    EXPECT_EQ(room().state(), room::RoomState::ringing);
    respond(outbound, 200, "b1", {}, sdp(5000));
    EXPECT_EQ(room().state(), room::RoomState::connected);
    const std::string tag(parsed(sender_.replies.back()).to().tag());
    ack(tag);

    // The callee holds (a re-INVITE with sendonly); the caller answers recvonly.
    deliver(fmt::format("INVITE sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bKhold\r\n"
                        "From: {}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: 2 INVITE\r\n"
                        "Contact: <sip:bob@127.0.0.1:5090>\r\n",
                        "<sip:bob@127.0.0.1:5090>;tag=b1", outbound.from().text,
                        outbound.callId()) +
                body(sdp(5000, "sendonly")),
            5090);
    auto reinvite = parsed(sender_.sent.back());
    ASSERT_EQ(reinvite.method(), "INVITE");
    EXPECT_EQ(room().state(), room::RoomState::connected); // until it is answered
    respond(reinvite, 200, "a1", {}, sdp(4000, "recvonly"));
    EXPECT_EQ(room().state(), room::RoomState::hold);

    // The caller hangs up: the room closes and goes with the call.
    deliver(fmt::format("BYE sip:sb@127.0.0.1:5060 SIP/2.0\r\n"
                        "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKbye\r\n"
                        "From: <sip:alice@127.0.0.1:5070>;tag=a1\r\n"
                        "To: <sip:bob@127.0.0.1>;tag={}\r\n"
                        "Call-ID: c1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
                        tag),
            5070);
    respond(parsed(sender_.sent.back()), 200);
    expectIdle();
    EXPECT_EQ(rooms_.roomOf(1), nullptr);
    EXPECT_EQ(rooms_.stats().rooms, 0u);
    EXPECT_EQ(rooms_.stats().legs, 0u);
}

TEST_F(BridgedRoomsTest, ACallThatFailsClosesItsRoom) {
    invite("bob", "", "z9hG4bKa1", "c1", sdp(4000));
    respond(parsed(sender_.sent.back()), 486, "b1");
    expectIdle();
    EXPECT_EQ(rooms_.stats().rooms, 0u);
    EXPECT_EQ(rooms_.stats().legs, 0u);
}

TEST_F(BridgedRoomsTest, StoppingTheB2buaClosesEveryRoom) {
    invite("bob", "", "z9hG4bKa1", "c1", sdp(4000));
    respond(parsed(sender_.sent.back()), 200, "b1", {}, sdp(5000));
    ASSERT_EQ(rooms_.stats().legs, 2u);
    const std::size_t sent = sender_.sent.size();
    b2bua_.reset();
    EXPECT_EQ(rooms_.stats().rooms, 0u);
    EXPECT_EQ(rooms_.stats().legs, 0u);
    EXPECT_EQ(sender_.sent.size(), sent); // nothing is sent from a B2BUA that is going
}

} // namespace
} // namespace sb::app
