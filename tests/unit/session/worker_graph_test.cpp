// The rooms' media on media workers: each room on one lane (the lane with the fewest rooms when
// it opens), every outcome back on the control loop, and nothing left once the legs have gone.
#include "session/worker_graph.hpp"

#include <asio/ip/address.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <optional>
#include <thread>

namespace sb::session {
namespace {

using namespace std::chrono_literals;

TEST(SplitPorts, EqualSharesThatStartEvenAndCoverTheRange) {
    auto shares = splitPorts({20001, 29999}, 3);
    ASSERT_EQ(shares.size(), 3u);
    EXPECT_EQ(shares[0].first, 20002);
    EXPECT_EQ(shares[2].last, 29999);
    for (std::size_t i = 0; i < shares.size(); ++i) {
        EXPECT_EQ(shares[i].first % 2, 0) << i;
        if (i > 0) {
            EXPECT_EQ(shares[i].first, shares[i - 1].last + 1) << i;
        }
        const int pairs = (shares[i].last - shares[i].first + 1) / 2;
        EXPECT_TRUE(pairs == 1666 || pairs == 1667) << pairs;
    }
    EXPECT_EQ(splitPorts({30000, 30003}, 8).size(), 2u); // two pairs: two shares at most
}

class WorkerGraphTest : public ::testing::Test {
protected:
    WorkerGraphTest() {
        ConferenceOptions o;
        o.media.codecs = {{"PCMU", 8000, 1}};
        graph_.emplace(lanes_, o);
    }
    // Runs the control loop until every outcome is back (bounded).
    void settle() {
        for (int turn = 0; turn < 2000 && graph_->inFlight() > 0; ++turn) {
            io_.restart();
            if (io_.run_for(10ms) == 0) std::this_thread::sleep_for(1ms);
        }
        ASSERT_EQ(graph_->inFlight(), 0u);
    }
    // Our offer for `leg` into `room`, and the port in it.
    std::uint16_t offerPort(std::uint64_t leg, std::string_view room) {
        std::optional<Result<std::string>> offer;
        graph_->offer(room::LegId(leg), room, "", room::LegMedia{}, [&](Result<std::string> o) {
            EXPECT_EQ(std::this_thread::get_id(), control_) << "replies come on the control loop";
            offer = std::move(o);
        });
        EXPECT_FALSE(offer) << "posted to a worker, not answered inline";
        settle();
        EXPECT_TRUE(offer && *offer);
        const auto m = (*offer)->find("m=audio ");
        return static_cast<std::uint16_t>(std::stoi((*offer)->substr(m + 8)));
    }

    std::thread::id control_ = std::this_thread::get_id();
    asio::io_context io_{1};
    MediaLanes lanes_{io_, 2, asio::ip::make_address("127.0.0.1"), {46000, 46099}, {}};
    std::optional<WorkerGraph> graph_;
};

TEST_F(WorkerGraphTest, EachRoomLivesOnTheLaneWithFewestRoomsAndItsLegsFollowIt) {
    ASSERT_EQ(lanes_.workers(), 2u);
    const auto first = offerPort(1, "a");
    const auto second = offerPort(2, "b");
    const auto third = offerPort(3, "a");
    // Lane 1 has ports 46000-46049, lane 2 46050-46099.
    EXPECT_LT(first, 46050);
    EXPECT_GE(second, 46050);
    EXPECT_LT(third, 46050) << "a second leg of room a goes where room a is";
    EXPECT_EQ(lanes_.portsLeased(), 3u);

    for (std::uint64_t leg : {1, 2, 3})
        graph_->left(room::LegId(leg));
    settle();
    EXPECT_EQ(lanes_.portsLeased(), 0u);
    EXPECT_EQ(graph_->figures().participants, 0u);
    EXPECT_EQ(graph_->figures().rooms, 0u);
    EXPECT_LT(offerPort(4, "c"), 46050) << "lane 1 is again among the emptiest";
    graph_->left(room::LegId(4));
}

TEST_F(WorkerGraphTest, ALegTheGraphDoesNotKnowIsRefusedAtOnce) {
    std::optional<Result<void>> outcome;
    graph_->answered(room::LegId(9), "v=0", [&](Result<void> r) { outcome = std::move(r); });
    ASSERT_TRUE(outcome);
    EXPECT_EQ(outcome->error().code, Errc::not_found);
}

TEST_F(WorkerGraphTest, FiguresComeBackOnRefreshAndAreExactOnceTheLanesStop) {
    offerPort(1, "a");
    bool refreshed = false;
    graph_->refresh([&] { refreshed = true; });
    settle();
    EXPECT_TRUE(refreshed);
    lanes_.stop();
    EXPECT_EQ(lanes_.portsLeased(), 1u);
    graph_.reset(); // the lanes stopped first: nothing runs on them while their rooms go
    EXPECT_EQ(lanes_.portsLeased(), 0u);
}

} // namespace
} // namespace sb::session
