// DataChannels on two SCTP associations of ours, their packets carried in memory: a channel
// opened by each end on its own parity and acknowledged, text, binary and empty messages both
// ways, the peer's max-message-size held to, a close reaching the other end, and what DCEP does
// not allow refused with the channel named.
#include "webrtc/data_channels.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <thread>

namespace sb::webrtc {
namespace {

using Bytes = std::vector<std::byte>;

Bytes bytes(std::string_view s) {
    Bytes b(s.size());
    std::memcpy(b.data(), s.data(), s.size());
    return b;
}

struct End {
    std::deque<Bytes> outbox;
    std::vector<std::string> opened, closed, refused, heard;
    std::unique_ptr<SctpTransport> sctp;
    std::optional<DataChannels> channels;

    void make(std::uint16_t local, std::uint16_t remote, DtlsRole role, std::uint64_t peerLimit) {
        SctpTransport::Options o;
        o.localPort = local;
        o.remotePort = remote;
        o.rtoInitial = std::chrono::milliseconds(40); // a lost packet is sent again soon
        o.rtoMin = std::chrono::milliseconds(20);
        o.rtoMax = std::chrono::milliseconds(80);
        SctpTransport::Handlers h;
        h.send = [this](std::span<const std::byte> p) { outbox.emplace_back(p.begin(), p.end()); };
        sctp = SctpTransport::make(o, std::move(h)).value();
        channels.emplace(
            *sctp, role, peerLimit,
            DataChannels::Handlers{
                [this](const DataChannel& c) {
                    opened.push_back(fmt::format("{} {}", c.id, c.params.label));
                },
                [this](const DataChannel& c, std::span<const std::byte> m, bool binary) {
                    heard.push_back(fmt::format(
                        "{} {} {}", c.id, binary ? "binary" : "text",
                        std::string(reinterpret_cast<const char*>(m.data()), m.size())));
                },
                [this](const DataChannel& c) { closed.push_back(fmt::format("{}", c.id)); },
                [this](const Error& e) { refused.push_back(e.message); }});
    }
};

class Channels : public testing::Test {
protected:
    Channels() {
        // The server takes messages of 65,536 bytes at most, the client 262,144.
        client_.make(5000, 5000, DtlsRole::client, 65536);
        server_.make(5000, 5000, DtlsRole::server, 262144);
        client_.sctp->start();
        server_.sctp->start();
        pump();
    }
    void pump() {
        for (int round = 0; round < 200; ++round) {
            if (client_.outbox.empty() && server_.outbox.empty()) return;
            auto a = std::exchange(client_.outbox, {});
            auto b = std::exchange(server_.outbox, {});
            for (auto& p : a)
                server_.sctp->receive(p);
            for (auto& p : b)
                if (lostFromServer_ > 0)
                    --lostFromServer_;
                else
                    client_.sctp->receive(p);
        }
        FAIL() << "the two ends kept talking";
    }

    End client_, server_;
    int lostFromServer_ = 0; // the server's next packets, lost
};

TEST_F(Channels, EachEndOpensOnItsParityAndMessagesCross) {
    auto evidence = client_.channels->open({ChannelType::reliable, 0, 0, "evidence", ""});
    auto context =
        server_.channels->open({ChannelType::reliableUnordered, 0, 0, "context", "json"});
    ASSERT_TRUE(evidence && context);
    EXPECT_EQ(*evidence % 2, 0);
    EXPECT_EQ(*context % 2, 1);
    // Sent before the ack: it must arrive after the open, in order.
    ASSERT_TRUE(client_.channels->send(*evidence, bytes("first"), false));
    pump();
    std::sort(client_.opened.begin(), client_.opened.end());
    EXPECT_EQ(client_.opened, (std::vector<std::string>{fmt::format("{} evidence", *evidence),
                                                        fmt::format("{} context", *context)}));
    EXPECT_EQ(server_.opened.size(), 2u);
    EXPECT_EQ(client_.channels->find(*evidence)->state, DataChannel::State::open);
    EXPECT_EQ(server_.channels->find(*context)->params.protocol, "json");

    ASSERT_TRUE(server_.channels->send(*evidence, bytes("\x01\x02"), true));
    ASSERT_TRUE(server_.channels->send(*context, {}, false));
    ASSERT_TRUE(client_.channels->send(*context, {}, true));
    pump();
    EXPECT_EQ(server_.heard, (std::vector<std::string>{fmt::format("{} text first", *evidence),
                                                       fmt::format("{} binary ", *context)}));
    EXPECT_EQ(client_.heard, (std::vector<std::string>{fmt::format("{} binary \x01\x02", *evidence),
                                                       fmt::format("{} text ", *context)}));
}

// RFC 8832 §6: the peer's first message may open a channel of ours before its ack does (the
// ack's packet lost, the message unordered); the ack that follows is not an error.
TEST_F(Channels, AnAckAfterThePeersFirstMessageIsTakenQuietly) {
    lostFromServer_ = 1; // the packet carrying the server's DATA_CHANNEL_ACK
    auto id = client_.channels->open({ChannelType::reliableUnordered, 0, 0, "chat", ""});
    ASSERT_TRUE(id);
    pump();
    ASSERT_TRUE(server_.channels->send(*id, bytes("hello"), false));
    pump();
    EXPECT_EQ(client_.heard, std::vector<std::string>{fmt::format("{} text hello", *id)});
    for (int step = 0; step < 80; ++step) { // the ack, retransmitted
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        SctpTransport::advanceTimers(std::chrono::milliseconds(5));
        pump();
    }
    EXPECT_EQ(client_.refused, std::vector<std::string>{});
    ASSERT_TRUE(client_.channels->find(*id));
    EXPECT_EQ(client_.channels->find(*id)->state, DataChannel::State::open);
    EXPECT_TRUE(client_.closed.empty());
}

TEST_F(Channels, ThePeersMaxMessageSizeIsHeldTo) {
    auto id = client_.channels->open({ChannelType::reliable, 0, 0, "evidence", ""});
    auto back = server_.channels->open({ChannelType::reliable, 0, 0, "back", ""});
    pump();
    const Bytes atLimit(65536, std::byte{7}), over(65537, std::byte{7});
    ASSERT_TRUE(client_.channels->send(*id, atLimit, true)); // the server takes 65,536
    auto refused = client_.channels->send(*id, over, true);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, fmt::format("DataChannel {}: a message of 65537 bytes is "
                                                   "over the peer's max-message-size of 65536 "
                                                   "(RFC 8841 §6)",
                                                   *id));
    ASSERT_TRUE(server_.channels->send(*back, over, true)); // the client takes 262,144
    pump();
    EXPECT_EQ(server_.heard.size(), 1u);
    EXPECT_EQ(client_.heard.size(), 1u);
}

TEST_F(Channels, ACloseReachesThePeerAndTheIdIsFreeAgain) {
    auto id = client_.channels->open({ChannelType::reliable, 0, 0, "evidence", ""});
    pump();
    client_.channels->close(*id);
    pump();
    EXPECT_EQ(server_.closed, std::vector<std::string>{fmt::format("{}", *id)});
    EXPECT_EQ(client_.closed, std::vector<std::string>{fmt::format("{}", *id)});
    EXPECT_EQ(client_.channels->find(*id), nullptr);
    EXPECT_EQ(server_.channels->send(*id, bytes("x"), false).error().code, Errc::not_found);
}

TEST_F(Channels, WhatDcepDoesNotAllowIsRefusedNamingTheStream) {
    // The server opens on an even stream, which is the client's to open.
    auto open = writeDcep(DataChannelOpen{ChannelType::reliable, 0, 0, "sneaky", ""}).value();
    ASSERT_TRUE(server_.sctp->send(4, Ppid::dcep, open, {}));
    // An ack nobody waited for, a message on a stream with no channel, DCEP that is not DCEP.
    ASSERT_TRUE(server_.sctp->send(7, Ppid::dcep, writeDcep(DataChannelAck{}).value(), {}));
    ASSERT_TRUE(server_.sctp->send(9, Ppid::string, bytes("hello?"), {}));
    ASSERT_TRUE(server_.sctp->send(11, Ppid::dcep, bytes("\x09"), {}));
    pump();
    EXPECT_EQ(client_.refused,
              (std::vector<std::string>{
                  "DCEP: the peer opened stream 4, whose parity is ours (RFC 8832 §6)",
                  "DCEP: an ack on stream 7, which awaits none",
                  "DataChannel 9: a message on a stream with no channel",
                  "DCEP: message type 0x09 is unknown"}));
    EXPECT_TRUE(client_.opened.empty());
    // The association goes on.
    auto id = client_.channels->open({ChannelType::reliable, 0, 0, "evidence", ""});
    pump();
    EXPECT_EQ(server_.opened.size(), 1u);
    EXPECT_TRUE(client_.channels->find(*id));
}

} // namespace
} // namespace sb::webrtc
