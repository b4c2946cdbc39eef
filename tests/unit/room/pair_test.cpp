// A pass-through pair: a room of the two legs that one signalling call joins end to end. Its
// descriptions cross to the pair media in order, hold and resume move the holding leg once
// answered, the legs follow the call's course, and what the pair set up goes when it ends.
#include "room/room.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

namespace sb::room {
namespace {

std::string sdp(int port, std::string_view direction = "sendrecv") {
    return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio " +
           std::to_string(port) + " RTP/AVP 0\r\na=" + std::string(direction) + "\r\n";
}
const std::string kOffer = sdp(4000), kAnswer = sdp(5000);
const std::string kHold = sdp(4000, "sendonly"), kHeld = sdp(5000, "recvonly");

// Rewrites what crosses (marking the end it came from), or refuses it; counts what it holds.
struct FakePairs : PairMedia {
    std::set<RoomId> pairs;
    std::vector<std::string> seen;
    bool refuse = false;
    Result<std::string> relay(RoomId pair, End from, std::string_view description) override {
        if (refuse) return fail(Errc::unsupported, "no codec in common");
        pairs.insert(pair);
        seen.emplace_back(from == End::arrived ? "arrived" : "dialled");
        return std::string(description) + "a=anchored\r\n";
    }
    void left(RoomId pair) override { pairs.erase(pair); }
};

struct HalfLeg : Leg {
    int* hungUp;
    explicit HalfLeg(int* h) : hungUp(h) {}
    void hangUp() override { ++*hungUp; }
    std::string describe() const override { return "half"; }
    Result<void> reoffer(std::string, Answered) override {
        return fail(Errc::unsupported, "end to end");
    }
};

struct Changes : RoomObserver {
    std::vector<std::string> heard;
    void onLegChange(Room& room, const LegChange& c, RoomState) override {
        heard.push_back(std::string(stateName(c.to)) + " room " +
                        std::string(stateName(room.state())));
    }
};

class Pair : public testing::Test {
protected:
    Room::MakeLeg half() {
        return [this](LegId, LegSink&) -> Result<std::unique_ptr<Leg>> {
            if (failMake) return fail(Errc::io, "no such call");
            return std::unique_ptr<Leg>(std::make_unique<HalfLeg>(&hungUp_));
        };
    }
    void event(LegId leg, LegEvent::Kind kind, int status = 0) {
        room_->sink().onLegEvent(leg, {kind, status, "", {}});
    }
    // The call's first offer crosses, is answered, and the call is up.
    Room::Pair connected() {
        auto legs = room_->pair(half(), half()).value();
        EXPECT_TRUE(room_->relay(legs.arrived, kOffer));
        event(legs.dialled, LegEvent::Kind::ringing, 180);
        EXPECT_TRUE(room_->relay(legs.dialled, kAnswer));
        event(legs.arrived, LegEvent::Kind::answered, 200); // as app::BridgedRooms tells it
        event(legs.dialled, LegEvent::Kind::answered, 200);
        return legs;
    }

    FakePairs media_;
    Rooms rooms_{&media_};
    Changes changes_;
    std::unique_ptr<Room> room_ = rooms_.open("call-1", "", changes_);
    bool failMake = false;
    int hungUp_ = 0;
};

TEST_F(Pair, DescriptionsCrossToThePairMediaAndTheLegsFollowTheCall) {
    auto legs = connected();
    EXPECT_EQ(media_.seen, (std::vector<std::string>{"arrived", "dialled"}));
    EXPECT_EQ(*room_->relay(legs.arrived, kOffer), std::string(kOffer) + "a=anchored\r\n");
    EXPECT_EQ(changes_.heard,
              (std::vector<std::string>{"ringing room ringing", "connected room ringing",
                                        "connected room connected"}));
    EXPECT_EQ(room_->state(), RoomState::connected);
    EXPECT_EQ(rooms_.stats().legs, 2u);
}

TEST_F(Pair, AnOfferThatHoldsMovesItsLegOnceAnsweredAndResumeMovesItBack) {
    auto legs = connected();
    ASSERT_TRUE(room_->relay(legs.dialled, kHold));                // the callee holds …
    EXPECT_EQ(room_->legState(legs.dialled), LegState::connected); // … once the caller answers
    ASSERT_TRUE(room_->relay(legs.arrived, kHeld));
    EXPECT_EQ(room_->legState(legs.dialled), LegState::hold);
    EXPECT_EQ(room_->state(), RoomState::hold);
    ASSERT_TRUE(room_->relay(legs.dialled, kAnswer)); // and resumes
    ASSERT_TRUE(room_->relay(legs.arrived, kOffer));
    EXPECT_EQ(room_->legState(legs.dialled), LegState::connected);
    EXPECT_EQ(room_->state(), RoomState::connected);
}

TEST_F(Pair, TheSameAnswerAgainIsNoOffer) {
    auto legs = room_->pair(half(), half()).value();
    ASSERT_TRUE(room_->relay(legs.arrived, kOffer));
    ASSERT_TRUE(room_->relay(legs.dialled, kHeld)); // a 183's answer …
    ASSERT_TRUE(room_->relay(legs.dialled, kHeld)); // … and the 200's, the same
    event(legs.dialled, LegEvent::Kind::answered, 200);
    event(legs.arrived, LegEvent::Kind::answered, 200);
    // Were the repeat an offer, this answer would be taken for the caller's answer to it.
    ASSERT_TRUE(room_->relay(legs.arrived, kHold));
    ASSERT_TRUE(room_->relay(legs.dialled, kHeld));
    EXPECT_EQ(room_->legState(legs.arrived), LegState::hold);
}

TEST_F(Pair, ARefusedDescriptionChangesNothing) {
    auto legs = connected();
    media_.refuse = true;
    auto refused = room_->relay(legs.dialled, kHold);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::unsupported);
    media_.refuse = false;
    ASSERT_TRUE(room_->relay(legs.dialled, kHold)); // an offer, not an answer to a lost one
    ASSERT_TRUE(room_->relay(legs.arrived, kHeld));
    EXPECT_EQ(room_->legState(legs.dialled), LegState::hold);
}

TEST_F(Pair, TheCallsEndClosesBothLegsAndTheMediaGoes) {
    auto legs = connected();
    ASSERT_EQ(media_.pairs.size(), 1u);
    event(legs.dialled, LegEvent::Kind::ended, 486);
    event(legs.arrived, LegEvent::Kind::ended, 486);
    EXPECT_EQ(room_->state(), RoomState::closed);
    EXPECT_TRUE(media_.pairs.empty());
    EXPECT_EQ(rooms_.stats().legs, 0u);
    EXPECT_EQ(hungUp_, 2); // each leg's undo, which an ended call ignores
}

TEST_F(Pair, HangingUpALegEndsTheCallThroughIt) {
    auto legs = connected();
    room_->hangUp(legs.arrived, "the agent hung up");
    EXPECT_EQ(room_->legState(legs.arrived), LegState::disconnecting);
    EXPECT_EQ(hungUp_, 1);
    EXPECT_EQ(room_->state(), RoomState::disconnecting);
}

TEST_F(Pair, ALegThatCannotBeMadeLeavesNothing) {
    failMake = true;
    auto legs = room_->pair(half(), half());
    ASSERT_FALSE(legs);
    EXPECT_EQ(legs.error().message, "leg: no such call");
    EXPECT_EQ(rooms_.stats().legs, 0u);
    EXPECT_EQ(room_->liveLegs(), 0u);
}

TEST_F(Pair, APairsRoomDialsNoOtherLegAndMakesNoOfferOfItsOwn) {
    auto legs = connected();
    EXPECT_EQ(room_->dial("sip", {"sip:x@y", "", {}}, Role::bridge).error().code,
              Errc::unsupported);
    EXPECT_EQ(room_->reoffer(legs.arrived, [](const Result<void>&) {}).error().code,
              Errc::unsupported);
    EXPECT_FALSE(room_->pair(half(), half()));
}

TEST(PairWithoutMedia, DescriptionsCrossUntouched) {
    Rooms rooms(nullptr);
    Changes changes;
    auto room = rooms.open("call-2", "", changes);
    auto legs = room->pair(
        [](LegId, LegSink&) -> Result<std::unique_ptr<Leg>> {
            static int hungUp = 0;
            return std::unique_ptr<Leg>(std::make_unique<HalfLeg>(&hungUp));
        },
        [](LegId, LegSink&) -> Result<std::unique_ptr<Leg>> {
            static int hungUp = 0;
            return std::unique_ptr<Leg>(std::make_unique<HalfLeg>(&hungUp));
        });
    ASSERT_TRUE(legs);
    EXPECT_EQ(*room->relay(legs->arrived, kOffer), kOffer);
}

} // namespace
} // namespace sb::room
