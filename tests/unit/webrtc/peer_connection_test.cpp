// Two of our peer connections, offer and answer, in a network namespace the test makes (ICE
// leaves loopback out): a DataChannel carries messages, and then ICE restarts (RFC 8445 §9) —
// one side's, answered by the other's takeFragment(), and two that cross — each leaving new
// credentials on both sides, a pair selected again with them, and the channel still carrying;
// and an answer to no restart is refused.
#include "support/network_namespace.hpp"
#include "support/posted_work.hpp"
#include "webrtc/peer_connection.hpp"

#include <gtest/gtest.h>

namespace sb::webrtc {
namespace {

using namespace std::chrono_literals;

struct Side {
    std::unique_ptr<PeerConnection> pc;
    bool gathered = false, ready = false;
    int selections = 0;
    std::vector<std::string> heard;
    std::optional<std::uint16_t> channel;

    void make(IceLoop& loop, const DtlsIdentity& identity, test::PostedWork& owner) {
        PeerConnection::Handlers h;
        h.gathered = [this] { gathered = true; };
        h.ready = [this] { ready = true; };
        h.selected = [this](const std::string&) { ++selections; };
        h.channels.opened = [this](const DataChannel& c) { channel = c.id; };
        h.channels.message = [this](const DataChannel&, std::span<const std::byte> m, bool) {
            heard.emplace_back(reinterpret_cast<const char*>(m.data()), m.size());
        };
        h.failed = [](const Error& why) { ADD_FAILURE() << why.message; };
        pc = std::make_unique<PeerConnection>(loop, identity, owner.post(),
                                              PeerConnection::Options{}, std::move(h));
    }
    std::string ufrag() const { return *pc->localFragment().iceUfrag; }
};

class PeerConnections : public testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(test::enterNamespaceWithVethPair("sbpc", "10.78.0.1", "10.78.0.2"));
        loop_.emplace();
        a_.make(*loop_, identityA_, owner_);
        b_.make(*loop_, identityB_, owner_);
        ASSERT_TRUE(a_.pc->gather(true));
        ASSERT_TRUE(b_.pc->gather(false));
        ASSERT_TRUE(run([&] { return a_.gathered && b_.gathered; }));
        auto offer = a_.pc->offer();
        ASSERT_TRUE(offer);
        auto answer = b_.pc->answer(*offer);
        ASSERT_TRUE(answer) << answer.error().message;
        ASSERT_TRUE(a_.pc->accept(*answer));
        ASSERT_TRUE(run([&] { return a_.ready && b_.ready; })) << a_.pc->progress();
        ASSERT_TRUE(a_.pc->channels()->open({ChannelType::reliable, 0, 0, "context", ""}));
        ASSERT_TRUE(run([&] { return a_.channel && b_.channel; }));
        carries("before any restart");
    }
    void TearDown() override {
        a_.pc.reset();
        b_.pc.reset();
        loop_.reset();
    }
    bool run(const std::function<bool()>& done) {
        return owner_.runUntil(done, 10s, [&] {
            for (auto* side : {&a_, &b_})
                if (side->pc) side->pc->tick();
        });
    }
    // A message from a to b arrives.
    void carries(const std::string& text) {
        const auto* bytes = reinterpret_cast<const std::byte*>(text.data());
        ASSERT_TRUE(a_.pc->channels()->send(*a_.channel, {bytes, text.size()}, false));
        ASSERT_TRUE(run([&] { return !b_.heard.empty() && b_.heard.back() == text; }));
    }

    DtlsIdentity identityA_ = DtlsIdentity::generate().value();
    DtlsIdentity identityB_ = DtlsIdentity::generate().value();
    test::PostedWork owner_;
    std::optional<IceLoop> loop_;
    Side a_, b_;
};

TEST_F(PeerConnections, OneSidesIceRestartIsAnsweredAndAPairSelectedAgain) {
    const auto [oldA, oldB] = std::pair{a_.ufrag(), b_.ufrag()};
    const int selectedA = a_.selections, selectedB = b_.selections;
    auto ours = b_.pc->restartIce(); // the answerer restarts, as Switchboard does
    ASSERT_TRUE(ours);
    EXPECT_NE(*ours->iceUfrag, oldB);
    auto theirs = a_.pc->takeFragment(*ours);
    ASSERT_TRUE(theirs && *theirs) << "an offer of a restart is answered";
    EXPECT_NE(*(*theirs)->iceUfrag, oldA);
    auto answered = b_.pc->takeFragment(**theirs);
    ASSERT_TRUE(answered);
    EXPECT_FALSE(*answered) << "the answer to our restart restarts nothing more";
    EXPECT_EQ(b_.ufrag(), *ours->iceUfrag);
    ASSERT_TRUE(run([&] { return a_.selections > selectedA && b_.selections > selectedB; }))
        << "no pair selected with the new credentials";
    carries("after a restart");
}

TEST_F(PeerConnections, RestartsThatCrossAreEachTheOthersAnswer) {
    const int selectedA = a_.selections, selectedB = b_.selections;
    auto fromA = a_.pc->restartIce();
    auto fromB = b_.pc->restartIce();
    ASSERT_TRUE(fromA && fromB);
    auto atA = a_.pc->takeFragment(*fromB);
    auto atB = b_.pc->takeFragment(*fromA);
    ASSERT_TRUE(atA && atB);
    EXPECT_FALSE(*atA);
    EXPECT_FALSE(*atB);
    EXPECT_EQ(a_.ufrag(), *fromA->iceUfrag);
    EXPECT_EQ(b_.ufrag(), *fromB->iceUfrag);
    ASSERT_TRUE(run([&] { return a_.selections > selectedA && b_.selections > selectedB; }))
        << "no pair selected with the new credentials";
    carries("after crossing restarts");
}

TEST_F(PeerConnections, ATrickleChangesNoCredentials) {
    const auto before = a_.ufrag();
    IceFragment trickle = b_.pc->localFragment();
    trickle.candidates.clear();
    auto outcome = a_.pc->takeFragment(trickle);
    ASSERT_TRUE(outcome);
    EXPECT_FALSE(*outcome);
    EXPECT_EQ(a_.ufrag(), before);
    carries("after a trickle");
}

TEST_F(PeerConnections, AnAnswerToNoRestartOfOursIsRefused) {
    auto restart = b_.pc->restartIce();
    ASSERT_TRUE(restart);
    auto refused = a_.pc->takeFragment(*restart, true);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::invalid_input);
    EXPECT_FALSE(a_.pc->restarting());
}

} // namespace
} // namespace sb::webrtc
