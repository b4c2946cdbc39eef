// Two SCTP associations of ours, their packets carried in memory: set-up from both ends at
// once, messages of every size both ways (a large one delivered in parts and put together),
// unordered and partially reliable sending, a stream closed by a reset, a lost packet sent
// again on the timer, and what is not SCTP ignored.
#include "webrtc/sctp_transport.hpp"

#include <deque>
#include <functional>
#include <gtest/gtest.h>
#include <thread>

namespace sb::webrtc {
namespace {

using Packet = std::vector<std::byte>;

struct Peer {
    std::deque<Packet> outbox;
    bool connected = false, writable = false;
    std::optional<Error> failure;
    std::vector<std::pair<std::uint16_t, Ppid>> heard;
    std::vector<Packet> messages;
    std::vector<std::uint16_t> closed;
    std::unique_ptr<SctpTransport> sctp; // last: its ABORT, when it goes, reaches the outbox

    void make(std::uint16_t local, std::uint16_t remote) {
        SctpTransport::Options o;
        o.localPort = local;
        o.remotePort = remote;
        // Short timeouts: usrsctp's retransmissions wait for real time to pass.
        o.rtoInitial = std::chrono::milliseconds(40);
        o.rtoMin = std::chrono::milliseconds(20);
        o.rtoMax = std::chrono::milliseconds(80);
        sctp =
            SctpTransport::make(
                o,
                {[this](std::span<const std::byte> p) { outbox.emplace_back(p.begin(), p.end()); },
                 [this] { connected = true; },
                 [this](std::uint16_t s, Ppid ppid, std::span<const std::byte> m) {
                     heard.emplace_back(s, ppid);
                     messages.emplace_back(m.begin(), m.end());
                 },
                 [this](std::uint16_t s) { closed.push_back(s); }, [this] { writable = true; },
                 [this](const Error& e) { failure = e; }})
                .value();
    }
};

class Sctp : public testing::Test {
protected:
    Sctp() {
        a_.make(5000, 5001);
        b_.make(5001, 5000);
    }
    // Carries packets both ways until there are none (bounded); `drop` loses the next ones of
    // A's, after the first `after`.
    void pump(int drop = 0, int after = 0) {
        for (int round = 0; round < 500; ++round) {
            if (a_.outbox.empty() && b_.outbox.empty()) return;
            auto fromA = std::exchange(a_.outbox, {});
            auto fromB = std::exchange(b_.outbox, {});
            for (auto& p : fromA)
                if (after-- > 0 || drop-- <= 0) b_.sctp->receive(p);
            for (auto& p : fromB)
                a_.sctp->receive(p);
        }
        FAIL() << "the two ends kept talking";
    }
    void connect() {
        a_.sctp->start();
        b_.sctp->start();
        pump();
        ASSERT_TRUE(a_.connected && b_.connected);
    }
    static Packet filled(std::size_t n) {
        Packet p(n);
        for (std::size_t i = 0; i < n; ++i)
            p[i] = static_cast<std::byte>(i * 7 + i / 251);
        return p;
    }

    Peer a_, b_;
};

TEST_F(Sctp, BothEndsStartAndMessagesOfEverySizeCross) {
    connect();
    for (std::size_t size : {1u, 1200u, 65535u, 200000u}) {
        ASSERT_TRUE(a_.sctp->send(2, Ppid::binary, filled(size), {}));
        pump();
    }
    ASSERT_TRUE(b_.sctp->send(3, Ppid::string, filled(100), {}));
    pump();
    ASSERT_EQ(b_.messages.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(b_.messages[i], filled(std::array<std::size_t, 4>{1, 1200, 65535, 200000}[i]));
    EXPECT_EQ(b_.heard.front(), (std::pair<std::uint16_t, Ppid>{2, Ppid::binary}));
    ASSERT_EQ(a_.messages.size(), 1u);
    EXPECT_EQ(a_.heard.front(), (std::pair<std::uint16_t, Ppid>{3, Ppid::string}));
}

TEST_F(Sctp, UnorderedAndPartiallyReliableMessagesArrive) {
    connect();
    SctpTransport::SendOptions unordered, oneTry, halfASecond;
    unordered.ordered = false;
    oneTry.maxRetransmits = 0;
    halfASecond.maxLifetime = std::chrono::milliseconds(500);
    ASSERT_TRUE(a_.sctp->send(4, Ppid::binary, filled(10), unordered));
    ASSERT_TRUE(a_.sctp->send(6, Ppid::binary, filled(20), oneTry));
    ASSERT_TRUE(a_.sctp->send(8, Ppid::binary, filled(30), halfASecond));
    pump();
    EXPECT_EQ(b_.messages.size(), 3u);
}

TEST_F(Sctp, AClosedStreamIsResetAtThePeer) {
    connect();
    ASSERT_TRUE(a_.sctp->send(2, Ppid::string, filled(5), {}));
    pump();
    a_.sctp->closeStream(2);
    pump();
    EXPECT_EQ(b_.closed, std::vector<std::uint16_t>{2});
}

TEST_F(Sctp, ALostPacketIsSentAgainOnTheTimer) {
    connect();
    ASSERT_TRUE(a_.sctp->send(2, Ppid::binary, filled(1000), {}));
    pump(1); // the DATA chunk is lost
    EXPECT_TRUE(b_.messages.empty());
    for (int i = 0; i < 20 && b_.messages.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        SctpTransport::advanceTimers(std::chrono::milliseconds(20));
        pump();
    }
    ASSERT_EQ(b_.messages.size(), 1u);
    EXPECT_EQ(b_.messages.front(), filled(1000));
}

// Lets usrsctp's timers run for `ms` milliseconds of real time, carrying what they send.
void runTimers(const std::function<void()>& pump, int ms) {
    for (int i = 0; i < ms / 5; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        SctpTransport::advanceTimers(std::chrono::milliseconds(5));
        pump();
    }
}

// A message over our limit (262,144) comes in pieces (usrsctp's partial delivery): none of it
// is delivered, not even its last piece as a message of its own, and the channel is closed.
TEST_F(Sctp, AMessageOverTheLimitIsNotDeliveredInPart) {
    connect();
    ASSERT_TRUE(a_.sctp->send(2, Ppid::binary, filled(400000), {}));
    pump();
    runTimers([this] { pump(); }, 300);
    EXPECT_TRUE(b_.messages.empty()) << b_.messages.front().size() << " octets delivered";
    EXPECT_EQ(a_.closed, std::vector<std::uint16_t>{2}) << "the channel is closed";
    ASSERT_TRUE(a_.sctp->send(6, Ppid::binary, filled(10), {}));
    pump();
    ASSERT_EQ(b_.messages.size(), 1u);
    EXPECT_EQ(b_.messages.front(), filled(10));
}

// A partially reliable message abandoned after some of its pieces were delivered (RFC 3758):
// they are not taken for the start of the stream's next message.
TEST_F(Sctp, AnAbandonedMessagesPiecesAreNotTheNextOnesStart) {
    connect();
    SctpTransport::SendOptions oneTry;
    oneTry.maxRetransmits = 0;
    ASSERT_TRUE(a_.sctp->send(4, Ppid::binary, filled(200000), oneTry));
    pump(100000, 115); // lost after some 120 KiB: usrsctp has begun to deliver it
    runTimers([this] { pump(); }, 500);
    EXPECT_TRUE(b_.messages.empty());
    Packet next(10, std::byte{0xCC});
    ASSERT_TRUE(a_.sctp->send(4, Ppid::binary, next, {}));
    pump();
    runTimers([this] { pump(); }, 100);
    ASSERT_EQ(b_.messages.size(), 1u);
    EXPECT_EQ(b_.messages.front(), next);
}

TEST_F(Sctp, NothingCrossesBeforeTheAssociationIsUpAndNoiseIsIgnored) {
    EXPECT_EQ(a_.sctp->send(2, Ppid::binary, filled(5), {}).error().code, Errc::incomplete);
    const Packet noise(64, std::byte{0x42});
    b_.sctp->receive(noise); // a bad checksum: dropped
    connect();
    b_.sctp->receive(noise);
    EXPECT_FALSE(b_.failure);
    ASSERT_TRUE(a_.sctp->send(2, Ppid::binary, filled(5), {}));
    pump();
    EXPECT_EQ(b_.messages.size(), 1u);
}

} // namespace
} // namespace sb::webrtc
