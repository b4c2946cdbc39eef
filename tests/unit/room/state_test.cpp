#include "room/state.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace sb::room {
namespace {

using enum LegState;

RoomState of(std::vector<LegSummary> legs) {
    return roomState(legs);
}

LegSummary essential(LegState s) {
    return {s, Role::essential};
}
LegSummary bridge(LegState s) {
    return {s, Role::bridge};
}

TEST(RoomState, Rule1AnEssentialLegFailedFailsTheRoom) {
    EXPECT_EQ(of({essential(failed), essential(connected)}), RoomState::failed);
    EXPECT_EQ(of({essential(failed), essential(disconnecting)}), RoomState::failed);
}

TEST(RoomState, Rule2ALegDisconnectingTakesTheRoomDown) {
    EXPECT_EQ(of({essential(disconnecting), essential(connected)}), RoomState::disconnecting);
    EXPECT_EQ(of({essential(disconnecting), essential(hold)}), RoomState::disconnecting);
}

TEST(RoomState, Rule3EveryLegConnected) {
    EXPECT_EQ(of({essential(connected), bridge(connected)}), RoomState::connected);
    EXPECT_EQ(of({essential(connected), essential(closed)}), RoomState::connected);
}

TEST(RoomState, Rule4ALegOnHold) {
    EXPECT_EQ(of({essential(hold), bridge(connected)}), RoomState::hold);
    EXPECT_EQ(of({essential(hold), essential(ringing)}), RoomState::hold);
}

TEST(RoomState, Rule5ALegRinging) {
    EXPECT_EQ(of({essential(ringing), essential(setup)}), RoomState::ringing);
    EXPECT_EQ(of({essential(ringing), essential(connected)}), RoomState::ringing);
}

TEST(RoomState, Rule6OtherwiseSetup) {
    EXPECT_EQ(of({essential(setup)}), RoomState::setup);
    EXPECT_EQ(of({essential(connected), bridge(setup)}), RoomState::setup);
}

TEST(RoomState, TheFirstRuleThatAppliesWins) {
    // 1 before 2, 2 before 3-5, 4 before 5.
    EXPECT_EQ(of({essential(failed), essential(disconnecting), essential(ringing)}),
              RoomState::failed);
    EXPECT_EQ(of({essential(disconnecting), essential(hold), essential(ringing)}),
              RoomState::disconnecting);
    EXPECT_EQ(of({essential(hold), essential(ringing)}), RoomState::hold);
}

TEST(RoomState, AFailedBridgeDegradesTheRoomAndNothingMore) {
    EXPECT_EQ(of({essential(connected), bridge(failed)}), RoomState::degraded);
    EXPECT_EQ(of({essential(hold), bridge(failed)}), RoomState::degraded);
    EXPECT_EQ(of({essential(ringing), bridge(failed)}), RoomState::ringing);
    // A bridge that leaves does not take the room with it.
    EXPECT_EQ(of({essential(connected), bridge(disconnecting)}), RoomState::connected);
}

TEST(RoomState, ADegradedLegDegradesTheRoom) {
    EXPECT_EQ(of({essential(connected), bridge(degraded)}), RoomState::degraded);
    EXPECT_EQ(of({essential(hold), bridge(degraded)}), RoomState::degraded);
    EXPECT_EQ(of({essential(ringing), bridge(degraded)}), RoomState::ringing);
    EXPECT_EQ(of({essential(connected), bridge(degraded), bridge(disconnecting)}),
              RoomState::degraded);
}

TEST(RoomState, ABridgeHasItsOwnWordsForItsStates) {
    EXPECT_EQ(bridgeStateName(setup), "idle");
    EXPECT_EQ(bridgeStateName(ringing), "connecting");
    EXPECT_EQ(bridgeStateName(connected), "active");
    EXPECT_EQ(bridgeStateName(degraded), "degraded");
    EXPECT_EQ(bridgeStateName(failed), "failed");
    EXPECT_EQ(bridgeStateName(closed), "closed");
    EXPECT_EQ(legStateByName("degraded"), degraded);
}

TEST(RoomState, ARoomWithNoLiveLegIsClosed) {
    EXPECT_EQ(of({}), RoomState::closed);
    EXPECT_EQ(of({essential(closed), essential(closed)}), RoomState::closed);
    EXPECT_EQ(of({essential(closed), bridge(failed)}), RoomState::closed);
}

TEST(LegState, MovesFollowTheArrows) {
    EXPECT_TRUE(canMove(setup, ringing));
    EXPECT_TRUE(canMove(ringing, connected));
    EXPECT_TRUE(canMove(setup, connected)); // answered without a provisional response
    EXPECT_TRUE(canMove(connected, hold));
    EXPECT_TRUE(canMove(hold, connected));
    EXPECT_TRUE(canMove(connected, disconnecting));
    EXPECT_TRUE(canMove(disconnecting, closed));
    EXPECT_TRUE(canMove(ringing, closed)); // declined or cancelled
    EXPECT_TRUE(canMove(hold, failed));
    EXPECT_FALSE(canMove(connected, ringing));
    EXPECT_FALSE(canMove(ringing, hold));
    EXPECT_FALSE(canMove(disconnecting, connected));
    EXPECT_FALSE(canMove(closed, connected));
    EXPECT_FALSE(canMove(failed, closed));
    EXPECT_FALSE(canMove(connected, connected));
    EXPECT_TRUE(canMove(connected, degraded));
    EXPECT_TRUE(canMove(degraded, connected));
    EXPECT_TRUE(canMove(degraded, failed));
    EXPECT_FALSE(canMove(ringing, degraded));
    EXPECT_FALSE(canMove(hold, degraded));
}

TEST(LegState, NamesRoundTrip) {
    for (auto s : {setup, ringing, connected, hold, disconnecting, closed, failed})
        EXPECT_EQ(legStateByName(stateName(s)), s);
    EXPECT_EQ(legStateByName("up"), std::nullopt);
    EXPECT_EQ(stateName(RoomState::degraded), "degraded");
}

} // namespace
} // namespace sb::room
