// ICE with libnice between two agents of ours, inside a network namespace the test makes (ICE
// leaves loopback out): candidates trickled both ways, the pair checked and selected,
// datagrams both ways; then the whole DataChannel stack (DTLS, SCTP, DCEP) over it.
#include "support/child_process.hpp"
#include "support/network_namespace.hpp"
#include "support/posted_work.hpp"
#include "webrtc/data_transport.hpp"
#include "webrtc/ice_agent.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <thread>

namespace sb::webrtc {
namespace {

using namespace std::chrono_literals;

struct Agent {
    std::unique_ptr<IceAgent> ice;
    std::vector<IceCandidate> candidates;
    bool gathered = false;
    IceAgent::State state = IceAgent::State::gathering;
    std::vector<std::string> received;
    std::string selected;
    std::function<void(std::span<const std::byte>)> onDatagram;

    void make(IceLoop& loop, test::PostedWork& owner, IceAgent::Options options) {
        IceAgent::Handlers h;
        h.candidate = [this](const IceCandidate& c) { candidates.push_back(c); };
        h.gathered = [this] { gathered = true; };
        h.state = [this](IceAgent::State s) { state = s; };
        h.received = [this](std::span<const std::byte> d) {
            if (onDatagram) return onDatagram(d);
            received.emplace_back(reinterpret_cast<const char*>(d.data()), d.size());
        };
        h.selected = [this](const std::string& pair) { selected = pair; };
        ice = IceAgent::make(loop, std::move(options), owner.post(), std::move(h)).value();
    }
};

class Ice : public testing::Test {
protected:
    void SetUp() override {
        // A namespace of our own with interfaces that are not loopback, made before the
        // ICE loop's thread, which inherits it.
        ASSERT_TRUE(test::enterNamespaceWithVethPair("sbice", "10.77.0.1", "10.77.0.2"));
        loop_.emplace();
    }
    void makeAgents(std::optional<IceAgent::Options::Turn> turn = {}) {
        IceAgent::Options controlling, controlled;
        controlled.controlling = false;
        controlling.relayOnly = turn.has_value();
        controlling.turn = std::move(turn);
        a_.make(*loop_, owner_, controlling);
        b_.make(*loop_, owner_, controlled);
    }
    void TearDown() override {
        a_.ice.reset();
        b_.ice.reset();
        loop_.reset();
    }
    // Both gather, trade credentials and candidates (trickled: as they come), and connect.
    void connect() {
        for (auto* x : {&a_, &b_})
            ASSERT_TRUE(x->ice->gather());
        ASSERT_TRUE(owner_.runUntil([&] { return a_.gathered && b_.gathered; }));
        ASSERT_FALSE(a_.candidates.empty());
        EXPECT_TRUE(a_.candidates.front().address.starts_with("10.77.0."));
        for (auto [from, to] : {std::pair{&a_, &b_}, std::pair{&b_, &a_}}) {
            auto [ufrag, pwd] = from->ice->localCredentials();
            ASSERT_TRUE(to->ice->setRemoteCredentials(ufrag, pwd));
            for (const auto& c : from->candidates)
                ASSERT_TRUE(to->ice->addRemoteCandidate(c));
            to->ice->remoteGatheringDone();
        }
        ASSERT_TRUE(owner_.runUntil([&] {
            return a_.state == IceAgent::State::connected && b_.state == IceAgent::State::connected;
        }));
    }
    static std::span<const std::byte> text(std::string_view s) {
        return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
    }

    test::PostedWork owner_;
    std::optional<IceLoop> loop_;
    Agent a_, b_;
};

TEST_F(Ice, TwoAgentsConnectAndDatagramsCrossBothWays) {
    makeAgents();
    connect();
    EXPECT_TRUE(a_.selected.starts_with("host 10.77.0.")) << a_.selected;
    a_.ice->send(text("from the controlling agent"));
    b_.ice->send(text("from the controlled agent"));
    ASSERT_TRUE(owner_.runUntil([&] { return !a_.received.empty() && !b_.received.empty(); }));
    EXPECT_EQ(b_.received.front(), "from the controlling agent");
    EXPECT_EQ(a_.received.front(), "from the controlled agent");
}

// What one turn of the owner sends leaves in batches of IceAgent::kBatch (sendmmsg), in order.
TEST_F(Ice, DatagramsSentInOneTurnAllArriveInOrder) {
    makeAgents();
    connect();
    constexpr int kCount = 3 * IceAgent::kBatch + 5;
    for (int i = 0; i < kCount; ++i)
        a_.ice->send(text(fmt::format("datagram {}", i)));
    ASSERT_TRUE(owner_.runUntil([&] { return b_.received.size() == kCount; }));
    for (int i = 0; i < kCount; ++i)
        EXPECT_EQ(b_.received[i], fmt::format("datagram {}", i));
}

// coturn, a real TURN server (RFC 8656), on the namespace's first address: the controlling agent
// gathers relayed candidates only, and the pair goes through the relay.
TEST_F(Ice, AnAgentWithTurnConnectsThroughTheRelay) {
    test::ChildProcess turn;
    ASSERT_TRUE(turn.start({"timeout", "30", "turnserver", "-n", "--listening-ip=10.77.0.1",
                            "--relay-ip=10.77.0.1", "--listening-port=3478", "--min-port=49200",
                            "--max-port=49299", "--lt-cred-mech", "--user=switchboard:relay-secret",
                            "--realm=switchboard.test", "--no-tls", "--no-dtls", "--no-cli",
                            "--log-file=stdout", "--simple-log"}));
    // coturn listens within a few hundred milliseconds; an allocation before that is retried
    // by libnice, which gives up after its own timeout: wait for the port instead.
    for (int i = 0; i < 100 && std::system("ss -Hlun 'sport = :3478' | grep -q .") != 0; ++i)
        std::this_thread::sleep_for(50ms);

    makeAgents(IceAgent::Options::Turn{"10.77.0.1", 3478, "switchboard", "relay-secret",
                                       IceAgent::Options::Turn::Transport::udp});
    connect();
    for (const auto& c : a_.candidates)
        EXPECT_EQ(c.type, CandidateType::relay) << "relay only: no address of ours is given out";
    EXPECT_TRUE(a_.selected.starts_with("relay 10.77.0.1:492")) << a_.selected;
    a_.ice->send(text("through the relay"));
    b_.ice->send(text("and back"));
    ASSERT_TRUE(owner_.runUntil([&] { return !a_.received.empty() && !b_.received.empty(); }));
    EXPECT_EQ(b_.received.front(), "through the relay");
    EXPECT_EQ(a_.received.front(), "and back");
}

TEST_F(Ice, TheDataChannelStackRunsOverIce) {
    makeAgents();
    connect();
    auto clientId = DtlsIdentity::generate().value(), serverId = DtlsIdentity::generate().value();
    std::vector<std::string> heard;
    auto make = [&](Agent& agent, DtlsRole role, const DtlsIdentity& mine,
                    const DtlsIdentity& theirs) {
        DataTransport::Options o;
        o.role = role;
        o.peerFingerprints = {theirs.fingerprint()};
        DataTransport::Handlers h;
        h.send = [&agent](std::span<const std::byte> d) { agent.ice->send(d); };
        h.channels.message = [&heard](const DataChannel& c, std::span<const std::byte> m, bool) {
            heard.push_back(c.params.label + ": " +
                            std::string(reinterpret_cast<const char*>(m.data()), m.size()));
        };
        auto t = DataTransport::make(mine, std::move(o), std::move(h)).value();
        agent.onDatagram = [t = t.get()](std::span<const std::byte> d) { t->receive(d); };
        return t;
    };
    auto client = make(a_, DtlsRole::client, clientId, serverId);
    auto server = make(b_, DtlsRole::server, serverId, clientId);
    server->start();
    client->start();
    ASSERT_TRUE(
        owner_.runUntil([&] { return client->sctp().connected() && server->sctp().connected(); }));
    auto id = client->channels().open({ChannelType::reliable, 0, 0, "evidence", ""});
    ASSERT_TRUE(id);
    ASSERT_TRUE(client->channels().send(*id, text("over ICE, DTLS and SCTP"), false));
    ASSERT_TRUE(owner_.runUntil([&] { return !heard.empty(); }));
    EXPECT_EQ(heard.front(), "evidence: over ICE, DTLS and SCTP");
    a_.onDatagram = b_.onDatagram = nullptr;
}

// A loop made and gone at once (a server started and stopped straight away) stops: its quit
// must not be lost when it comes before the loop's thread has begun to run it.
TEST(IceLoop, ALoopMadeAndGoneAtOnceStops) {
    for (int i = 0; i < 500; ++i)
        IceLoop loop;
}

} // namespace
} // namespace sb::webrtc
