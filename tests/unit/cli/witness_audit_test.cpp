// The auditor's checks: entries in canonical form, a rebuilt root that must match the signed
// head, an earlier head that must stay a prefix, and proof bundles that verify offline and stop
// verifying when any part of them is changed.
#include "cli/witness_audit.hpp"
#include "witness/entry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::cli {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;
using witness::Hash;

class Audit : public testing::Test {
protected:
    Audit() : dir_(fs::temp_directory_path() / ("sb-audit-" + std::to_string(getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        signer_ = std::move(witness::Signer::loadOrCreate(dir_ / "witness.key")).value();
        for (int i = 0; i < 7; ++i) {
            entries_.push_back(witness::canonicalJson({"4bf92f3577b34da6a3ce929d0e0e4736",
                                                       1'700'000'000'000 + i,
                                                       "call.state",
                                                       "alice",
                                                       {{"step", i}}}));
            tree_.append(leaf(entries_.back()));
        }
    }
    ~Audit() override { fs::remove_all(dir_); }

    static Hash leaf(std::string_view entry) {
        return witness::leafHash(std::as_bytes(std::span(entry)));
    }
    witness::TreeHead head(std::uint64_t size) const {
        return witness::signHead(*signer_, size, *tree_.root(size), 1'700'000'001'000);
    }
    ProofBundle bundle(std::uint64_t index, std::uint64_t size) const {
        return {index, entries_[index], *tree_.inclusionProof(index, size), head(size)};
    }

    fs::path dir_;
    std::unique_ptr<witness::Signer> signer_;
    std::vector<std::string> entries_;
    witness::MerkleTree tree_;
};

TEST_F(Audit, CanonicalEntriesPass) {
    auto entry = checkEntry(entries_[0]);
    ASSERT_TRUE(entry) << entry.error().message;
    EXPECT_EQ((*entry)["actor"], "alice");
}

TEST_F(Audit, EntriesNotInCanonicalFormOrShapeAreNamed) {
    EXPECT_THAT(checkEntry("[]").error().message, HasSubstr("not a JSON object"));
    EXPECT_THAT(checkEntry(R"({"actor":"a","data":{},"time":1,"trace_id":"t","type":"x","y":1})")
                    .error()
                    .message,
                HasSubstr("exactly"));
    EXPECT_THAT(
        checkEntry(R"({"actor":1,"data":{},"time":1,"trace_id":"t","type":"x"})").error().message,
        HasSubstr("actor"));
    EXPECT_THAT(checkEntry(R"({"actor":"a","data":{},"time":"1","trace_id":"t","type":"x"})")
                    .error()
                    .message,
                HasSubstr("time"));
    EXPECT_THAT(
        checkEntry(R"({"actor":"a","data":[],"time":1,"trace_id":"t","type":"x"})").error().message,
        HasSubstr("data"));
    // The same event, spaced or reordered: other bytes, another leaf.
    EXPECT_THAT(checkEntry(R"({"actor":"a", "data":{},"time":1,"trace_id":"t","type":"x"})")
                    .error()
                    .message,
                HasSubstr("canonical"));
    EXPECT_THAT(
        checkEntry(R"({"data":{},"actor":"a","time":1,"trace_id":"t","type":"x"})").error().message,
        HasSubstr("canonical"));
}

TEST_F(Audit, TheRebuiltTreeMatchesItsSignedHead) {
    EXPECT_TRUE(checkHead(tree_, head(7), signer_->publicKeyPem()));
    EXPECT_TRUE(checkHead(tree_, head(3), signer_->publicKeyPem()));
}

TEST_F(Audit, AChangedEntryBreaksTheRoot) {
    witness::MerkleTree altered;
    for (std::size_t i = 0; i < entries_.size(); ++i)
        altered.append(leaf(i == 4 ? entries_[i] + " " : entries_[i]));
    EXPECT_THAT(checkHead(altered, head(7), signer_->publicKeyPem()).error().message,
                HasSubstr("hash to root"));
}

TEST_F(Audit, AHeadLargerThanTheLogOrSignedByAnotherKeyFails) {
    witness::MerkleTree shorter;
    shorter.append(leaf(entries_[0]));
    EXPECT_THAT(checkHead(shorter, head(7), signer_->publicKeyPem()).error().message,
                HasSubstr("the log has 1"));
    auto other = witness::Signer::loadOrCreate(dir_ / "other.key");
    ASSERT_TRUE(other);
    EXPECT_THAT(checkHead(tree_, head(7), (*other)->publicKeyPem()).error().message,
                HasSubstr("signature"));
    auto forged = head(7);
    forged.timestampMs += 1;
    EXPECT_THAT(checkHead(tree_, forged, signer_->publicKeyPem()).error().message,
                HasSubstr("signature"));
}

TEST_F(Audit, AnEarlierHeadMustStayAPrefix) {
    EXPECT_TRUE(checkEarlierHead(tree_, head(4), signer_->publicKeyPem()));
    witness::MerkleTree rewritten;
    for (std::size_t i = 0; i < entries_.size(); ++i)
        rewritten.append(leaf(i == 1 ? entries_[2] : entries_[i]));
    EXPECT_THAT(checkEarlierHead(rewritten, head(4), signer_->publicKeyPem()).error().message,
                HasSubstr("rewritten"));
    witness::MerkleTree truncated;
    truncated.append(leaf(entries_[0]));
    EXPECT_THAT(checkEarlierHead(truncated, head(4), signer_->publicKeyPem()).error().message,
                HasSubstr("only 1"));
}

TEST_F(Audit, AProofBundleRoundTripsAndVerifiesOffline) {
    for (std::uint64_t size = 1; size <= 7; ++size)
        for (std::uint64_t index = 0; index < size; ++index) {
            auto read = parseProofBundle(toJson(bundle(index, size)));
            ASSERT_TRUE(read) << read.error().message;
            EXPECT_TRUE(checkProof(*read, signer_->publicKeyPem()))
                << "index " << index << " size " << size;
        }
}

TEST_F(Audit, AChangedBundleDoesNotVerify) {
    const auto pem = signer_->publicKeyPem();
    auto otherEntry = bundle(2, 7);
    otherEntry.entry = entries_[3];
    EXPECT_THAT(checkProof(otherEntry, pem).error().message, HasSubstr("index 2"));
    auto otherIndex = bundle(2, 7);
    otherIndex.index = 3;
    EXPECT_FALSE(checkProof(otherIndex, pem));
    auto otherPath = bundle(2, 7);
    otherPath.path[0][0] ^= 1;
    EXPECT_FALSE(checkProof(otherPath, pem));
    auto otherHead = bundle(2, 7);
    otherHead.head.root[5] ^= 1;
    EXPECT_THAT(checkProof(otherHead, pem).error().message, HasSubstr("signature"));
    auto badEntry = bundle(2, 7);
    badEntry.entry = "{}";
    EXPECT_THAT(checkProof(badEntry, pem).error().message, HasSubstr("entry:"));
}

TEST_F(Audit, AMalformedBundleNamesTheMember) {
    EXPECT_THAT(parseProofBundle("nope").error().message, HasSubstr("not a JSON object"));
    EXPECT_THAT(parseProofBundle(R"({"index":-1})").error().message, HasSubstr("index"));
    EXPECT_THAT(parseProofBundle(R"({"index":0,"entry":1})").error().message, HasSubstr("entry"));
    EXPECT_THAT(parseProofBundle(R"({"index":0,"entry":"e","proof":["zz"]})").error().message,
                HasSubstr("proof"));
    EXPECT_THAT(parseProofBundle(R"({"index":0,"entry":"e","proof":[]})").error().message,
                HasSubstr("head"));
    EXPECT_THAT(parseProofBundle(R"({"index":0,"entry":"e","proof":[],"head":{}})").error().message,
                HasSubstr("tree_size"));
}

} // namespace
} // namespace sb::cli
