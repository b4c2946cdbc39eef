// Signed tree heads: the Ed25519 key made once (owner-only) and found again, heads that verify
// and stop verifying when anything in them changes, a signature OpenSSL's own command line
// accepts, and a JSON form whose reader names what is wrong.
#include "witness/signer.hpp"

#include <cstdlib>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sb::witness {
namespace {

namespace fs = std::filesystem;
using testing::HasSubstr;

class Heads : public testing::Test {
protected:
    Heads() : dir_(fs::temp_directory_path() / ("sb-heads-" + std::to_string(getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~Heads() override { fs::remove_all(dir_); }
    fs::path dir_;
};

Hash someRoot() {
    return leafHash(std::as_bytes(std::span(std::string_view("root"))));
}

TEST_F(Heads, TheKeyIsMadeOnceForTheOwnerAloneAndFoundAgain) {
    auto first = Signer::loadOrCreate(dir_ / "witness.key");
    ASSERT_TRUE(first) << first.error().message;
    struct stat st {};
    ASSERT_EQ(stat((dir_ / "witness.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    auto again = Signer::loadOrCreate(dir_ / "witness.key");
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->publicKeyPem(), (*first)->publicKeyPem());
    EXPECT_THAT((*first)->publicKeyPem(), HasSubstr("BEGIN PUBLIC KEY"));
    std::ofstream(dir_ / "bad.key") << "not a key";
    auto bad = Signer::loadOrCreate(dir_ / "bad.key");
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error().message, HasSubstr("not an Ed25519 private key"));
}

TEST_F(Heads, AHeadVerifiesUntilAnythingInItChanges) {
    auto signer = std::move(Signer::loadOrCreate(dir_ / "witness.key")).value();
    const auto head = signHead(*signer, 42, someRoot(), 1764547200000);
    const auto pem = signer->publicKeyPem();
    EXPECT_TRUE(verifyHead(head, pem));
    auto changed = head;
    changed.size = 43;
    EXPECT_FALSE(verifyHead(changed, pem));
    changed = head;
    changed.root[0] ^= 1;
    EXPECT_FALSE(verifyHead(changed, pem));
    changed = head;
    changed.timestampMs += 1;
    EXPECT_FALSE(verifyHead(changed, pem));
    auto other = std::move(Signer::loadOrCreate(dir_ / "other.key")).value();
    EXPECT_FALSE(verifyHead(head, other->publicKeyPem()));
}

TEST_F(Heads, OpenSslsCommandLineAcceptsTheSignature) {
    auto signer = std::move(Signer::loadOrCreate(dir_ / "witness.key")).value();
    const auto head = signHead(*signer, 7, someRoot(), 1764547200000);
    std::ofstream(dir_ / "public.pem") << signer->publicKeyPem();
    std::ofstream(dir_ / "message", std::ios::binary) << signedPart(head);
    std::ofstream(dir_ / "signature", std::ios::binary)
        .write(reinterpret_cast<const char*>(head.signature.data()),
               static_cast<std::streamsize>(head.signature.size()));
    const auto verify = [&](const std::string& message) {
        return std::system(("openssl pkeyutl -verify -pubin -inkey " +
                            (dir_ / "public.pem").string() + " -rawin -in " +
                            (dir_ / message).string() + " -sigfile " +
                            (dir_ / "signature").string() + " >/dev/null 2>&1")
                               .c_str());
    };
    EXPECT_EQ(verify("message"), 0);
    std::ofstream(dir_ / "altered", std::ios::binary) << signedPart(head) << " ";
    EXPECT_NE(verify("altered"), 0);
}

TEST(TreeHeadJson, RoundTripsAndNamesWhatIsWrong) {
    TreeHead head{5, 1764547200000, someRoot(), std::vector<std::uint8_t>(64, 0xab)};
    const auto json = toJson(head);
    EXPECT_THAT(json, HasSubstr(R"("tree_size":5)"));
    auto back = parseTreeHead(json);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->size, 5u);
    EXPECT_EQ(back->timestampMs, 1764547200000);
    EXPECT_EQ(back->root, head.root);
    EXPECT_EQ(back->signature, head.signature);
    EXPECT_THAT(parseTreeHead("[1]").error().message, HasSubstr("not a JSON object"));
    EXPECT_THAT(parseTreeHead(R"({"tree_size":-1})").error().message, HasSubstr("tree_size"));
    EXPECT_THAT(parseTreeHead(R"({"tree_size":1,"timestamp":2,"root_hash":"zz"})").error().message,
                HasSubstr("root_hash"));
    auto noSignature = json;
    noSignature.replace(noSignature.find("\"signature\""), 11, "\"signatures\"");
    EXPECT_THAT(parseTreeHead(noSignature).error().message, HasSubstr("signature"));
}

} // namespace
} // namespace sb::witness
