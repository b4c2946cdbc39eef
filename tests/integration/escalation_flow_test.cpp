// The escalation flow in one process: the escalations, their rooms, the SIP adapter, the B2BUA,
// the conference graph (on loopback ports), the guard, the registry and the witness log (SQLite
// in a temporary folder) as the server composes them. The far end is scripted: the test reads
// each request the B2BUA sends and answers it as an expert's phone would. SIP timers run in
// virtual time.

#include "app/escalations.hpp"
#include "core/spool_file.hpp"
#include "room/room.hpp"
#include "session/worker_graph.hpp"
#include "sip/room_legs.hpp"
#include "support/recording_sender.hpp"
#include "witness/store_factory.hpp"

#include <asio/io_context.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <optional>
#include <thread>

namespace sb::app {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::parsed;

constexpr std::string_view kPolicy = R"(
[[rules]]
id = "any"
effect = "allow"
agents = ["agent"]
topics = ["*"]
experts = ["*"]
bridges = ["sip"]
reason = "test"
)";

// An expert's answer or offer: PCMU at `port` on loopback, in `direction`.
std::string expertSdp(std::uint16_t port, std::string_view direction = "sendrecv") {
    return fmt::format("v=0\r\no=expert 1 {} IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                       "t=0 0\r\nm=audio {} RTP/AVP 0\r\na={}\r\n",
                       direction == "sendrecv" ? 1 : 2, port, direction);
}

// The port of the first m=audio line of an SDP body, 0 if none.
std::uint16_t audioPort(std::string_view sdp) {
    const auto m = sdp.find("m=audio ");
    return m == std::string_view::npos
               ? 0
               : static_cast<std::uint16_t>(std::atoi(std::string(sdp.substr(m + 8, 5)).c_str()));
}

registry::Expert expert(std::string id, std::string uri) {
    registry::Expert e;
    e.id = std::move(id);
    e.sipUri = std::move(uri);
    return e;
}

class EscalationFlow : public ::testing::Test {
protected:
    EscalationFlow()
        : wheel_([this] { return now_; }, 10ms), b2bua_(wheel_, sender_, sipOptions()),
          lanes_(io_, 1, asio::ip::make_address("127.0.0.1"), {43000, 43001 + 2 * portPairs_}, {}),
          media_(lanes_, {mediaOptions(), 48000}), legs_(b2bua_, "<sip:switchboard@127.0.0.1>"),
          rooms_(media_) {
        rooms_.provide("sip", legs_);
        guard_.replace(*guard::Policy::parse(kPolicy, "test"));
        for (const char* id : {"alice", "bob"})
            EXPECT_TRUE(
                registry_.upsertExpert(expert(id, fmt::format("sip:{}@127.0.0.1:5090", id))));
        const auto folder = std::filesystem::path(::testing::TempDir()) /
                            ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::filesystem::remove_all(folder);
        std::filesystem::create_directories(folder);
        witness_ =
            witness::WitnessLog::open(
                io_, witness::openStore("sqlite:" + (folder / "witness.db").string()).value())
                .value();
        remake(EscalationOptions{});
    }
    void remake(EscalationOptions options) {
        escalations_ = std::make_unique<Escalations>(
            io_, wheel_, rooms_, registry_, guard_, *witness_, std::move(options),
            [this](const json& message, const std::string&, const std::string&) {
                events_.push_back(message["payload"]);
            });
    }

    static sip::B2buaOptions sipOptions() {
        sip::B2buaOptions o;
        o.timers.t1 = 50ms;
        o.limits.sessionExpiresS = 0;
        o.listeners = {{sip::Transport::udp, asio::ip::make_address("127.0.0.1"), 5060}};
        return o;
    }
    static session::MediaOptions mediaOptions() {
        session::MediaOptions o;
        o.codecs = {{"PCMU", 8000, 1}};
        return o;
    }

    // Asks for an escalation and waits (bounded) for the answer, which comes once witnessed.
    EscalationAnswer escalate(const json& payload) {
        api::IfMessage message{"m-1", "escalate", "agent", "switchboard", "", "", payload};
        auto request = api::readEscalateRequest(payload);
        EXPECT_TRUE(request) << request.error().message;
        std::optional<EscalationAnswer> answer;
        escalations_->escalate("agent", message, *request, std::string(32, 'a'),
                               [&](EscalationAnswer a) { answer = std::move(a); });
        runUntil([&] { return answer.has_value(); });
        settle(); // the calls go out once the media worker has made their offers
        return answer.value_or(EscalationAnswer{0, {}, {}});
    }
    // Runs the loop until the media worker has answered everything asked of it.
    void settle() {
        runUntil([&] { return media_.inFlight() == 0; });
    }
    std::size_t participants() {
        settle();
        return media_.figures().participants;
    }
    // Runs the loop (the witness log's acknowledgements come from its writer thread, the
    // media's outcomes from the media worker) until `done`, for at most 2000 turns of 1 to
    // 10 ms: a loop with nothing to run returns at once, so a turn then waits 1 ms.
    template <class Done>
    void runUntil(Done done) {
        for (int turn = 0; turn < 2000 && !done(); ++turn) {
            io_.restart();
            if (io_.run_for(10ms) == 0) std::this_thread::sleep_for(1ms);
        }
        EXPECT_TRUE(done());
    }
    std::string escalationState(const std::string& id) {
        return escalations_->find(id, "agent").value_or(json::object()).value("state", "");
    }

    // The INVITEs sent so far, newest last, without retransmissions.
    std::vector<sip::Message> invites() {
        std::vector<sip::Message> out;
        for (const auto& bytes : sender_.sent) {
            if (!bytes.starts_with("INVITE ")) continue;
            auto invite = parsed(bytes);
            const bool again = std::any_of(out.begin(), out.end(), [&](const sip::Message& m) {
                return m.callId() == invite.callId() && m.cseq().number == invite.cseq().number;
            });
            if (!again) out.push_back(std::move(invite));
        }
        return out;
    }
    bool sent(std::string_view method) {
        return std::any_of(sender_.sent.begin(), sender_.sent.end(),
                           [&](const std::string& b) { return b.starts_with(method); });
    }
    // The far end's response to `request`.
    void respond(const sip::Message& request, int status, std::string_view body = "") {
        std::string text = fmt::format("SIP/2.0 {} Whatever\r\n", status);
        for (const auto& v : request.vias())
            text += fmt::format("Via: {}\r\n", v.text);
        text += fmt::format("From: {}\r\nTo: {};tag=far-{}\r\nCall-ID: {}\r\nCSeq: {} {}\r\n",
                            request.from().text, request.to().text, request.callId().size(),
                            request.callId(), request.cseq().number, request.cseq().method);
        text += "Contact: <sip:expert@127.0.0.1:5090>\r\n";
        if (!body.empty()) text += "Content-Type: application/sdp\r\n";
        text += fmt::format("Content-Length: {}\r\n\r\n{}", body.size(), body);
        deliver(text);
    }
    // A request from the far end inside the dialog `invite` made.
    void farEndRequest(const sip::Message& invite, std::string_view method, int cseq,
                       std::string_view body = "") {
        std::string text = fmt::format(
            "{} sip:sb@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5090;branch="
            "z9hG4bK{}{}\r\nFrom: {};tag=far-{}\r\nTo: {}\r\nCall-ID: {}\r\nCSeq: {} {}\r\n"
            "Contact: <sip:expert@127.0.0.1:5090>\r\n",
            method, method, cseq, invite.to().text, invite.callId().size(), invite.from().text,
            invite.callId(), cseq, method);
        if (!body.empty()) text += "Content-Type: application/sdp\r\n";
        text += fmt::format("Content-Length: {}\r\n\r\n{}", body.size(), body);
        deliver(text);
    }
    // Virtual time: the wheel runs the SIP timers and the stages' ring times.
    void advance(std::chrono::milliseconds by) {
        now_ += by;
        wheel_.advance();
        settle();
    }
    void deliver(const std::string& text) {
        sip::InboundMessage source{
            "", sip::Transport::udp, asio::ip::make_address("127.0.0.1"), 5090, {}, 5060, 0};
        b2bua_.receive(parsed(text), source);
        settle(); // what the message asked of the media worker has been done
    }
    std::vector<std::string> eventNames() const {
        std::vector<std::string> out;
        for (const auto& e : events_)
            out.push_back(e.value("event", "?") + ":" + e.value("room_state", ""));
        return out;
    }
    // Nothing of the escalation is left: no call, no room, no leg, no port, no stream.
    void expectNothingLeft() {
        runUntil([&] { return rooms_.stats().rooms == 0; });
        EXPECT_EQ(rooms_.stats().legs, 0u);
        EXPECT_EQ(b2bua_.stats().calls, 0u);
        EXPECT_EQ(participants(), 0u);
        EXPECT_EQ(lanes_.portsLeased(), 0u);
        EXPECT_EQ(media_.figures().rooms, 0u);
    }

    static constexpr std::uint16_t portPairs_ = 4;
    asio::io_context io_{1};
    net::TimerWheel::Clock::time_point now_ = net::TimerWheel::Clock::now();
    net::TimerWheel wheel_;
    test::RecordingSender sender_;
    sip::B2bua b2bua_;
    session::MediaLanes lanes_; // one media worker, on a thread of its own
    session::WorkerGraph media_;
    sip::RoomLegs legs_;
    room::Rooms rooms_;
    registry::Registry registry_;
    guard::Guard guard_;
    std::unique_ptr<witness::WitnessLog> witness_;
    std::unique_ptr<Escalations> escalations_;
    std::vector<json> events_;
};

TEST_F(EscalationFlow, AnsweredHeldResumedAndHungUpByTheExpert) {
    auto answer = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];

    auto sentInvites = invites();
    ASSERT_EQ(sentInvites.size(), 1u);
    const auto& invite = sentInvites[0];
    EXPECT_EQ(invite.header("X-IF-Expert-ID"), "alice");
    EXPECT_EQ(invite.header("X-IF-Escalation-ID"), id);
    EXPECT_EQ(invite.header("X-IF-Trace-ID"), std::string(32, 'a'));
    // The conference graph's offer, from the pool (tests that run at once share its range).
    const auto port = audioPort(invite.body());
    EXPECT_TRUE(port >= 43000 && port < 43001 + 2 * portPairs_) << invite.body();

    respond(invite, 180);
    respond(invite, 200, expertSdp(5004));
    EXPECT_EQ(escalationState(id), "answered");
    EXPECT_EQ(participants(), 1u);

    farEndRequest(invite, "INVITE", 2, expertSdp(5004, "sendonly"));
    auto held = parsed(sender_.replies.back());
    EXPECT_EQ(held.status(), 200);
    EXPECT_NE(held.body().find("a=recvonly"), std::string::npos) << held.body();
    farEndRequest(invite, "INVITE", 3, expertSdp(5004));
    EXPECT_NE(parsed(sender_.replies.back()).body().find("a=sendrecv"), std::string::npos);
    farEndRequest(invite, "BYE", 4);
    EXPECT_EQ(parsed(sender_.replies.back()).status(), 200);
    EXPECT_EQ(escalationState(id), "ended");

    EXPECT_EQ(eventNames(), (std::vector<std::string>{
                                "calling:setup", "ringing:ringing", "answered:connected",
                                "hold:hold", "resumed:connected", "left:closed", "ended:closed"}));
    expectNothingLeft();
}

// A stop with an escalation answered hangs its call up silently, but not unwitnessed: the log
// keeps, as its last entry, that the escalation was interrupted.
TEST_F(EscalationFlow, AnEscalationInProgressAtTheStopIsWitnessedAsInterrupted) {
    auto answer = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];
    auto sentInvites = invites();
    ASSERT_EQ(sentInvites.size(), 1u);
    respond(sentInvites[0], 200, expertSdp(5004));
    ASSERT_EQ(escalationState(id), "answered");
    escalations_.reset();
    witness_.reset(); // writes what was asked of it
    const auto folder = std::filesystem::path(::testing::TempDir()) /
                        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto store = witness::openStore("sqlite:" + (folder / "witness.db").string());
    ASSERT_TRUE(store);
    const auto size = (*store)->size();
    ASSERT_GT(size, 0u);
    auto last = (*store)->entries(size - 1, size);
    ASSERT_TRUE(last);
    const auto entry = json::parse(last->at(0));
    EXPECT_EQ(entry["type"], "escalation.interrupted");
    EXPECT_EQ(entry["data"]["escalation"], id);
    EXPECT_EQ(entry["data"]["state"], "answered");
}

TEST_F(EscalationFlow, ParallelExpertsTheFirstAnswerWinsTheOtherIsCancelled) {
    registry::Chain chain{"both", {"both"}, {{{"alice", "bob"}, 30s}}};
    ASSERT_TRUE(registry_.upsertChain(chain));
    auto answer = escalate({{"topic", "both"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];
    auto sentInvites = invites();
    ASSERT_EQ(sentInvites.size(), 2u);
    respond(sentInvites[0], 180);
    respond(sentInvites[1], 180);
    respond(sentInvites[1], 200, expertSdp(5006));
    EXPECT_EQ(escalationState(id), "answered");
    EXPECT_TRUE(sent("CANCEL ")) << "the other expert's call is cancelled (RFC 3261 §16.7)";
    EXPECT_EQ(participants(), 1u);
    EXPECT_EQ(lanes_.portsLeased(), 1u); // the cancelled call's ports are back

    escalations_->hangUp(id, "agent", [](const EscalationAnswer&) {});
    EXPECT_TRUE(sent("BYE "));
}

TEST_F(EscalationFlow, AStageThatRingsOutHandsOverToTheNextInVirtualTime) {
    registry::Chain chain{"chain", {"chain"}, {{{"bob"}, 5s}, {{"alice"}, 5s}}};
    ASSERT_TRUE(registry_.upsertChain(chain));
    auto answer = escalate({{"topic", "chain"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];
    auto first = invites();
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].header("X-IF-Expert-ID"), "bob");
    respond(first[0], 180);
    advance(4900ms);
    EXPECT_EQ(invites().size(), 1u) << "bob's stage still rings";
    advance(200ms);
    EXPECT_TRUE(sent("CANCEL ")) << "bob's call is cancelled when his stage rings out";
    auto both = invites();
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[1].header("X-IF-Expert-ID"), "alice");
    respond(both[1], 200, expertSdp(5010));
    EXPECT_EQ(escalationState(id), "answered");
    EXPECT_EQ(eventNames(), (std::vector<std::string>{"calling:setup", "ringing:ringing",
                                                      "left:closed", "next_stage:closed",
                                                      "calling:setup", "answered:connected"}));
}

// The registry's capacity of an expert holds when a later stage rings, not only when the plan
// is made: alice (one escalation at a time) answered another escalation meanwhile.
TEST_F(EscalationFlow, ALaterStageDoesNotRingAnExpertAtCapacity) {
    registry::Chain chain{"chain", {"chain"}, {{{"bob"}, 5s}, {{"alice"}, 5s}}};
    ASSERT_TRUE(registry_.upsertChain(chain));
    auto first = escalate({{"topic", "chain"}, {"reason", "help"}});
    ASSERT_EQ(first.status, 201) << first.body.dump();
    const std::string chained = first.body["payload"]["escalation"];
    auto other = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "help"}});
    ASSERT_EQ(other.status, 201) << other.body.dump();
    auto sentInvites = invites();
    ASSERT_EQ(sentInvites.size(), 2u);
    EXPECT_EQ(sentInvites[1].header("X-IF-Expert-ID"), "alice");
    respond(sentInvites[1], 200, expertSdp(5006));
    EXPECT_EQ(escalationState(other.body["payload"]["escalation"]), "answered");

    advance(5100ms); // bob's stage rings out
    EXPECT_EQ(invites().size(), 2u) << "alice is not rung a second time";
    EXPECT_EQ(escalationState(chained), "failed");
}

// An ended escalation dropped (kept_ended) while its expert's call still closes does not leave
// the expert counted busy.
TEST_F(EscalationFlow, DroppingAnEndedEscalationWhoseCallStillClosesFreesItsExpert) {
    EscalationOptions options;
    options.keptEnded = 1;
    remake(options);
    auto first = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "help"}});
    ASSERT_EQ(first.status, 201) << first.body.dump();
    respond(invites().back(), 200, expertSdp(5006));
    escalations_->hangUp(first.body["payload"]["escalation"], "agent",
                         [](const EscalationAnswer&) {});
    EXPECT_TRUE(sent("BYE ")) << "left unanswered: alice's call is still closing";

    auto second = escalate({{"topic", "billing"}, {"expert", "bob"}, {"reason", "help"}});
    ASSERT_EQ(second.status, 201) << second.body.dump();
    respond(invites().back(), 486); // the second ends: the first is dropped
    EXPECT_EQ(escalationState(second.body["payload"]["escalation"]), "failed");

    auto third = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "again"}});
    EXPECT_EQ(third.status, 201) << third.body.dump();
    EXPECT_EQ(invites().back().header("X-IF-Expert-ID"), "alice");
}

// Each evidence file waits on disk until the escalation is over: an escalation holds 64 at most.
TEST_F(EscalationFlow, AnEscalationHoldsSixtyFourEvidenceFilesAtMost) {
    auto answer = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];
    respond(invites().back(), 200, expertSdp(5006));
    const auto give = [&](int n) {
        auto file = std::make_shared<room::EvidenceFile>();
        file->id = fmt::format("{:032x}", n);
        file->name = fmt::format("scan-{}.txt", n);
        std::optional<EscalationAnswer> got;
        escalations_->addEvidence(id, "agent", file, [&](const EscalationAnswer& a) { got = a; });
        runUntil([&] { return got.has_value(); });
        return got ? got->status : 0;
    };
    for (int n = 0; n < 64; ++n)
        ASSERT_EQ(give(n), 202) << "file " << n;
    EXPECT_EQ(give(64), 413);
}

// All escalations' evidence on disk stays within a bound; an escalation's goes when it ends.
TEST_F(EscalationFlow, TheEvidenceHeldOnDiskIsBounded) {
    EscalationOptions options;
    options.evidenceHeldMost = 3000;
    remake(options);
    const auto open = [&](const char* expert) {
        auto answer = escalate({{"topic", "billing"}, {"expert", expert}, {"reason", "help"}});
        EXPECT_EQ(answer.status, 201) << answer.body.dump();
        respond(invites().back(), 200, expertSdp(5006));
        return answer.body["payload"]["escalation"].get<std::string>();
    };
    const auto give = [&](const std::string& id, std::uint64_t size) {
        auto file = std::make_shared<room::EvidenceFile>();
        file->id = fmt::format("{:032x}", size);
        file->name = "scan.bin";
        file->size = size;
        auto spool = SpoolFile::create(std::filesystem::temp_directory_path());
        if (!spool) return 0;
        file->content = std::make_shared<const SpoolFile>(std::move(spool).value());
        std::optional<EscalationAnswer> got;
        escalations_->addEvidence(id, "agent", file, [&](const EscalationAnswer& a) { got = a; });
        runUntil([&] { return got.has_value(); });
        return got ? got->status : 0;
    };
    const auto first = open("alice");
    EXPECT_EQ(give(first, 2000), 202);
    const auto second = open("bob");
    EXPECT_EQ(give(second, 1001), 507); // 3001 bytes held would pass the bound
    EXPECT_EQ(give(second, 1000), 202);
    EXPECT_EQ(escalations_->stats().evidenceHeld, 3000u);
    std::optional<EscalationAnswer> ended;
    escalations_->hangUp(first, "agent", [&](const EscalationAnswer& a) { ended = a; });
    runUntil([&] { return ended.has_value(); });
    EXPECT_EQ(escalations_->stats().evidenceHeld, 1000u);
    EXPECT_EQ(give(second, 2000), 202);
}

TEST_F(EscalationFlow, AStageWhoseCallsCannotBePlacedFailsAndLeavesNothing) {
    // bob's call cannot even be placed (no route to his host), alice declines: no expert left.
    ASSERT_TRUE(registry_.upsertExpert(expert("bob", "sip:bob@unresolvable.invalid")));
    registry::Chain chain{"both", {"both"}, {{{"bob", "alice"}, 30s}}};
    ASSERT_TRUE(registry_.upsertChain(chain));
    auto answer = escalate({{"topic", "both"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];
    auto sentInvites = invites();
    ASSERT_EQ(sentInvites.size(), 1u);
    EXPECT_EQ(sentInvites[0].header("X-IF-Expert-ID"), "alice");
    respond(sentInvites[0], 486);
    EXPECT_EQ(escalationState(id), "failed");
    EXPECT_EQ(rooms_.stats().undone, 1u); // bob's media offer, undone when the call failed
    expectNothingLeft();
}

// Switchboard's own offer on a leg that is up (as when a video stream is to be added): the
// graph's new offer goes out as a re-INVITE on the expert's call, and the answer changes the
// leg's media.
TEST_F(EscalationFlow, ARoomOffersALegItsMediaAnewThroughAReInvite) {
    struct Quiet : room::RoomObserver {
        void onLegChange(room::Room&, const room::LegChange&, room::RoomState) override {}
    } quiet;
    auto room = rooms_.open("reoffer", std::string(32, 'b'), quiet);
    auto leg = room->dial("sip", {"sip:alice@127.0.0.1:5090", {}, {}}, room::Role::essential);
    ASSERT_TRUE(leg) << leg.error().message;
    settle();
    auto sentInvites = invites();
    const auto& invite = sentInvites.back();
    respond(invite, 200, expertSdp(5004));
    ASSERT_EQ(room->legState(*leg), room::LegState::connected);

    std::optional<Result<void>> outcome;
    ASSERT_TRUE(room->reoffer(*leg, [&](Result<void> r) { outcome = std::move(r); }));
    settle();
    auto reinvite = parsed(sender_.sent.back());
    EXPECT_EQ(reinvite.method(), "INVITE");
    EXPECT_EQ(reinvite.callId(), invite.callId());
    EXPECT_EQ(audioPort(reinvite.body()), audioPort(invite.body()))
        << "the same stream, offered anew: " << reinvite.body();
    EXPECT_NE(reinvite.body().find(" 2 IN IP4"), std::string::npos) << "o= version 2";
    respond(reinvite, 200, expertSdp(5008));
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(*outcome) << outcome->error().message;
    EXPECT_TRUE(parsed(sender_.sent.back()).method() == "ACK");
    EXPECT_EQ(participants(), 1u);

    room.reset(); // hangs up: BYE
    EXPECT_TRUE(parsed(sender_.sent.back()).method() == "BYE");
}

} // namespace
} // namespace sb::app

namespace sb::app {
namespace {

// A party the agent calls into the answered escalation (its side of the conversation): a
// bridge leg of the room, whose changes are witnessed and told with `party`, and which leaves
// when the expert hangs up.
TEST_F(EscalationFlow, APartyJoinsTheAnsweredRoomAndLeavesWithTheExpert) {
    auto answer = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];
    std::optional<EscalationAnswer> early;
    escalations_->addParty(id, "agent", "sip:customer@127.0.0.1:5090",
                           [&](EscalationAnswer a) { early = std::move(a); });
    ASSERT_TRUE(early);
    EXPECT_EQ(early->status, 409) << "no party before the expert answers";

    auto sent = invites();
    const auto& expertInvite = sent.at(0);
    respond(expertInvite, 200, expertSdp(5004));
    ASSERT_EQ(escalationState(id), "answered");
    std::optional<EscalationAnswer> added;
    escalations_->addParty(id, "agent", "sip:customer@127.0.0.1:5090",
                           [&](EscalationAnswer a) { added = std::move(a); });
    runUntil([&] { return added.has_value(); });
    ASSERT_EQ(added->status, 201) << added->body.dump();
    EXPECT_EQ(added->body["party"], "sip:customer@127.0.0.1:5090");
    settle();
    auto withParty = invites();
    ASSERT_EQ(withParty.size(), 2u);
    const auto& partyInvite = withParty.at(1);
    EXPECT_EQ(partyInvite.requestUri().text, "sip:customer@127.0.0.1:5090");
    EXPECT_EQ(partyInvite.header("X-IF-Escalation-ID"), id);
    respond(partyInvite, 200, expertSdp(5006));
    EXPECT_EQ(participants(), 2u); // the expert and the party, linked in one room

    farEndRequest(expertInvite, "BYE", 2);
    EXPECT_EQ(escalationState(id), "ended");
    auto bye = std::find_if(sender_.sent.rbegin(), sender_.sent.rend(), [&](const std::string& m) {
        return m.starts_with("BYE ") && parsed(m).callId() == partyInvite.callId();
    });
    ASSERT_NE(bye, sender_.sent.rend()) << "the party is hung up with the expert";
    respond(parsed(*bye), 200);

    std::vector<std::string> partyEvents;
    for (const auto& e : events_)
        if (e.contains("party")) partyEvents.push_back(e.value("event", "?"));
    EXPECT_EQ(partyEvents, (std::vector<std::string>{"calling", "answered", "hanging_up"}));
    const auto json = escalations_->find(id, "agent").value();
    EXPECT_EQ(json["parties"].at(0)["state"], "closed");
    expectNothingLeft();
}

TEST_F(EscalationFlow, TheAgentsContextReachesTheExpertsPhoneAsAMessage) {
    auto answer = escalate({{"topic", "billing"}, {"expert", "alice"}, {"reason", "help"}});
    ASSERT_EQ(answer.status, 201) << answer.body.dump();
    const std::string id = answer.body["payload"]["escalation"];
    std::optional<EscalationAnswer> taken;
    auto take = [&](EscalationAnswer a) { taken = std::move(a); };
    escalations_->contextUpdate(id, "agent", "too early", "{}", "00", take);
    ASSERT_TRUE(taken);
    EXPECT_EQ(taken->status, 409) << "no context before the expert answers";
    escalations_->contextUpdate(id, "someone else", "not yours", "{}", "00", take);
    EXPECT_EQ(taken->status, 404);

    auto sent = invites();
    const auto& invite = sent.at(0);
    respond(invite, 200, expertSdp(5004));
    ASSERT_EQ(escalationState(id), "answered");
    taken.reset();
    escalations_->contextUpdate(id, "agent", "The customer's router reboots every hour.",
                                "{\"router\":\"reboots\"}", std::string(64, 'a'), take);
    runUntil([&] { return taken.has_value(); });
    ASSERT_EQ(taken->status, 202) << taken->body.dump();
    EXPECT_EQ(taken->body["delivered_to"], nlohmann::json::array({"sip"}));
    auto message = parsed(sender_.sent.back());
    EXPECT_EQ(message.method(), "MESSAGE");
    EXPECT_EQ(message.callId(), invite.callId());
    EXPECT_EQ(message.header(sip::HeaderId::content_type), "text/plain;charset=UTF-8");
    EXPECT_EQ(message.body(), "The customer's router reboots every hour.");
    respond(message, 200);
    EXPECT_EQ(eventNames().back(), "context_update:connected");

    farEndRequest(invite, "BYE", 2);
    expectNothingLeft();
}

} // namespace
} // namespace sb::app
