// The whole DataChannel stack of two peer connections of ours, their datagrams carried in
// memory as ICE would: DTLS, then SCTP started over it, then channels opened from both ends and
// messages of every size both ways, no datagram over the MTU; a peer whose certificate does not
// match ends it.
#include "webrtc/data_transport.hpp"

#include <deque>
#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb::webrtc {
namespace {

using Bytes = std::vector<std::byte>;

struct Peer {
    DtlsIdentity identity = DtlsIdentity::generate().value();
    std::deque<Bytes> outbox;
    std::size_t largest = 0; // datagram
    bool ready = false, writable = false;
    std::optional<Error> failure;
    std::vector<std::string> opened;
    std::vector<Bytes> messages;
    std::unique_ptr<DataTransport> transport;

    void make(DtlsRole role, const Fingerprint& peer) {
        DataTransport::Options o;
        o.role = role;
        o.peerFingerprints = {peer};
        o.peerLargestMessage = 262144;
        DataTransport::Handlers h;
        h.send = [this](std::span<const std::byte> d) {
            largest = std::max(largest, d.size());
            outbox.emplace_back(d.begin(), d.end());
        };
        h.ready = [this] { ready = true; };
        h.writable = [this] { writable = true; };
        h.failed = [this](const Error& e) { failure = e; };
        h.channels.opened = [this](const DataChannel& c) { opened.push_back(c.params.label); };
        h.channels.message = [this](const DataChannel&, std::span<const std::byte> m, bool) {
            messages.emplace_back(m.begin(), m.end());
        };
        transport = DataTransport::make(identity, std::move(o), std::move(h)).value();
    }
};

class Stack : public testing::Test {
protected:
    void pump() {
        for (int round = 0; round < 500; ++round) {
            if (client_.outbox.empty() && server_.outbox.empty()) return;
            auto a = std::exchange(client_.outbox, {});
            auto b = std::exchange(server_.outbox, {});
            for (auto& d : a)
                server_.transport->receive(d);
            for (auto& d : b)
                client_.transport->receive(d);
        }
        FAIL() << "the two ends kept talking";
    }
    void connect() {
        client_.make(DtlsRole::client, server_.identity.fingerprint());
        server_.make(DtlsRole::server, client_.identity.fingerprint());
        server_.transport->start();
        client_.transport->start();
        pump();
    }

    Peer client_, server_;
};

TEST_F(Stack, ChannelsOpenOverSctpOverDtlsAndMessagesCross) {
    connect();
    ASSERT_TRUE(client_.ready && server_.ready);
    auto evidence =
        client_.transport->channels().open({ChannelType::reliable, 0, 0, "evidence", ""});
    auto context = server_.transport->channels().open({ChannelType::reliable, 0, 0, "context", ""});
    ASSERT_TRUE(evidence && context);
    pump();
    EXPECT_EQ(client_.opened.size(), 2u);
    EXPECT_EQ(server_.opened.size(), 2u);
    std::vector<std::size_t> sizes{1, 1100, 16384, 65535, 262144};
    for (std::size_t size : sizes) {
        Bytes m(size);
        for (std::size_t i = 0; i < size; ++i)
            m[i] = static_cast<std::byte>(i % 253);
        ASSERT_TRUE(client_.transport->channels().send(*evidence, m, true));
        ASSERT_TRUE(server_.transport->channels().send(*context, m, true));
        pump();
        ASSERT_FALSE(server_.messages.empty());
        EXPECT_EQ(server_.messages.back(), m);
        EXPECT_EQ(client_.messages.back(), m);
    }
    EXPECT_EQ(server_.messages.size(), sizes.size());
    EXPECT_FALSE(client_.failure);
    // Each SCTP packet fits one DTLS record of one datagram within DTLS's MTU, and the large
    // messages fill them.
    const std::size_t mtu = DtlsTransport::Options{}.mtu;
    EXPECT_LE(client_.largest, mtu);
    EXPECT_LE(server_.largest, mtu);
    EXPECT_GT(client_.largest, mtu - DataTransport::kDtlsOverhead);
}

TEST_F(Stack, AFullSendBufferRefusesAndSaysWhenThereIsRoomAgain) {
    connect();
    auto id = client_.transport->channels().open({ChannelType::reliable, 0, 0, "evidence", ""});
    ASSERT_TRUE(id);
    pump();
    // Nothing is carried meanwhile: the 4 MiB send buffer fills, and the next send is refused.
    const Bytes chunk(65000, std::byte{1});
    Result<void> sent;
    int accepted = 0;
    while ((sent = client_.transport->channels().send(*id, chunk, true)) && accepted < 1000)
        ++accepted;
    ASSERT_FALSE(sent);
    EXPECT_EQ(sent.error().code, Errc::incomplete);
    EXPECT_GT(accepted, 30);
    EXPECT_FALSE(client_.writable);
    pump(); // the peer acknowledges what it took
    EXPECT_TRUE(client_.writable);
    EXPECT_TRUE(client_.transport->channels().send(*id, chunk, true));
}

TEST_F(Stack, APeerWhoseCertificateDoesNotMatchNeverGetsAnAssociation) {
    auto stranger = DtlsIdentity::generate().value();
    client_.make(DtlsRole::client, stranger.fingerprint());
    server_.make(DtlsRole::server, client_.identity.fingerprint());
    server_.transport->start();
    client_.transport->start();
    pump();
    ASSERT_TRUE(client_.failure);
    EXPECT_NE(client_.failure->message.find("does not match its description's fingerprint"),
              std::string::npos);
    EXPECT_FALSE(client_.ready);
    EXPECT_FALSE(server_.ready);
}

} // namespace
} // namespace sb::webrtc
