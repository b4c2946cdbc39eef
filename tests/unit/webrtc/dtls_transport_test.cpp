// DTLS between two of our transports, in memory: the handshake in each role, data both ways,
// the same DTLS-SRTP keys on both sides (RFC 5764 §4.2), a described fingerprint that does not
// match ending the handshake with the mismatch named, retransmission when a flight is lost,
// and close_notify.
#include "webrtc/dtls_transport.hpp"

#include <deque>
#include <gtest/gtest.h>
#include <thread>

namespace sb::webrtc {
namespace {

using Datagram = std::vector<std::byte>;

struct End {
    std::unique_ptr<DtlsTransport> transport;
    std::deque<Datagram> outbox; // what it sent, not yet delivered
    std::vector<std::string> received;
    std::optional<Error> failure;
    bool connected = false, closed = false;
    std::size_t largestDatagram = 0;

    DtlsTransport::Handlers handlers() {
        return {[this](std::span<const std::byte> d) {
                    outbox.emplace_back(d.begin(), d.end());
                    largestDatagram = std::max(largestDatagram, d.size());
                },
                [this] { connected = true; },
                [this](std::span<const std::byte> d) {
                    received.emplace_back(reinterpret_cast<const char*>(d.data()), d.size());
                },
                [this](const Error& e) { failure = e; }, [this] { closed = true; }};
    }
};

class Dtls : public testing::Test {
protected:
    void make(const std::vector<Fingerprint>& clientSees,
              const std::vector<Fingerprint>& serverSees) {
        client_.transport = DtlsTransport::make(*clientId_, DtlsRole::client, clientSees,
                                                client_.handlers(), options_)
                                .value();
        server_.transport = DtlsTransport::make(*serverId_, DtlsRole::server, serverSees,
                                                server_.handlers(), options_)
                                .value();
    }
    void make() { make({serverId_->fingerprint()}, {clientId_->fingerprint()}); }
    // Delivers what each side sent until neither has anything more to say (bounded).
    void pump(bool dropFirstFromClient = false) {
        for (int round = 0; round < 50; ++round) {
            if (client_.outbox.empty() && server_.outbox.empty()) return;
            auto fromClient = std::exchange(client_.outbox, {});
            auto fromServer = std::exchange(server_.outbox, {});
            for (auto& d : fromClient) {
                if (std::exchange(dropFirstFromClient, false)) continue;
                server_.transport->receive(d);
            }
            for (auto& d : fromServer)
                client_.transport->receive(d);
        }
        FAIL() << "the two ends kept talking";
    }
    static std::span<const std::byte> text(std::string_view s) {
        return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
    }

    std::optional<DtlsIdentity> clientId_ = DtlsIdentity::generate("client").value();
    std::optional<DtlsIdentity> serverId_ = DtlsIdentity::generate("server").value();
    End client_, server_;
    DtlsTransport::Options options_;
};

TEST_F(Dtls, HandshakeDataBothWaysAndTheSameSrtpKeys) {
    make();
    client_.transport->start();
    server_.transport->start();
    pump();
    ASSERT_TRUE(client_.connected) << (client_.failure ? client_.failure->message : "");
    ASSERT_TRUE(server_.connected) << (server_.failure ? server_.failure->message : "");
    EXPECT_LE(client_.largestDatagram, DtlsTransport::Options{}.mtu);
    EXPECT_LE(server_.largestDatagram, DtlsTransport::Options{}.mtu);
    ASSERT_TRUE(client_.transport->send(text("an SCTP packet from the client")));
    ASSERT_TRUE(server_.transport->send(text("and one from the server")));
    pump();
    EXPECT_EQ(server_.received, std::vector<std::string>{"an SCTP packet from the client"});
    EXPECT_EQ(client_.received, std::vector<std::string>{"and one from the server"});

    const auto& c = client_.transport->srtp();
    const auto& s = server_.transport->srtp();
    ASSERT_TRUE(c && s);
    EXPECT_EQ(c->profile, "SRTP_AES128_CM_SHA1_80");
    EXPECT_EQ(c->localKeyAndSalt(DtlsRole::client), s->remoteKeyAndSalt(DtlsRole::server));
    EXPECT_EQ(s->localKeyAndSalt(DtlsRole::server), c->remoteKeyAndSalt(DtlsRole::client));
    EXPECT_EQ(c->localKeyAndSalt(DtlsRole::client).size(), 30u);
    EXPECT_NE(c->clientKey, c->serverKey);
}

TEST_F(Dtls, AFingerprintThatDoesNotMatchEndsTheHandshakeNamingIt) {
    auto stranger = DtlsIdentity::generate("stranger").value();
    make({stranger.fingerprint()}, {clientId_->fingerprint()});
    client_.transport->start();
    pump();
    ASSERT_TRUE(client_.failure);
    EXPECT_EQ(client_.transport->state(), DtlsTransport::State::failed);
    EXPECT_EQ(client_.failure->message,
              "DTLS: the peer's certificate does not match its description's fingerprint: "
              "sha-256 " +
                  fingerprintText(serverId_->fingerprint().digest) + " (described " +
                  fingerprintText(stranger.fingerprint().digest) + ")");
    EXPECT_FALSE(client_.connected);
    EXPECT_FALSE(client_.transport->send(text("x")));
}

TEST_F(Dtls, ALostFlightIsSentAgainOnTheTimer) {
    options_.firstRetransmit = std::chrono::milliseconds(20); // OpenSSL's timer is the real clock
    make();
    client_.transport->start();
    pump(true); // the ClientHello is lost
    EXPECT_FALSE(server_.connected);
    const auto due = client_.transport->nextTimeout();
    ASSERT_TRUE(due);
    EXPECT_LE(*due, std::chrono::milliseconds(20));
    client_.transport->onTimeout(); // too early: nothing is sent
    EXPECT_TRUE(client_.outbox.empty());
    std::this_thread::sleep_for(*due + std::chrono::milliseconds(5));
    client_.transport->onTimeout();
    ASSERT_EQ(client_.outbox.size(), 1u); // the ClientHello again
    pump();
    EXPECT_TRUE(client_.connected);
    EXPECT_TRUE(server_.connected);
    EXPECT_FALSE(client_.transport->nextTimeout());
}

TEST_F(Dtls, CloseNotifyReachesThePeer) {
    make();
    client_.transport->start();
    pump();
    ASSERT_TRUE(server_.connected);
    client_.transport->close();
    pump();
    EXPECT_TRUE(server_.closed);
    EXPECT_EQ(server_.transport->state(), DtlsTransport::State::closed);
}

// A DTLS 1.2 handshake record (epoch 0) of 16 bytes of nonsense.
std::string nonsenseRecord() {
    std::string record = "\x16\xfe\xfd";
    record += std::string(9, '\0') + '\x10' + std::string(16, '\x7f'); // epoch, sequence, 16
    return record;
}

TEST_F(Dtls, WhatIsNotFramedAsDtlsIsDroppedAndTheHandshakeGoesOn) {
    make();
    server_.transport->start();
    const std::string junk(60, '\x16');
    server_.transport->receive(text(junk));
    EXPECT_EQ(server_.transport->dropped(), 1u);
    client_.transport->start();
    pump();
    EXPECT_FALSE(server_.failure);
    EXPECT_TRUE(server_.connected);
    EXPECT_TRUE(client_.connected);
    // Once connected, a plaintext record of the first epoch is discarded (RFC 6347 §4.1.2.7).
    server_.transport->receive(text(nonsenseRecord()));
    EXPECT_EQ(server_.transport->state(), DtlsTransport::State::connected);
    ASSERT_TRUE(client_.transport->send(text("still here")));
    pump();
    EXPECT_EQ(server_.received, std::vector<std::string>{"still here"});
}

TEST_F(Dtls, ANonsenseHandshakeMessageFailsTheHandshakeWithOpenSslsReason) {
    make();
    server_.transport->start();
    server_.transport->receive(text(nonsenseRecord()));
    ASSERT_TRUE(server_.failure);
    EXPECT_TRUE(server_.failure->message.starts_with("DTLS: the handshake failed: "))
        << server_.failure->message;
    EXPECT_EQ(server_.transport->state(), DtlsTransport::State::failed);
}

} // namespace
} // namespace sb::webrtc
