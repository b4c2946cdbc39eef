#include "room/room.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <functional>
#include <gtest/gtest.h>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sb::room {
namespace {

// A media graph that counts what it holds, fails the step it is told to, and answers at once
// or, when `deferred`, once release() is called (as a media worker would, later).
struct FakeGraph : MediaGraph {
    std::set<LegId> streams;
    bool failOffer = false, failAnswered = false, deferred = false;
    std::vector<std::string> offersSeen;
    std::vector<bool> reoffersHeld; // each reoffer()'s `holds`
    std::set<LegId> eventLegs;      // legs whose media carries telephone-events
    std::string digitsInMedia;      // the digits sent in those legs' RTP
    std::vector<std::function<void()>> pending;

    void give(const std::function<void()>& reply) { deferred ? pending.push_back(reply) : reply(); }
    void release() {
        auto replies = std::move(pending);
        pending.clear();
        for (auto& reply : replies)
            reply();
    }

    std::vector<LegMedia> offeredMedia; // each offer()'s
    void offer(LegId leg, std::string_view, std::string_view, LegMedia media,
               Reply<std::string> reply) override {
        offeredMedia.push_back(media);
        if (failOffer) return give([reply] { reply(fail(Errc::too_large, "no ports left")); });
        streams.insert(leg);
        give([reply] { reply(std::string("v=0 our offer")); });
    }
    void answered(LegId, std::string_view answer, Reply<void> reply) override {
        Result<void> outcome;
        if (failAnswered) outcome = fail(Errc::unsupported, "no codec in common");
        if (answer.empty()) outcome = fail(Errc::invalid_input, "no answer");
        give([reply, outcome] { reply(outcome); });
    }
    void answer(LegId leg, std::string_view, std::string_view offer, std::string_view,
                Reply<std::string> reply) override {
        if (offer == "unusable")
            return give([reply] { reply(fail(Errc::unsupported, "no codec in common")); });
        streams.insert(leg);
        offersSeen.emplace_back(offer);
        give([reply] { reply(std::string("v=0 our answer")); });
    }
    void left(LegId leg) override { streams.erase(leg); }
    std::vector<LegId> pictureRequests;
    void requestPicture(LegId leg) override { pictureRequests.push_back(leg); }
    void reoffer(LegId leg, bool holds, Reply<std::string> reply) override {
        reoffersHeld.push_back(holds);
        if (!streams.contains(leg))
            return give([reply] { reply(fail(Errc::not_found, "the leg is in no room")); });
        give([reply] { reply(std::string("v=0 our new offer")); });
    }
    void sendDigit(LegId leg, char digit, std::chrono::milliseconds, Reply<void> reply) override {
        if (!eventLegs.contains(leg))
            return give([reply] { reply(fail(Errc::unsupported, "no telephone-event")); });
        digitsInMedia += digit;
        give([reply] { reply(Result<void>()); });
    }
};

// What a leg's adapter hears back from the room for an offer from the far end.
struct OfferAnswer {
    std::optional<Result<std::string>> answer;
    Reply<std::string> reply() {
        return [this](Result<std::string> a) { answer = std::move(a); };
    }
    bool ok() const { return answer && answer->has_value(); }
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
        Result<void> sendText(std::string_view text) override {
            provider.texts.emplace_back(text);
            return {};
        }
        Result<void> sendDigit(char digit, std::chrono::milliseconds) override {
            provider.digits.push_back(digit);
            return {};
        }
    };
    std::string digits;                                          // the digits the legs sent
    std::vector<std::pair<std::string, Leg::Answered>> reoffers; // offers the legs sent
    std::vector<std::string> texts;                              // texts the legs sent

    int live = 0, hungUp = 0;
    bool failPlace = false;
    LegMedia kind = {};
    LegMedia media() const override { return kind; }
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
    std::vector<FileProgress> progress;
    std::function<void(Room&, const LegChange&)> then;
    void onLegChange(Room& room, const LegChange& change, RoomState before) override {
        heard.push_back({change, before, room.state()});
        if (then) then(room, change);
    }
    void onFileProgress(Room&, LegId, const FileProgress& p) override { progress.push_back(p); }
    std::function<void(Reply<void>)> answering; // beforeAnswer's step, when there is one
    void beforeAnswer(Room&, LegId, LegId, const Reply<void>& done) override {
        if (!answering) return done({});
        answering(done);
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

TEST_F(RoomTest, AVideoSourceThatConnectsIsOfferedToTheCallsThatAreUp) {
    FakeProvider video;
    video.kind = {LegMedia::Kind::videoSource};
    rooms.provide("video", video);
    auto room = rooms.open("escalation-1", "t1", observer);
    auto expert = room->dial("sip", dial(), Role::essential);
    auto ringing = room->dial("sip", dial(), Role::bridge);
    sip.event(*expert, LegEvent::Kind::answered, "v=0 their answer", 200);
    auto camera = room->dial("video", {"pattern", "", {}}, Role::bridge);
    ASSERT_TRUE(camera) << camera.error().message;
    EXPECT_EQ(graph.offeredMedia, (std::vector<LegMedia>{{}, {}, {LegMedia::Kind::videoSource}}));
    EXPECT_TRUE(sip.reoffers.empty());
    video.event(*camera, LegEvent::Kind::answered, "v=0 the source's answer", 200);
    // The expert, who is up, gets a new offer (with the video); the leg still ringing does not.
    ASSERT_EQ(sip.reoffers.size(), 1u);
    EXPECT_EQ(sip.reoffers[0].first, "v=0 our new offer");
    EXPECT_EQ(graph.reoffersHeld, std::vector<bool>{false});
    sip.reoffers[0].second(std::string("v=0 the expert's answer with video"));
    EXPECT_EQ(room->legState(*expert), LegState::connected);
    EXPECT_EQ(room->legState(*ringing), LegState::setup);
    // A source that degrades and recovers is not offered again.
    video.event(*camera, LegEvent::Kind::degraded);
    video.event(*camera, LegEvent::Kind::recovered);
    EXPECT_EQ(sip.reoffers.size(), 1u);
    // The expert's phone lost its place (SIP INFO picture_fast_update): the graph hears it; a
    // leg not up yet asks nothing.
    sip.sink->onPictureLoss(*expert);
    sip.sink->onPictureLoss(*ringing);
    EXPECT_EQ(graph.pictureRequests, std::vector<LegId>{*expert});
}

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

    OfferAnswer holding, resume;
    sip.sink->onLegOffer(*leg, kHoldOffer, holding.reply());
    ASSERT_TRUE(holding.ok());
    EXPECT_EQ(room->state(), RoomState::hold);
    sip.sink->onLegOffer(*leg, kResumeOffer, resume.reply());
    ASSERT_TRUE(resume.ok());
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

TEST_F(RoomTest, ATextReachesAConnectedLegOnly) {
    auto room = rooms.open("escalation-8", "t8", observer);
    auto leg = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(leg);
    EXPECT_EQ(room->sendText(*leg, "too soon").error().code, Errc::incomplete);
    sip.event(*leg, LegEvent::Kind::answered, "v=0 their answer");
    ASSERT_TRUE(room->sendText(*leg, "the agent's context"));
    EXPECT_EQ(sip.texts, std::vector<std::string>{"the agent's context"});
    room->hangUp(*leg, "done");
    EXPECT_EQ(room->sendText(*leg, "too late").error().code, Errc::incomplete);
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
    std::vector<Result<Room::Admitted>> replies;
    auto record = [&](Result<Room::Admitted> r) { replies.push_back(std::move(r)); };
    room->admit(kResumeOffer, Role::essential, make, record);
    ASSERT_EQ(replies.size(), 1u);
    ASSERT_TRUE(replies[0]) << replies[0].error().message;
    const LegId admitted = replies[0]->leg;
    EXPECT_EQ(replies[0]->answer, "v=0 our answer");
    EXPECT_EQ(room->legState(admitted), LegState::connected);
    EXPECT_EQ(room->state(), RoomState::connected);
    OfferAnswer hold;
    sink->onLegOffer(admitted, kHoldOffer, hold.reply()); // the caller holds
    ASSERT_TRUE(hold.ok());
    EXPECT_EQ(room->state(), RoomState::hold);

    room->admit("unusable", Role::essential, make, record);
    ASSERT_FALSE(replies.at(1));
    EXPECT_EQ(replies[1].error().message, "media answer: no codec in common");
    room->admit(
        kResumeOffer, Role::essential,
        [](LegId, LegSink&) {
            return Result<std::unique_ptr<Leg>>(fail(Errc::closed, "the call is gone"));
        },
        record);
    ASSERT_FALSE(replies.at(2));
    EXPECT_EQ(replies[2].error().message, "leg: the call is gone");
    EXPECT_EQ(graph.streams.size(), 1u); // the refused leg's streams were undone
    EXPECT_EQ(rooms.stats().undone, 2u);
    EXPECT_EQ(observer.heard.size(), 2u); // connected, hold: the refused legs were never heard of

    sink->onLegEvent(admitted, {LegEvent::Kind::ended, 0, "BYE", {}});
    EXPECT_EQ(room->state(), RoomState::closed);
    expectNothingLeft();
}

TEST_F(RoomTest, ALegThatArrivesWithoutAnOfferIsGivenOursAndAnswersItOrLeavesNothing) {
    auto room = rooms.open("council", "", observer);
    graph.deferred = true; // the offer comes from a media worker, later
    LegSink* sink = nullptr;
    std::string offered;
    auto make = [&](LegId id, LegSink& s, std::string offer) {
        sink = &s;
        offered = std::move(offer);
        return Result<std::unique_ptr<Leg>>(std::make_unique<FakeProvider::FakeLeg>(sip, id));
    };
    std::vector<Result<LegId>> replies;
    auto record = [&](Result<LegId> r) { replies.push_back(std::move(r)); };
    room->adopt(Role::essential, make, record);
    EXPECT_TRUE(replies.empty());
    graph.release();
    ASSERT_EQ(replies.size(), 1u);
    ASSERT_TRUE(replies[0]) << replies[0].error().message;
    const LegId adopted = *replies[0];
    EXPECT_EQ(offered, "v=0 our offer");
    EXPECT_EQ(room->legState(adopted), LegState::setup);
    sink->onLegEvent(adopted, {LegEvent::Kind::ringing, 0, "", {}});
    EXPECT_EQ(room->legState(adopted), LegState::ringing);
    sink->onLegEvent(adopted, {LegEvent::Kind::answered, 0, "", "v=0 their answer"});
    graph.release(); // the graph takes the answer
    EXPECT_EQ(room->legState(adopted), LegState::connected);
    EXPECT_EQ(room->state(), RoomState::connected);

    graph.failOffer = true;
    room->adopt(Role::essential, make, record);
    graph.release();
    ASSERT_FALSE(replies.at(1));
    EXPECT_EQ(replies[1].error().message, "media offer: no ports left");
    graph.failOffer = false;
    room->adopt(
        Role::essential,
        [](LegId, LegSink&, const std::string&) {
            return Result<std::unique_ptr<Leg>>(fail(Errc::closed, "the call is gone"));
        },
        record);
    graph.release();
    ASSERT_FALSE(replies.at(2));
    EXPECT_EQ(replies[2].error().message, "leg: the call is gone");
    EXPECT_EQ(graph.streams.size(), 1u); // the refused legs' streams were undone
    EXPECT_EQ(rooms.stats().undone, 2u);

    room->adopt(Role::essential, make, record);
    room.reset(); // the room closes before its media answers: the adopter hears so
    graph.release();
    ASSERT_FALSE(replies.at(3));
    EXPECT_EQ(replies[3].error().code, Errc::closed);
    expectNothingLeft();
}

TEST_F(RoomTest, MediaThatAnswersLaterFailsTheLegItHasAlreadyGivenOut) {
    auto room = rooms.open("escalation-9", "t9", observer);
    graph.deferred = true;
    graph.failOffer = true;
    auto leg = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(leg); // nothing has failed yet
    EXPECT_EQ(room->legState(*leg), LegState::setup);
    EXPECT_TRUE(sip.dials.empty());
    graph.release();
    EXPECT_EQ(room->legState(*leg), LegState::closed);
    EXPECT_EQ(observer.heard.back().change.reason, "media offer: no ports left");

    graph.failOffer = false;
    sip.failPlace = true;
    auto unplaced = room->dial("sip", dial(), Role::essential);
    graph.release();
    EXPECT_EQ(room->legState(*unplaced), LegState::closed);
    EXPECT_EQ(observer.heard.back().change.reason, "call: no route to the expert");
    EXPECT_EQ(rooms.stats().undone, 2u);
    expectNothingLeft(); // the second leg's media offer was undone
}

TEST_F(RoomTest, ALegHungUpWhileItsMediaIsPreparedIsNeverPlaced) {
    auto room = rooms.open("escalation-10", "t10", observer);
    graph.deferred = true;
    auto leg = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(leg);
    room->hangUp(*leg, "another expert answered");
    EXPECT_EQ(room->legState(*leg), LegState::closed);
    graph.release(); // the offer comes after the leg has gone
    EXPECT_TRUE(sip.dials.empty());
    expectNothingLeft();
}

TEST_F(RoomTest, ARoomThatClosesBeforeItsMediaAnswersStillAnswersTheFarEnd) {
    auto room = rooms.open("escalation-11", "t11", observer);
    auto leg = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(leg);
    sip.event(*leg, LegEvent::Kind::answered, "v=0 their answer");
    graph.deferred = true;
    OfferAnswer hold;
    sip.sink->onLegOffer(*leg, kHoldOffer, hold.reply());
    EXPECT_FALSE(hold.answer); // the graph has not answered yet
    std::vector<Result<Room::Admitted>> admitted;
    room->admit(kResumeOffer, Role::essential, {},
                [&](Result<Room::Admitted> r) { admitted.push_back(std::move(r)); });
    room.reset();
    graph.release();
    ASSERT_TRUE(hold.answer);
    EXPECT_EQ(hold.answer->error().code, Errc::closed); // the far end hears a refusal
    ASSERT_EQ(admitted.size(), 1u);
    EXPECT_EQ(admitted[0].error().code, Errc::closed);
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
    OfferAnswer late;
    sip.sink->onLegOffer(*a, kHoldOffer, late.reply());
    ASSERT_TRUE(late.answer);
    EXPECT_FALSE(late.ok());
    EXPECT_EQ(room->legState(*a), LegState::closed);
    expectNothingLeft();
}

// A leg that brings its own session (a WebRTC peer): it joins without media from the graph,
// `answered` connects it at once, and it may go degraded and recover.
TEST_F(RoomTest, ALegWithASessionOfItsOwnJoinsWithoutMediaAndMayDegrade) {
    auto room = rooms.open("escalation-9", "t9", observer);
    auto expert = room->dial("sip", dial(), Role::essential);
    ASSERT_TRUE(expert);
    sip.event(*expert, LegEvent::Kind::answered, "v=0 their answer", 200);
    ASSERT_EQ(room->state(), RoomState::connected);
    const auto streams = graph.streams.size();

    struct PeerLeg : Leg {
        LegSink* sink = nullptr;
        LegId id;
        std::vector<std::string> contexts;
        int hungUp = 0;
        void hangUp() override { ++hungUp; }
        std::string describe() const override { return "peer"; }
        Result<void> reoffer(std::string, Answered) override {
            return fail(Errc::unsupported, "no");
        }
        Result<void> sendContext(std::string_view summary, std::string_view context) override {
            contexts.push_back(std::string(summary) + "|" + std::string(context));
            return {};
        }
    };
    PeerLeg* peer = nullptr;
    auto joined = room->join(Role::bridge, [&](LegId id, LegSink& sink) {
        auto leg = std::make_unique<PeerLeg>();
        leg->sink = &sink;
        leg->id = id;
        peer = leg.get();
        return Result<std::unique_ptr<Leg>>(std::move(leg));
    });
    ASSERT_TRUE(joined) << joined.error().message;
    EXPECT_EQ(room->legState(*joined), LegState::setup);
    EXPECT_EQ(graph.streams.size(), streams); // no media asked for it
    EXPECT_EQ(room->sendContext(*joined, "s", "{}").error().code, Errc::incomplete);

    auto event = [&](LegEvent::Kind kind) {
        peer->sink->onLegEvent(*joined, {kind, 0, "why", {}});
    };
    event(LegEvent::Kind::ringing);
    event(LegEvent::Kind::answered);
    EXPECT_EQ(room->legState(*joined), LegState::connected);
    EXPECT_EQ(room->state(), RoomState::connected);
    event(LegEvent::Kind::degraded);
    EXPECT_EQ(room->legState(*joined), LegState::degraded);
    EXPECT_EQ(room->state(), RoomState::degraded);
    // A degraded leg is up: what is sent to it is the leg's to queue.
    ASSERT_TRUE(room->sendContext(*joined, "summary", "{\"a\":1}"));
    EXPECT_EQ(peer->contexts, std::vector<std::string>{"summary|{\"a\":1}"});
    // The SIP leg, by default, carries the summary alone.
    ASSERT_TRUE(room->sendContext(*expert, "summary", "{\"a\":1}"));
    EXPECT_EQ(sip.texts, std::vector<std::string>{"summary"});
    event(LegEvent::Kind::recovered);
    EXPECT_EQ(room->state(), RoomState::connected);

    peer->sink->onFileProgress(*joined, {"t", 10, 20, 1, false, {}});
    ASSERT_EQ(observer.progress.size(), 1u);
    EXPECT_EQ(observer.progress[0].held, 10u);

    event(LegEvent::Kind::failed); // isolated: the expert's call goes on
    EXPECT_EQ(room->state(), RoomState::degraded);
    EXPECT_EQ(room->legState(*expert), LegState::connected);
    EXPECT_EQ(peer->hungUp, 1); // a leg that is over is released
    using enum LegState;
    std::vector<LegState> seen;
    for (const auto& h : observer.heard)
        if (h.change.leg == *joined) seen.push_back(h.change.to);
    EXPECT_EQ(seen, (std::vector<LegState>{ringing, connected, degraded, connected, failed}));

    // A new session in the failed one's place: once it connects, the room is whole again.
    PeerLeg* second = nullptr;
    auto again = room->join(
        Role::bridge,
        [&](LegId id, LegSink& sink) {
            auto leg = std::make_unique<PeerLeg>();
            leg->sink = &sink;
            second = leg.get();
            return Result<std::unique_ptr<Leg>>(std::move(leg));
        },
        *joined);
    ASSERT_TRUE(again);
    EXPECT_EQ(room->state(), RoomState::setup); // rule 6, until it connects
    second->sink->onLegEvent(*again, {LegEvent::Kind::answered, 0, "", {}});
    EXPECT_EQ(room->state(), RoomState::connected);
    room->hangUp(*again, "done");
    second->sink->onLegEvent(*again, {LegEvent::Kind::ended, 0, "", {}});

    auto refused = room->join(Role::bridge, [](LegId, LegSink&) -> Result<std::unique_ptr<Leg>> {
        return fail(Errc::io, "no ICE agent");
    });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "leg: no ICE agent");
    room->hangUpAll("done");
    sip.event(*expert, LegEvent::Kind::ended);
    expectNothingLeft();
}

TEST_F(RoomTest, ALegWithASessionOfItsOwnTakesMediaOnceItOffersSomeAndGivesItBack) {
    auto room = rooms.open("escalation-10", "t10", observer);
    struct AudioPeer : Leg {
        LegSink* sink = nullptr;
        void hangUp() override {}
        std::string describe() const override { return "peer with audio"; }
        Result<void> reoffer(std::string, Answered) override {
            return fail(Errc::unsupported, "no");
        }
    };
    AudioPeer* peer = nullptr;
    auto joined = room->join(Role::bridge, [&](LegId, LegSink& sink) {
        auto leg = std::make_unique<AudioPeer>();
        leg->sink = &sink;
        peer = leg.get();
        return Result<std::unique_ptr<Leg>>(std::move(leg));
    });
    ASSERT_TRUE(joined);
    EXPECT_FALSE(graph.streams.contains(*joined));
    // Its adapter learns the peer brings audio while the session is still being set up.
    OfferAnswer media;
    peer->sink->onLegOffer(*joined, "v=0 the peer's audio", media.reply());
    ASSERT_TRUE(media.answer && *media.answer);
    EXPECT_EQ(**media.answer, "v=0 our answer");
    EXPECT_TRUE(graph.streams.contains(*joined));
    EXPECT_EQ(room->legState(*joined), LegState::setup);
    peer->sink->onLegEvent(*joined, {LegEvent::Kind::answered, 0, "", {}});
    EXPECT_EQ(room->legState(*joined), LegState::connected);
    peer->sink->onLegEvent(*joined, {LegEvent::Kind::failed, 0, "ICE failed", {}});
    EXPECT_FALSE(graph.streams.contains(*joined)) << "its media goes with it";
    room->hangUpAll("done");
    expectNothingLeft();
}

// A caller that waits for the leg it goes on to (a gateway's SIP caller): it records what the
// room tells it and reports back as RoomLegs' leg does (ringing, answered, ended).
struct WaitingLeg : Leg {
    LegId id;
    LegSink& sink;
    std::vector<std::string>& told;
    bool up = true;
    WaitingLeg(LegId i, LegSink& s, std::vector<std::string>& t) : id(i), sink(s), told(t) {}
    void hangUp() override {
        if (!std::exchange(up, false)) return;
        told.emplace_back("hang up");
        sink.onLegEvent(id, {LegEvent::Kind::ended, 0, "BYE", {}});
    }
    std::string describe() const override { return "waiting leg"; }
    Caller caller() const override { return {"1001", "Front Desk"}; }
    Result<void> sendDigit(char digit, std::chrono::milliseconds) override {
        told.push_back(std::string("digit ") + digit);
        return {};
    }
    Result<void> reoffer(std::string, Answered) override { return {}; }
    void alert(bool, std::string_view early) override {
        told.push_back(early.empty() ? "alert" : "alert " + std::string(early));
        sink.onLegEvent(id, {LegEvent::Kind::ringing, 180, "", {}});
    }
    void accept(std::string_view answer) override {
        told.push_back("accept " + std::string(answer));
        sink.onLegEvent(id, {LegEvent::Kind::answered, 200, "", {}});
    }
    void release(int status, std::string_view reason, std::string_view cause) override {
        told.push_back(fmt::format("release {} {} [{}]", status, reason, cause));
        up = false;
        sink.onLegEvent(id, {LegEvent::Kind::ended, status, "", {}});
    }
};

class OnwardTest : public RoomTest {
protected:
    std::vector<std::string> told;
    std::unique_ptr<Room> room = rooms.open("gateway/1", "t1", observer);
    // The caller, admitted to wait: our answer kept for it, the leg in setup.
    LegId arrive() {
        std::optional<LegId> leg;
        room->admit(
            kResumeOffer, Role::essential,
            [&](LegId id, LegSink& s) {
                return Result<std::unique_ptr<Leg>>(std::make_unique<WaitingLeg>(id, s, told));
            },
            [&](Result<Room::Admitted> admitted) {
                if (admitted) leg = admitted->leg;
            },
            true);
        EXPECT_TRUE(leg);
        return leg.value_or(LegId{});
    }
};

TEST_F(OnwardTest, TheCallerRingsAndIsAnsweredAsTheLegItGoesOnToIs) {
    const LegId caller = arrive();
    EXPECT_EQ(room->legState(caller), LegState::setup);
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee) << callee.error().message;
    EXPECT_EQ(sip.dials.at(0).offer, "v=0 our offer");
    EXPECT_EQ(sip.dials.at(0).caller.user, "1001") << "the callee is called for the caller";
    EXPECT_EQ(sip.dials.at(0).caller.display, "Front Desk");
    sip.event(*callee, LegEvent::Kind::ringing, {}, 180);
    EXPECT_EQ(room->legState(caller), LegState::ringing);
    EXPECT_EQ(room->state(), RoomState::ringing);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    EXPECT_EQ(told, (std::vector<std::string>{"alert", "accept v=0 our answer"}));
    EXPECT_EQ(room->legState(caller), LegState::connected);
    EXPECT_EQ(room->state(), RoomState::connected);
    EXPECT_FALSE(room->dialOnward(caller, "sip", dial())) << "it goes on once";
    // Digits cross, both ways: in signalling where the leg's media has no telephone-event,
    // and in its RTP (RFC 4733) where it has.
    room->sink().onDigit(caller, '7', std::chrono::milliseconds(160));
    sip.sink->onDigit(*callee, '5', std::chrono::milliseconds(160));
    EXPECT_EQ(sip.digits, "7");
    EXPECT_EQ(told.back(), "digit 5");
    graph.eventLegs = {caller};
    sip.sink->onDigit(*callee, '9', std::chrono::milliseconds(160));
    EXPECT_EQ(graph.digitsInMedia, "9");
    EXPECT_EQ(told.back(), "digit 5") << "not in signalling as well";

    // The caller hangs up: the callee is released too (a fake leg has no cause to give: it
    // hangs up).
    room->hangUp(caller, "BYE");
    EXPECT_EQ(sip.hungUp, 1);
    EXPECT_EQ(room->legState(*callee), LegState::disconnecting);
    sip.event(*callee, LegEvent::Kind::ended);
    EXPECT_EQ(room->state(), RoomState::closed);
    expectNothingLeft();
}

// A callee whose media flows while it rings (SIP 183, H.225.0 Alerting with fastStart): the
// graph takes its early answer, the caller hears it rings with our answer (183, early media),
// and its later answer is not taken again (RFC 3261 §13.2.1).
TEST_F(OnwardTest, EarlyMediaCrossesAsTheCallerRings) {
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::ringing, {}, 180);
    sip.event(*callee, LegEvent::Kind::ringing, "v=0 their early answer", 183);
    EXPECT_EQ(told, (std::vector<std::string>{"alert", "alert v=0 our answer"}));
    EXPECT_EQ(room->legState(*callee), LegState::ringing);
    graph.failAnswered = true; // the graph has the answer: it is not asked again
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    EXPECT_EQ(room->legState(*callee), LegState::connected);
    EXPECT_EQ(room->legState(caller), LegState::connected);
    EXPECT_EQ(told.back(), "accept v=0 our answer");
    room->hangUp(caller, "BYE");
    sip.event(*callee, LegEvent::Kind::ended);
    expectNothingLeft();
}

// The callee answers while the graph is still taking its early answer (an H.323 callee's
// Alerting and Connect come together): it connects once the graph has it.
TEST_F(OnwardTest, AnAnswerWhileTheEarlyOneIsTakenWaitsForIt) {
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    graph.deferred = true;
    sip.event(*callee, LegEvent::Kind::ringing, "v=0 their early answer", 183);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their early answer", 200);
    EXPECT_EQ(room->legState(*callee), LegState::setup);
    graph.release();
    EXPECT_EQ(room->legState(*callee), LegState::connected);
    EXPECT_EQ(room->legState(caller), LegState::connected);
    EXPECT_EQ(told, (std::vector<std::string>{"alert v=0 our answer", "accept v=0 our answer"}));
    room->hangUp(caller, "BYE");
    sip.event(*callee, LegEvent::Kind::ended);
    expectNothingLeft();
}

// The caller holds and resumes (its far end's offers): the callee's far end is held and resumed
// in turn, by offers of ours that hold (sendonly) and do not.
TEST_F(OnwardTest, HoldCrossesToTheOtherLeg) {
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    OfferAnswer hold, resume;
    room->sink().onLegOffer(caller, kHoldOffer, hold.reply());
    ASSERT_TRUE(hold.ok());
    EXPECT_EQ(room->legState(caller), LegState::hold);
    ASSERT_EQ(sip.reoffers.size(), 1u);
    sip.reoffers[0].second(std::string("v=0 held"));
    room->sink().onLegOffer(caller, kResumeOffer, resume.reply());
    EXPECT_EQ(room->legState(caller), LegState::connected);
    ASSERT_EQ(sip.reoffers.size(), 2u);
    EXPECT_EQ(graph.reoffersHeld, (std::vector<bool>{true, false}));
    room->hangUp(caller, "BYE");
    sip.event(*callee, LegEvent::Kind::ended);
    expectNothingLeft();
}

// The observer's step (a gateway's witness entry) comes last: the caller is answered only
// once it is done.
TEST_F(OnwardTest, TheCallerIsAnsweredOnceTheObserversLastStepIsDone) {
    Reply<void> step;
    observer.answering = [&](Reply<void> done) { step = std::move(done); };
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    ASSERT_TRUE(step);
    EXPECT_EQ(room->legState(caller), LegState::setup);
    EXPECT_TRUE(told.empty());
    step({});
    EXPECT_EQ(told, std::vector<std::string>{"accept v=0 our answer"});
    EXPECT_EQ(room->state(), RoomState::connected);
    room->hangUp(caller, "BYE");
    sip.event(*callee, LegEvent::Kind::ended);
    expectNothingLeft();
}

// ... and when it fails, the call is undone newest first: the callee hung up, then the caller
// refused with 500 and the step's error.
TEST_F(OnwardTest, ACallWhoseLastStepFailsIsUndoneNewestFirst) {
    Reply<void> step;
    observer.answering = [&](Reply<void> done) { step = std::move(done); };
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    sip.endsAtOnce = true;
    step(fail(Errc::io, "witness entry: disk I/O error"));
    EXPECT_EQ(sip.hungUp, 1);
    EXPECT_EQ(told, std::vector<std::string>{"release 500 witness entry: disk I/O error []"});
    EXPECT_EQ(room->state(), RoomState::closed);
    expectNothingLeft();
}

// A caller that gives up while the step runs is not answered when it is done.
TEST_F(OnwardTest, ACallerGoneWhileTheLastStepRunsIsNotAnswered) {
    Reply<void> step;
    observer.answering = [&](Reply<void> done) { step = std::move(done); };
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    sip.endsAtOnce = true;
    room->sink().onLegEvent(caller, {LegEvent::Kind::ended, 487, "CANCEL", {}});
    EXPECT_EQ(sip.hungUp, 1);
    step({});
    EXPECT_TRUE(std::none_of(told.begin(), told.end(),
                             [](const std::string& t) { return t.starts_with("accept"); }));
    expectNothingLeft();
}

TEST_F(OnwardTest, TheCallerIsRefusedWithTheStatusAndCauseOfTheLegItWentOnTo) {
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.sink->onLegEvent(
        *callee, {LegEvent::Kind::ended, 486, "released (Q.850 cause 17)", {}, "Q.850;cause=17"});
    EXPECT_EQ(told,
              std::vector<std::string>{"release 486 released (Q.850 cause 17) [Q.850;cause=17]"});
    EXPECT_EQ(observer.heard.at(0).change.cause, "Q.850;cause=17");
    EXPECT_EQ(room->state(), RoomState::closed);
    expectNothingLeft();
}

TEST_F(OnwardTest, ACalleeThatEndsWithoutAStatusIsUnavailable) {
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::failed);
    EXPECT_EQ(told, std::vector<std::string>{"release 480  []"});
    expectNothingLeft();
}

TEST_F(OnwardTest, ACallerThatGivesUpWhileItRingsCancelsTheCallee) {
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::ringing, {}, 180);
    room->sink().onLegEvent(caller, {LegEvent::Kind::ended, 487, "CANCEL", {}});
    EXPECT_EQ(sip.hungUp, 1);
    EXPECT_EQ(room->legState(*callee), LegState::closed);
    expectNothingLeft();
}

TEST_F(OnwardTest, ACalleeThatHangsUpHangsTheCallerUp) {
    const LegId caller = arrive();
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    sip.sink->onLegEvent(*callee, {LegEvent::Kind::ended, 0, "released", {}, "Q.850;cause=16"});
    EXPECT_EQ(told.back(), "release 0 released [Q.850;cause=16]");
    EXPECT_EQ(room->state(), RoomState::closed);
    expectNothingLeft();
}

// A caller that arrived without an offer (an H.323 Setup) takes the graph's offer, and once
// told to answer, answers it as a dialled leg does: through the graph.
TEST_F(OnwardTest, ACallerAdoptedToWaitAnswersTheRoomsOfferWhenTheCalleeAnswers) {
    std::optional<LegId> caller;
    std::string offered;
    LegSink* sink = nullptr;
    room->adopt(
        Role::essential,
        [&](LegId id, LegSink& s, std::string offer) {
            sink = &s;
            offered = std::move(offer);
            return Result<std::unique_ptr<Leg>>(std::make_unique<WaitingLeg>(id, s, told));
        },
        [&](const Result<LegId>& leg) {
            if (leg) caller = *leg;
        },
        true);
    ASSERT_TRUE(caller);
    EXPECT_EQ(offered, "v=0 our offer");
    auto callee = room->dialOnward(*caller, "sip", dial());
    ASSERT_TRUE(callee);
    sip.event(*callee, LegEvent::Kind::answered, "v=0 their answer", 200);
    // WaitingLeg answers with nothing, which the graph refuses (not connected at once: the
    // answer went to the graph), and the call ends.
    EXPECT_EQ(told, (std::vector<std::string>{"accept ", "hang up"}));
    EXPECT_EQ(room->legState(*caller), LegState::closed);
    const auto closed = std::find_if(observer.heard.begin(), observer.heard.end(), [&](auto& h) {
        return h.change.leg == *caller && h.change.to == LegState::closed;
    });
    ASSERT_NE(closed, observer.heard.end());
    EXPECT_EQ(closed->change.reason, "its answer is unusable: no answer");
    EXPECT_EQ(room->legState(*callee), LegState::disconnecting);
    sip.event(*callee, LegEvent::Kind::ended);
    expectNothingLeft();
    (void)sink;
}

TEST_F(OnwardTest, ADialThatFailsAtOnceRefusesTheCaller) {
    const LegId caller = arrive();
    sip.failPlace = true;
    auto callee = room->dialOnward(caller, "sip", dial());
    ASSERT_FALSE(callee);
    EXPECT_EQ(told, std::vector<std::string>{"release 502 call: no route to the expert []"});
    EXPECT_FALSE(room->dialOnward(caller, "sip", dial())) << "refused: nothing waits";
    EXPECT_EQ(room->state(), RoomState::closed);
    expectNothingLeft();
}

} // namespace
} // namespace sb::room
