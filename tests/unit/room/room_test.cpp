#include "room/room.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

namespace sb::room {
namespace {

// A media graph that counts what it holds, and fails the step it is told to.
struct FakeGraph : MediaGraph {
    std::set<LegId> streams;
    bool failOffer = false, failAnswered = false;
    std::vector<std::string> offersSeen;

    Result<std::string> offer(LegId leg, std::string_view, std::string_view) override {
        if (failOffer) return fail(Errc::too_large, "no ports left");
        streams.insert(leg);
        return std::string("v=0 our offer");
    }
    Result<void> answered(LegId, std::string_view answer) override {
        if (failAnswered) return fail(Errc::unsupported, "no codec in common");
        if (answer.empty()) return fail(Errc::invalid_input, "no answer");
        return {};
    }
    Result<std::string> answer(LegId leg, std::string_view, std::string_view offer,
                               std::string_view) override {
        if (offer == "unusable") return fail(Errc::unsupported, "no codec in common");
        streams.insert(leg);
        offersSeen.emplace_back(offer);
        return std::string("v=0 our answer");
    }
    void left(LegId leg) override { streams.erase(leg); }
    Result<std::string> reoffer(LegId leg) override {
        if (!streams.contains(leg)) return fail(Errc::not_found, "the leg is in no room");
        return std::string("v=0 our new offer");
    }
};

struct FakeProvider : LegProvider {
    struct FakeLeg : Leg {
        FakeProvider& provider;
        LegId id;
        bool up = true;
        FakeLeg(FakeProvider& p, LegId i) : provider(p), id(i) { ++provider.live; }
        ~FakeLeg() override { hangUp(); }
        void hangUp() override {
            if (!up) return;
            up = false;
            --provider.live;
            ++provider.hungUp;
            if (provider.endsAtOnce)
                provider.sink->onLegEvent(id, {LegEvent::Kind::ended, 0, "", {}});
        }
        std::string describe() const override { return "fake leg " + std::to_string(id.value()); }
        Result<void> reoffer(std::string offer, Answered done) override {
            provider.reoffers.emplace_back(std::move(offer), std::move(done));
            return {};
        }
    };
    std::vector<std::pair<std::string, Leg::Answered>> reoffers; // offers the legs sent

    int live = 0, hungUp = 0;
    bool failPlace = false;
    bool endsAtOnce = false; // a hang-up reports `ended` from inside hangUp()
    LegSink* sink = nullptr;
    std::vector<Dial> dials;

    bool securesSignalling(std::string_view target) const override {
        return target.starts_with("sips:");
    }
    Result<std::unique_ptr<Leg>> place(LegId id, const Dial& dial, LegSink& s) override {
        if (failPlace) return fail(Errc::io, "no route to the expert");
        sink = &s;
        dials.push_back(dial);
        return std::unique_ptr<Leg>(std::make_unique<FakeLeg>(*this, id));
    }
    void event(LegId id, LegEvent::Kind kind, std::string answer = {}, int status = 0) {
        sink->onLegEvent(id, {kind, status, "", std::move(answer)});
    }
};

struct Heard {
    LegChange change;
    RoomState before, after;
};

struct Recorder : RoomObserver {
    std::vector<Heard> heard;
    std::function<void(Room&, const LegChange&)> then;
    void onLegChange(Room& room, const LegChange& change, RoomState before) override {
        heard.push_back({change, before, room.state()});
        if (then) then(room, change);
    }
};

constexpr std::string_view kHoldOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
                                        "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                        "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n";
constexpr std::string_view kResumeOffer = "v=0\r\no=- 1 3 IN IP4 127.0.0.1\r\ns=-\r\n"
                                          "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                          "m=audio 4000 RTP/AVP 0\r\n";

class RoomTest : public ::testing::Test {
protected:
    FakeGraph graph;
    FakeProvider sip;
    Rooms rooms{graph};
    Recorder observer;

    void SetUp() override { rooms.provide("sip", sip); }
    Dial dial() { return {"sip:alice@127.0.0.1", "", {{"Trace-ID", "t1"}}}; }
    void expectNothingLeft() {
        EXPECT_TRUE(graph.streams.empty());
        EXPECT_EQ(sip.live, 0);
        EXPECT_EQ(rooms.stats().legs, 0u);
    }
};

TEST_F(RoomTest, ALegGoesThroughItsStatesAndTheRoomFollows) {
    auto room = rooms.open("escalation-1", "t1", observer);
    EXPECT_EQ(room->state(), RoomState::setup);
    auto leg = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(leg) << leg.error().message;
    EXPECT_EQ(sip.dials.at(0).offer, "v=0 our offer"); // the graph's offer went out
    EXPECT_EQ(room->legState(*leg), LegState::setup);
    sip.event(*leg, LegEvent::Kind::ringing, {}, 180);
    sip.event(*leg, LegEvent::Kind::answered, "v=0 their answer", 200);
    EXPECT_EQ(room->state(), RoomState::connected);

    auto answer = sip.sink->onLegOffer(*leg, kHoldOffer);
    ASSERT_TRUE(answer);
    EXPECT_EQ(room->state(), RoomState::hold);
    ASSERT_TRUE(sip.sink->onLegOffer(*leg, kResumeOffer));
    EXPECT_EQ(room->state(), RoomState::connected);

    room->hangUp(*leg, "the agent hung up");
    EXPECT_EQ(room->state(), RoomState::disconnecting);
    sip.event(*leg, LegEvent::Kind::ended, {}, 200);
    EXPECT_EQ(room->state(), RoomState::closed);

    std::vector<std::pair<LegState, RoomState>> seen;
    for (const auto& h : observer.heard)
        seen.emplace_back(h.change.to, h.after);
    using enum LegState;
    EXPECT_EQ(seen, (std::vector<std::pair<LegState, RoomState>>{
                        {ringing, RoomState::ringing},
                        {connected, RoomState::connected},
                        {hold, RoomState::hold},
                        {connected, RoomState::connected},
                        {disconnecting, RoomState::disconnecting},
                        {closed, RoomState::closed}}));
    EXPECT_EQ(observer.heard.at(1).change.status, 200);
    EXPECT_EQ(observer.heard.at(4).change.reason, "the agent hung up");
    expectNothingLeft();
}

TEST_F(RoomTest, EachSetUpStepFailingInTurnLeavesNothingBehind) {
    auto room = rooms.open("escalation-2", "t2", observer);
    graph.failOffer = true;
    auto noPorts = room->dial("sip", dial(), Role::essential);
    ASSERT_FALSE(noPorts);
    EXPECT_EQ(noPorts.error().message, "media offer: no ports left");
    expectNothingLeft();

    graph.failOffer = false;
    sip.failPlace = true;
    auto noRoute = room->dial("sip", dial(), Role::essential);
    ASSERT_FALSE(noRoute);
    EXPECT_EQ(noRoute.error().message, "call: no route to the expert");
    expectNothingLeft(); // the media offer was undone

    sip.failPlace = false;
    graph.failAnswered = true;
    auto leg = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(leg);
    sip.event(*leg, LegEvent::Kind::answered, "v=0 their answer", 200);
    EXPECT_EQ(room->legState(*leg), LegState::closed);
    EXPECT_EQ(observer.heard.back().change.reason, "its answer is unusable: no codec in common");
    EXPECT_EQ(sip.hungUp, 1);
    expectNothingLeft();

    EXPECT_FALSE(room->dial("h323", dial(), Role::bridge));
    EXPECT_EQ(rooms.stats().undone, 2u);
    EXPECT_TRUE(observer.heard.size() == 1u);
}

TEST_F(RoomTest, ParallelLegsTheFirstAnswerWinsAndTheOthersAreCancelled) {
    auto room = rooms.open("escalation-3", "t3", observer);
    auto a = room->dial("sip", dial(), Role::essential);
    auto b = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(a && b);
    sip.event(*a, LegEvent::Kind::ringing);
    sip.event(*b, LegEvent::Kind::ringing);
    observer.then = [&](Room& r, const LegChange& c) {
        if (c.to == LegState::connected) r.hangUp(*a, "another expert answered");
    };
    sip.event(*b, LegEvent::Kind::answered, "v=0 their answer");
    EXPECT_EQ(room->legState(*a), LegState::closed);
    EXPECT_EQ(room->state(), RoomState::connected); // a cancelled leg does not disconnect it
    EXPECT_EQ(graph.streams, (std::set<LegId>{*b}));
    EXPECT_EQ(sip.live, 1);
}

TEST_F(RoomTest, AFailedBridgeDegradesAndAFailedEssentialLegFails) {
    auto room = rooms.open("escalation-4", "t4", observer);
    auto expert = room->dial("sip", dial(), Role::essential);
    auto video = room->dial("sip", dial(), Role::bridge);
    ASSERT_TRUE(expert && video);
    sip.event(*expert, LegEvent::Kind::answered, "v=0 a");
    sip.event(*video, LegEvent::Kind::answered, "v=0 b");
    EXPECT_EQ(room->state(), RoomState::connected);
    sip.event(*video, LegEvent::Kind::failed);
    EXPECT_EQ(room->state(), RoomState::degraded);
    EXPECT_EQ(sip.live, 1); // the failed bridge's leg is gone, the expert's goes on
    sip.event(*expert, LegEvent::Kind::failed);
    EXPECT_EQ(room->state(), RoomState::failed);
    expectNothingLeft();
}

TEST_F(RoomTest, ClosingARoomHangsUpEveryLegWithoutAWord) {
    {
        auto room = rooms.open("escalation-5", "t5", observer);
        auto a = room->dial("sip", dial(), Role::essential);
        auto b = room->dial("sip", dial(), Role::essential);
        ASSERT_TRUE(a && b);
        sip.event(*a, LegEvent::Kind::answered, "v=0 a");
        EXPECT_EQ(rooms.stats().rooms, 1u);
        observer.heard.clear();
    }
    EXPECT_TRUE(observer.heard.empty());
    EXPECT_EQ(rooms.stats().rooms, 0u);
    expectNothingLeft();
}

TEST_F(RoomTest, OurOwnOfferGoesThroughTheLegAndItsAnswerToTheGraph) {
    auto room = rooms.open("escalation-7", "t7", observer);
    auto leg = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(leg);
    auto ignored = [](const Result<void>&) {};
    EXPECT_EQ(room->reoffer(*leg, ignored).error().code, Errc::incomplete); // not answered yet
    sip.event(*leg, LegEvent::Kind::answered, "v=0 their answer");

    std::vector<Result<void>> outcomes;
    auto record = [&](Result<void> r) { outcomes.push_back(std::move(r)); };
    ASSERT_TRUE(room->reoffer(*leg, record));
    ASSERT_EQ(sip.reoffers.size(), 1u);
    EXPECT_EQ(sip.reoffers[0].first, "v=0 our new offer");
    sip.reoffers[0].second(std::string("v=0 their new answer"));
    ASSERT_TRUE(room->reoffer(*leg, record));
    sip.reoffers[1].second(fail(Errc::unsupported, "488 Not Acceptable Here"));
    graph.failAnswered = true;
    ASSERT_TRUE(room->reoffer(*leg, record));
    sip.reoffers[2].second(std::string("v=0 unusable"));

    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_TRUE(outcomes[0]);
    EXPECT_EQ(outcomes[1].error().message, "488 Not Acceptable Here");
    EXPECT_EQ(outcomes[2].error().message, "no codec in common");
    EXPECT_EQ(room->legState(*leg), LegState::connected); // a refused offer changes nothing
}

TEST_F(RoomTest, ALegThatArrivesWithAnOfferIsAnsweredAndConnectedOrLeavesNothing) {
    auto room = rooms.open("council", "", observer);
    LegSink* sink = nullptr;
    auto make = [&](LegId id, LegSink& s) {
        sink = &s;
        return Result<std::unique_ptr<Leg>>(std::make_unique<FakeProvider::FakeLeg>(sip, id));
    };
    auto admitted = room->admit(kResumeOffer, Role::essential, make);
    ASSERT_TRUE(admitted) << admitted.error().message;
    EXPECT_EQ(admitted->answer, "v=0 our answer");
    EXPECT_EQ(room->legState(admitted->leg), LegState::connected);
    EXPECT_EQ(room->state(), RoomState::connected);
    ASSERT_TRUE(sink->onLegOffer(admitted->leg, kHoldOffer)); // the caller holds
    EXPECT_EQ(room->state(), RoomState::hold);

    auto unusable = room->admit("unusable", Role::essential, make);
    ASSERT_FALSE(unusable);
    EXPECT_EQ(unusable.error().message, "media answer: no codec in common");
    auto refused = room->admit(kResumeOffer, Role::essential, [](LegId, LegSink&) {
        return Result<std::unique_ptr<Leg>>(fail(Errc::closed, "the call is gone"));
    });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "leg: the call is gone");
    EXPECT_EQ(graph.streams.size(), 1u); // the refused leg's streams were undone
    EXPECT_EQ(rooms.stats().undone, 2u);

    sink->onLegEvent(admitted->leg, {LegEvent::Kind::ended, 0, "BYE", {}});
    EXPECT_EQ(room->state(), RoomState::closed);
    expectNothingLeft();
}

TEST_F(RoomTest, TheProviderOfAKindSaysWhetherItsSignallingIsSecure) {
    EXPECT_TRUE(rooms.securesSignalling("sip", "sips:alice@example.com"));
    EXPECT_FALSE(rooms.securesSignalling("sip", "sip:alice@example.com"));
    EXPECT_FALSE(rooms.securesSignalling("h323", "sips:alice@example.com")); // no provider
}

TEST_F(RoomTest, ALegThatEndsFromInsideItsHangUpIsClosedOnce) {
    sip.endsAtOnce = true;
    {
        auto room = rooms.open("escalation-8", "t8", observer);
        auto a = room->dial("sip", dial(), Role::essential);
        auto b = room->dial("sip", dial(), Role::essential);
        ASSERT_TRUE(a && b);
        sip.event(*a, LegEvent::Kind::answered, "v=0 a");
        room->hangUp(*a, "the agent hung up");
        EXPECT_EQ(room->legState(*a), LegState::closed);
        EXPECT_EQ(rooms.stats().legs, 1u);
    } // b goes with the room
    EXPECT_EQ(rooms.stats().legs, 0u);
    expectNothingLeft();
}

TEST_F(RoomTest, EventsForALegThatHasLeftAreIgnored) {
    auto room = rooms.open("escalation-6", "t6", observer);
    auto a = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(a);
    sip.event(*a, LegEvent::Kind::ended, {}, 486);
    EXPECT_EQ(observer.heard.back().change.status, 486);
    const auto heard = observer.heard.size();
    sip.event(*a, LegEvent::Kind::answered, "v=0 late");
    EXPECT_EQ(observer.heard.size(), heard);
    EXPECT_FALSE(sip.sink->onLegOffer(*a, kHoldOffer));
    EXPECT_EQ(room->legState(*a), LegState::closed);
    expectNothingLeft();
}

} // namespace
} // namespace sb::room
