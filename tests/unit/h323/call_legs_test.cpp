// H.323 calls as legs of a room, their audio carried by the rooms' media graph: the scripted
// peer (tests/interop/h323_peer.erl) calls in with Fast Connect, and is called, in an echo
// room, sends a 1 kHz µ-law tone over RTP, and must hear it come back from the address it was
// given; the room sees each leg connect and close, and nothing is left after.
#include "h323/call_legs.hpp"
#include "session/echo_room.hpp"
#include "session/worker_graph.hpp"
#include "support/h323_peer.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <future>
#include <gtest/gtest.h>
#include <thread>
#include <unistd.h>

namespace sb::h323 {
namespace {

struct Changes : room::RoomObserver {
    std::vector<room::LegState> states; // every leg's, in order
    bool hangUpOnAnswer = false, reofferOnAnswer = false;
    std::optional<Result<void>> reoffered; // the outcome of the room's new offer
    void onLegChange(room::Room& room, const room::LegChange& change, room::RoomState) override {
        states.push_back(change.to);
        if (change.to != room::LegState::connected) return;
        if (hangUpOnAnswer) room.hangUp(change.leg, "the test is done");
        if (reofferOnAnswer && !reoffered) {
            reoffered = fail(Errc::incomplete, "no answer yet");
            (void)room.reoffer(change.leg, [this](const Result<void>& r) { reoffered = r; });
        }
    }
};

// A gatekeeper's word, as the legs ask it: what they ask is written down; an alias alone is
// located at `located`; each admission is answered at once, or, when `held` is set, handed
// to it to answer.
struct Gatekeeping final : Admissions {
    std::vector<std::string> asked;
    h225::TransportAddress located;
    std::function<void(std::function<void()> answer)> held;

    void admit(const CallIds&, ras::Aliases destination,
               std::optional<ras::TransportAddress> address, bool answering,
               std::uint32_t bandwidth, Admitted done) override {
        const auto* digits =
            destination.empty() ? nullptr : std::get_if<h225::DialedDigits>(&destination.front());
        asked.push_back(fmt::format("ARQ {}{}{} {}", answering ? "answering " : "",
                                    digits ? digits->digits : "?", address ? " at its address" : "",
                                    bandwidth));
        RasClient::Admission admission;
        admission.admitted = true;
        admission.destination = address.value_or(located);
        admission.bandWidth = bandwidth;
        if (held) return held([done, admission] { done(admission); });
        done(admission);
    }
    void changeBandwidth(const CallIds&, bool, std::uint32_t bandwidth) override {
        asked.push_back(fmt::format("BRQ {}", bandwidth));
    }
    void disengage(const CallIds&, bool answering) override {
        asked.emplace_back(answering ? "DRQ answering" : "DRQ");
    }
};

class CallLegsPeer : public testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() / fmt::format("sb-legs-peer-{}", ::getpid());
        const auto built = test::buildH323Peer(dir_, SB_VECTORS_DIR, SB_INTEROP_DIR);
        ASSERT_TRUE(built.succeeded) << built.output;
        session::ConferenceOptions options;
        options.media.codecs = {{"opus", 48000, 2}, {"PCMU", 8000, 1}, {"PCMA", 8000, 1}};
        graph_.emplace(lanes_, options);
        rooms_.emplace(*graph_);
        rooms_->provide("h323", legs_);
        Call::Config base;
        base.aliases = {h225::DialedDigits{"2002"}};
        auto endpoint = CallEndpoint::start(control_, {asio::ip::make_address("127.0.0.1"), 0},
                                            base, legs_.events());
        ASSERT_TRUE(endpoint) << endpoint.error().message;
        endpoint_ = std::move(*endpoint);
        legs_.use(*endpoint_);
        room_ = rooms_->open(std::string(session::kEchoRoom), "trace-h323", changes_);
        worker_ = std::thread([this] { control_.run(); });
    }
    // Everything goes on the control loop, and the media workers report what they hold once
    // the legs have left; then what the loop ran is read here.
    void stop() {
        if (!worker_.joinable()) return;
        asio::post(control_, [this] {
            room_.reset();
            endpoint_.reset();
            graph_->refresh([this] { work_.reset(); });
        });
        worker_.join();
    }
    void expectNothingLeft() {
        EXPECT_EQ(legs_.legs(), 0u);
        EXPECT_EQ(rooms_->stats().legs, 0u);
        EXPECT_EQ(graph_->figures().participants, 0u);
        EXPECT_EQ(graph_->figures().rooms, 0u);
    }
    void TearDown() override {
        stop();
        std::filesystem::remove_all(dir_);
    }

    // An arrived call goes into the echo room; one the room cannot take is refused.
    void arrived(std::uint64_t call) {
        room_->adopt(room::Role::essential, legs_.adopt(call),
                     [this, call](const Result<room::LegId>& leg) {
                         if (!leg) legs_.refuse(call, 47); // Q.850: resource unavailable
                     });
    }

    std::string runPeer(const std::string& scenario, int port,
                        const std::function<void(int)>& started = {}) {
        return test::runH323Peer(dir_, scenario, port, started);
    }

    asio::io_context control_;
    asio::executor_work_guard<asio::io_context::executor_type> work_ =
        asio::make_work_guard(control_);
    session::MediaLanes lanes_{
        control_, 1, asio::ip::make_address("127.0.0.1"), {47200, 47299}, {}};
    std::optional<session::WorkerGraph> graph_;
    std::optional<room::Rooms> rooms_;
    CallLegs legs_{[this](std::uint64_t call, const h225::Setup&) { arrived(call); }};
    std::unique_ptr<CallEndpoint> endpoint_;
    Changes changes_;
    std::unique_ptr<room::Room> room_;
    std::thread worker_;
    std::filesystem::path dir_;
};

TEST_F(CallLegsPeer, ACallerHearsItselfThroughAnEchoRoom) {
    const auto said = runPeer("call-in-audio", endpoint_->localEndpoint().port());
    EXPECT_EQ(said, "ok call proceeding\n"
                    "ok the fastStart answer\n"
                    "early media in alerting\n"
                    "ok connect\n"
                    "ok its own tone heard back\n"
                    "ok released\n"
                    "done\n");
    stop();
    EXPECT_EQ(changes_.states,
              (std::vector<room::LegState>{room::LegState::connected, room::LegState::closed}));
    expectNothingLeft();
}

TEST_F(CallLegsPeer, ACalledPeerHearsItselfThroughAnEchoRoom) {
    const auto said = runPeer("call-out-audio", 0, [this](int port) {
        asio::post(control_, [this, port] {
            auto leg = room_->dial("h323", {fmt::format("h323:3003@127.0.0.1:{}", port), "", {}},
                                   room::Role::essential);
            ASSERT_TRUE(leg) << leg.error().message;
        });
    });
    // Dialled for no one, the call names Switchboard's own alias as its caller.
    EXPECT_EQ(said, "ok setup with fastStart\n"
                    "called by [{dialedDigits,\"2002\"}]\n"
                    "ok its own tone heard back\n"
                    "ok released\n"
                    "done\n");
    stop();
    EXPECT_EQ(changes_.states,
              (std::vector<room::LegState>{room::LegState::ringing, room::LegState::connected,
                                           room::LegState::closed}));
    expectNothingLeft();
}

// A caller that holds with the empty capability set and resumes with its own: to the room,
// the leg goes on hold and back, as a SIP phone's re-INVITEs would move it. The room's own new
// offer meanwhile goes out as our capability set, and is answered with the agreed audio.
TEST_F(CallLegsPeer, ACallerThatHoldsAndResumesMovesItsLeg) {
    changes_.reofferOnAnswer = true;
    const auto said = runPeer("call-in-hold", endpoint_->localEndpoint().port());
    EXPECT_EQ(said, "ok call proceeding\n"
                    "ok alerting\n"
                    "ok connect\n"
                    "ok released\n"
                    "done\n");
    stop();
    EXPECT_EQ(changes_.states,
              (std::vector<room::LegState>{room::LegState::connected, room::LegState::hold,
                                           room::LegState::connected, room::LegState::closed}));
    ASSERT_TRUE(changes_.reoffered);
    EXPECT_TRUE(*changes_.reoffered) << changes_.reoffered->error().message;
    expectNothingLeft();
}

// A far end that forwards the call (Facility, callForwarded) is followed: the leg places a new
// call to the address and number the Facility gives, and that one is answered; the room sees
// one leg ring, connect and close.
TEST_F(CallLegsPeer, ACallForwardedByTheFarEndIsFollowed) {
    changes_.hangUpOnAnswer = true;
    const auto said = runPeer("call-out-forwarded", 0, [this](int port) {
        asio::post(control_, [this, port] {
            auto leg = room_->dial("h323", {fmt::format("h323:3003@127.0.0.1:{}", port), "", {}},
                                   room::Role::essential);
            ASSERT_TRUE(leg) << leg.error().message;
        });
    });
    EXPECT_EQ(said, "ok setup with fastStart\n"
                    "ok released by the caller after the forward\n"
                    "ok a setup for 4004 at the forwarded address\n"
                    "ok released by the caller\n"
                    "done\n");
    stop();
    EXPECT_EQ(changes_.states,
              (std::vector<room::LegState>{room::LegState::ringing, room::LegState::connected,
                                           room::LegState::disconnecting, room::LegState::closed}));
    expectNothingLeft();
}

// With a gatekeeper: an alias alone is placed where it is located, the forwarded call is
// admitted anew (it names the address it goes to), and each call is disengaged when it ends.
TEST_F(CallLegsPeer, EachCallIsAdmittedLocatedAndDisengaged) {
    Gatekeeping gatekeeping;
    legs_.admitThrough(gatekeeping);
    changes_.hangUpOnAnswer = true;
    const auto said = runPeer("call-out-forwarded", 0, [&](int port) {
        asio::post(control_, [&, port] {
            gatekeeping.located = {{127, 0, 0, 1}, static_cast<std::uint16_t>(port)};
            auto leg = room_->dial("h323", {"h323:3003", "", {}}, room::Role::essential);
            ASSERT_TRUE(leg) << leg.error().message;
        });
    });
    EXPECT_NE(said.find("ok a setup for 4004 at the forwarded address\n"), std::string::npos)
        << said;
    stop();
    EXPECT_EQ(
        gatekeeping.asked,
        (std::vector<std::string>{"ARQ 3003 1280", "ARQ 4004 at its address 1280", "DRQ", "DRQ"}));
    EXPECT_EQ(legs_.admitted(), 0u);
    expectNothingLeft();
}

// A leg hung up while its admission is asked places no call, and gives the admission back when
// it comes.
TEST_F(CallLegsPeer, ALegGoneBeforeItsAdmissionGivesItBack) {
    Gatekeeping gatekeeping;
    legs_.admitThrough(gatekeeping);
    std::promise<std::size_t> done; // the calls placed after the answer came
    room::LegId leg{};
    gatekeeping.held = [&](const std::function<void()>& answer) {
        asio::post(control_, [&, answer] {
            room_->hangUp(leg, "the test is done");
            answer();
            asio::post(control_, [&] { done.set_value(endpoint_->calls()); });
        });
    };
    asio::post(control_, [&] {
        auto dialled = room_->dial("h323", {"h323:3003", "", {}}, room::Role::essential);
        ASSERT_TRUE(dialled) << dialled.error().message;
        leg = *dialled;
    });
    EXPECT_EQ(done.get_future().get(), 0u);
    stop();
    EXPECT_EQ(gatekeeping.asked, (std::vector<std::string>{"ARQ 3003 1280", "DRQ"}));
    EXPECT_EQ(legs_.admitted(), 0u);
    expectNothingLeft();
}

} // namespace
} // namespace sb::h323
