// What a WebRTC peer says on its control channel (bridge/peer_protocol.hpp): each performative
// read, the acknowledgement's members checked, and bad input refused naming the member.
#include "bridge/peer_protocol.hpp"
#include "webrtc/evidence.hpp"

#include <gtest/gtest.h>

namespace sb::bridge {
namespace {

std::string envelope(std::string_view performative, std::string_view payload) {
    return std::string(R"({"id":"m1","performative":")") + std::string(performative) +
           R"(","sender":"page","receiver":"switchboard","payload":)" + std::string(payload) + "}";
}

TEST(PeerProtocol, EveryPerformativeIsReadByName) {
    for (auto p : {Performative::handshake, Performative::context_update,
                   Performative::evidence_chunk, Performative::session_end, Performative::ack,
                   Performative::error, Performative::candidate}) {
        auto read = readPeerMessage(envelope(nameOf(p), "{}"));
        ASSERT_TRUE(read) << nameOf(p) << ": " << read.error().message;
        EXPECT_EQ(read->performative, p);
        EXPECT_EQ(read->id, "m1");
    }
}

TEST(PeerProtocol, WhatSwitchboardWritesCarriesTheTraceAndReadsBack) {
    std::string id;
    const auto text = writePeerMessage(Performative::context_update,
                                       "0af7651916cd43dd8448eb211c80319c", {{"summary", "s"}}, &id);
    auto read = readPeerMessage(text);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->id, id);
    EXPECT_EQ(read->traceId, "0af7651916cd43dd8448eb211c80319c");
    EXPECT_EQ(read->payload["summary"], "s");
}

TEST(PeerProtocol, BytesThatAreNotUtf8AreReplacedNotThrownOver) {
    // A reason quoting a peer's SDP line, cut inside a character: dump() would throw, on a
    // thread where that ends the process.
    std::string text;
    EXPECT_NO_THROW(text = writePeerMessage(Performative::session_end,
                                            "0af7651916cd43dd8448eb211c80319c",
                                            {{"reason", "bad line '\xc3'"}}, nullptr));
    auto read = readPeerMessage(text);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(read->payload["reason"], "bad line '\xef\xbf\xbd'"); // U+FFFD
}

TEST(PeerProtocol, AChunkAsTextFitsThePeersLimit) {
    // A peer on the JSON fallback (binary: false) takes a chunk's payload in base64: chunks
    // sized for binary would be a third over its limit, and never sent.
    const std::vector<std::byte> file(300000, std::byte{0x5a});
    const webrtc::TransferId transfer{};
    for (std::uint64_t limit : {1024u, 65535u, 65536u, 262144u}) {
        webrtc::EvidenceSender sender(transfer, "scan.pdf", file,
                                      webrtc::evidenceChunkLimitAsText(limit, kChunkEnvelope));
        const auto chunk = sender.next();
        ASSERT_TRUE(chunk);
        auto c = webrtc::readEvidenceChunk(*chunk);
        ASSERT_TRUE(c);
        const auto text = writeEvidenceChunkText("0af7651916cd43dd8448eb211c80319c",
                                                 "0123456789abcdef0123456789abcdef", 4294967295u,
                                                 webrtc::hexOf(c->digest), c->payload);
        EXPECT_LE(text.size(), limit);
        EXPECT_GT(text.size(), limit * 9 / 10 - kChunkEnvelope) << "not needlessly small";
        EXPECT_LE(text.size() - base64(c->payload).size(), kChunkEnvelope);
    }
}

TEST(PeerProtocol, AContextsSizeIsKnownWithoutWritingIt) {
    constexpr std::string_view trace = "0af7651916cd43dd8448eb211c80319c";
    // Compact JSON as the API passes it on: numbers, escapes, UTF-8, nesting; and none.
    for (std::string_view context :
         {std::string_view{R"({"a":[1,2.5,-3e-07,true,null],"b":"line\nbreak \"quoted\" é"})"},
          std::string_view{R"("text")"}, std::string_view{}}) {
        const auto text = writeContextUpdate(trace, "Router \"X1\" reboots", context);
        EXPECT_EQ(contextUpdateSize(trace, "Router \"X1\" reboots", context), text.size())
            << context;
        auto read = readPeerMessage(text);
        ASSERT_TRUE(read);
        EXPECT_EQ(read->payload.contains("context"), !context.empty());
    }
}

TEST(PeerProtocol, AnUnknownPerformativeIsNamed) {
    auto read = readPeerMessage(envelope("dance", "{}"));
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().code, Errc::unsupported);
    EXPECT_EQ(read.error().message, "/performative: unknown performative \"dance\"");
}

TEST(PeerProtocol, BadEnvelopesAreRefusedNamingTheMember) {
    EXPECT_EQ(readPeerMessage("not json").error().message.substr(0, 2), "/:");
    EXPECT_EQ(
        readPeerMessage(R"({"id":"m1","sender":"p","payload":{}})").error().message.substr(0, 13),
        "/performative");
}

TEST(PeerProtocol, AnAcknowledgementsMembersAreChecked) {
    auto full = readAck({{"in_reply_to", "t1"}, {"next", 12}, {"sha256", std::string(64, 'a')}});
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_EQ(full->inReplyTo, "t1");
    EXPECT_EQ(full->next, 12u);
    EXPECT_EQ(full->sha256, std::string(64, 'a'));
    auto bare = readAck({{"in_reply_to", "m2"}});
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->next);

    EXPECT_EQ(readAck(nlohmann::json::object()).error().message,
              "/payload/in_reply_to: expected a message's id");
    EXPECT_EQ(readAck({{"in_reply_to", "t1"}, {"next", -1}}).error().message,
              "/payload/next: expected a chunk index");
    EXPECT_EQ(readAck({{"in_reply_to", "t1"}, {"next", 1ull << 33}}).error().message,
              "/payload/next: expected a chunk index");
    EXPECT_EQ(readAck({{"in_reply_to", "t1"}, {"sha256", "abc"}}).error().message,
              "/payload/sha256: expected 64 hex digits");
}

TEST(PeerProtocol, Base64IsRfc4648s) {
    auto of = [](std::string_view s) {
        return base64({reinterpret_cast<const std::byte*>(s.data()), s.size()});
    };
    // RFC 4648 §10's vectors.
    EXPECT_EQ(of(""), "");
    EXPECT_EQ(of("f"), "Zg==");
    EXPECT_EQ(of("fo"), "Zm8=");
    EXPECT_EQ(of("foo"), "Zm9v");
    EXPECT_EQ(of("foobar"), "Zm9vYmFy");
}

} // namespace
} // namespace sb::bridge
