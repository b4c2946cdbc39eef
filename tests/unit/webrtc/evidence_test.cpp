// Evidence files in chunks that fit the peer's max-message-size: sent whole, read in pieces as
// the sender asks, resumed after a reconnect from the first chunk not acknowledged, and refused
// with the chunk and the digests named when a chunk or the file is not what it says.
#include "webrtc/evidence.hpp"

#include <algorithm>
#include <gtest/gtest.h>

namespace sb::webrtc {
namespace {

std::vector<std::byte> file(std::size_t n) {
    std::vector<std::byte> f(n);
    std::uint32_t x = 12345;
    for (auto& b : f) {
        x = x * 1103515245 + 12345;
        b = static_cast<std::byte>(x >> 24);
    }
    return f;
}

const TransferId kTransfer{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

TEST(Evidence, AFileCrossesInChunksThatFitJanusAndAiortc) {
    const auto f = file(3'300'000);
    EvidenceSender sender(kTransfer, "scan.pdf", f, 65535);
    EXPECT_EQ(sender.description().chunkPayload, 65535 - kEvidenceChunkHeader);
    EvidenceReceiver receiver(sender.description());
    std::size_t chunks = 0;
    while (auto chunk = sender.next()) {
        EXPECT_LE(chunk->size(), 65535u);
        ASSERT_TRUE(receiver.take(*chunk));
        ++chunks;
    }
    sender.acknowledged(receiver.next());
    EXPECT_TRUE(receiver.complete());
    EXPECT_TRUE(sender.done());
    EXPECT_EQ(chunks, sender.description().count);
    EXPECT_EQ(receiver.file(), f);
    EXPECT_EQ(hexOf(sender.description().digest), hexOf(sha256Of(f)));
}

TEST(Evidence, ALimitThatLeavesNoPayloadStillMakesChunks) {
    // Refused as the peer's description is read; were one to get here, no division by zero
    // and no chunk of the whole file.
    for (std::uint64_t limit : {1u, 59u, 60u, 61u}) {
        const auto f = file(1000);
        EvidenceSender sender(kTransfer, "scan.pdf", f, limit);
        EXPECT_EQ(sender.description().chunkPayload, kEvidenceChunkHeader) << limit;
        EXPECT_EQ(sender.description().count, 17u) << limit;
    }
}

TEST(Evidence, AfterAReconnectItGoesOnFromTheFirstChunkNotAcknowledged) {
    const auto f = file(1'000'000);
    EvidenceSender sender(kTransfer, "call.wav", f, 65536);
    EvidenceReceiver receiver(sender.description());
    for (int i = 0; i < 6; ++i)
        ASSERT_TRUE(receiver.take(*sender.next()));
    sender.acknowledged(receiver.next()); // 6 held and acknowledged
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(sender.next()); // 4 more sent, lost with the connection
    EXPECT_EQ(sender.acknowledgedChunks(), 6u);
    sender.resume();
    auto again = sender.next();
    ASSERT_TRUE(again);
    EXPECT_EQ(readEvidenceChunk(*again)->index, 6u);
    ASSERT_TRUE(receiver.take(*again));
    ASSERT_TRUE(receiver.take(*again)); // a chunk held already is no error
    while (auto chunk = sender.next())
        ASSERT_TRUE(receiver.take(*chunk));
    EXPECT_TRUE(receiver.complete());
    EXPECT_EQ(receiver.file(), f);
}

TEST(Evidence, WithoutAcknowledgementsAtMostAWindowIsSentReadAndHeld) {
    // A peer that reads but never acknowledges would otherwise have every chunk read and held
    // for a resume: a file's worth of memory for each of its transfers.
    const auto f = file(10'000'000);
    EvidenceSender sender(kTransfer, "scan.bin", f.size(), sha256Of(f), 65535);
    std::uint64_t read = 0;
    const auto sendAll = [&] {
        for (;;) {
            if (auto r = sender.wanted()) {
                sender.supply(std::span(f).subspan(r->offset, r->length));
                read += r->length;
            }
            if (!sender.next()) return;
        }
    };
    sendAll();
    EXPECT_EQ(sender.sentChunks(), EvidenceSender::kWindow);
    EXPECT_EQ(read, EvidenceSender::kWindow * std::uint64_t{sender.description().chunkPayload});
    sender.acknowledged(10); // the window moves on by ten
    sendAll();
    EXPECT_EQ(sender.sentChunks(), EvidenceSender::kWindow + 10);
}

// A file read in pieces as the sender asks (a spool file): it asks for its read-ahead, one
// read at a time, sends only what it was given, holds only what is not acknowledged, and a
// read that comes back after an acknowledgement has passed it keeps only the rest.
TEST(Evidence, AFileReadInPiecesIsAskedForAsItGoes) {
    const auto f = file(5'000'000);
    EvidenceSender sender(kTransfer, "scan.bin", f.size(), sha256Of(f), 65535);
    const std::size_t chunk = sender.description().chunkPayload;
    const auto give = [&](const EvidenceSender::Read& r) {
        sender.supply(std::span(f).subspan(r.offset, r.length));
    };
    EXPECT_FALSE(sender.next()) << "nothing to send before its bytes are read";
    auto first = sender.wanted();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->offset, 0u);
    EXPECT_EQ(first->length, EvidenceSender::kReadAhead * chunk);
    EXPECT_FALSE(sender.wanted()) << "one read at a time";
    give(*first);
    EXPECT_FALSE(sender.wanted()) << "the read-ahead is full";

    EvidenceReceiver receiver(sender.description());
    for (int i = 0; i < 4; ++i)
        ASSERT_TRUE(receiver.take(*sender.next()));
    auto more = sender.wanted(); // four sent: room for four more
    ASSERT_TRUE(more);
    EXPECT_EQ(more->offset, EvidenceSender::kReadAhead * chunk);
    EXPECT_EQ(more->length, 4 * chunk);
    sender.acknowledged(receiver.next());
    give(*more);
    while (!sender.done()) {
        if (auto r = sender.wanted()) give(*r);
        auto c = sender.next();
        ASSERT_TRUE(c) << "chunk " << sender.sentChunks() << " was not read";
        ASSERT_TRUE(receiver.take(*c));
        sender.acknowledged(receiver.next());
    }
    EXPECT_TRUE(receiver.complete());
    EXPECT_EQ(receiver.file(), f);

    // A resume from chunk 40 reads from there; an acknowledgement past a read that is out
    // leaves only the chunks after it.
    EvidenceSender again(kTransfer, "scan.bin", f.size(), sha256Of(f), 65535);
    again.acknowledged(40);
    auto from = again.wanted();
    ASSERT_TRUE(from);
    EXPECT_EQ(from->offset, 40 * chunk);
    again.acknowledged(45);
    again.supply(std::span(f).subspan(from->offset, from->length));
    auto next = again.next();
    ASSERT_TRUE(next);
    EXPECT_EQ(readEvidenceChunk(*next)->index, 45u);
    EXPECT_TRUE(std::ranges::equal(readEvidenceChunk(*next)->payload,
                                   std::span(f).subspan(45 * chunk, chunk)));
}

TEST(Evidence, AChunkThatIsNotWhatItSaysEndsTheTransferNamingIt) {
    const auto f = file(200'000);
    EvidenceSender sender(kTransfer, "photo.jpg", f, 65535);
    EvidenceReceiver receiver(sender.description());
    ASSERT_TRUE(receiver.take(*sender.next()));
    auto second = *sender.next();
    const auto carried = readEvidenceChunk(second)->digest;
    second[kEvidenceChunkHeader + 10] ^= std::byte{0x01};
    const auto actual = sha256Of(std::span(second).subspan(kEvidenceChunkHeader));
    auto refused = receiver.take(second);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "evidence chunk 1: its SHA-256 is " + hexOf(actual) +
                                           ", not the " + hexOf(carried) + " it carries");
    auto third = *sender.next();
    EXPECT_EQ(receiver.take(third).error().message, "evidence chunk 2: out of order, 1 expected");
}

TEST(Evidence, AFileWhoseDigestIsNotTheDescribedOneIsRefused) {
    const auto f = file(70'000);
    EvidenceSender sender(kTransfer, "notes.txt", f, 65535);
    auto description = sender.description();
    description.digest[0] ^= 0xFF;
    EvidenceReceiver receiver(description);
    ASSERT_TRUE(receiver.take(*sender.next()));
    auto last = receiver.take(*sender.next());
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error().message, "evidence: the file's SHA-256 is " + hexOf(sha256Of(f)) +
                                        ", not the described " + hexOf(description.digest));
    EXPECT_FALSE(receiver.complete());
}

TEST(Evidence, AnEmptyFileIsOneEmptyChunk) {
    EvidenceSender sender(kTransfer, "empty", std::vector<std::byte>{}, 0);
    EXPECT_EQ(sender.description().count, 1u);
    EXPECT_EQ(sender.description().chunkPayload, 262144 - kEvidenceChunkHeader);
    EvidenceReceiver receiver(sender.description());
    ASSERT_TRUE(receiver.take(*sender.next()));
    EXPECT_TRUE(receiver.complete());
    EXPECT_FALSE(sender.next());
}

TEST(Evidence, ChunksThatAreNotFramedAsOursAreRefusedNamingTheField) {
    auto why = [](std::vector<std::byte> m) {
        auto c = readEvidenceChunk(m);
        return c ? std::string("accepted") : c.error().message;
    };
    EXPECT_EQ(why(std::vector<std::byte>(10)),
              "evidence chunk: 10 bytes, shorter than its 60-byte header");
    EXPECT_EQ(why(std::vector<std::byte>(60)), "evidence chunk: it does not begin with SBE1");
    auto chunk = writeEvidenceChunk(kTransfer, 5, 5, {});
    EXPECT_EQ(why(chunk), "evidence chunk: index 5 of a count of 5");
    EvidenceSender sender(kTransfer, "x", file(10), 65535);
    auto other = sender.description();
    other.transfer[0] = 99;
    EvidenceReceiver receiver(other);
    EXPECT_NE(receiver.take(*sender.next()).error().message.find("is not"), std::string::npos);
}

} // namespace
} // namespace sb::webrtc
