// Our DTLS identity, checked by OpenSSL's own command line: an ECDSA P-256 self-signed
// certificate whose SHA-256 fingerprint is the one we give; a peer's certificate matches the
// fingerprint its description gave, or the error names both.
#include "support/command_output.hpp"
#include "webrtc/dtls_identity.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::webrtc {
namespace {

// What `openssl <arguments>` prints for the certificate in PEM.
std::string opensslOn(const std::string& pem, const std::string& arguments) {
    const auto file =
        std::filesystem::temp_directory_path() / ("sb-dtls-" + std::to_string(::getpid()) + ".pem");
    std::ofstream(file) << pem;
    std::string out = test::commandOutput("openssl " + arguments + " -in " + file.string());
    std::filesystem::remove(file);
    return out;
}

TEST(DtlsIdentity, OpensslSeesAP256CertificateWithOurFingerprint) {
    auto id = DtlsIdentity::generate("switchboard-test");
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(id->fingerprint().hash, "sha-256");
    ASSERT_EQ(id->fingerprint().digest.size(), 32u);
    const std::string pem = id->certificatePem();
    EXPECT_EQ(opensslOn(pem, "x509 -noout -fingerprint -sha256"),
              "sha256 Fingerprint=" + fingerprintText(id->fingerprint().digest) + "\n");
    const std::string text = opensslOn(pem, "x509 -noout -text");
    EXPECT_NE(text.find("ASN1 OID: prime256v1"), std::string::npos) << text;
    EXPECT_NE(text.find("Signature Algorithm: ecdsa-with-SHA256"), std::string::npos);
    EXPECT_NE(text.find("Subject: CN = switchboard-test"), std::string::npos);
    EXPECT_NE(text.find("Issuer: CN = switchboard-test"), std::string::npos);
}

TEST(DtlsIdentity, EachIdentityIsItsOwn) {
    auto a = DtlsIdentity::generate(), b = DtlsIdentity::generate();
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->fingerprint(), b->fingerprint());
}

TEST(DtlsIdentity, APeersCertificateMustMatchItsDescribedFingerprint) {
    auto peer = DtlsIdentity::generate("peer"), other = DtlsIdentity::generate("other");
    ASSERT_TRUE(peer && other);
    EXPECT_TRUE(verifyFingerprint(peer->certificate(), {peer->fingerprint()}));
    // Any described fingerprint with a hash we know will do, sha-1 included.
    auto sha1 = fingerprintOf(peer->certificate(), "sha-1");
    ASSERT_TRUE(sha1);
    EXPECT_TRUE(verifyFingerprint(peer->certificate(), {other->fingerprint(), *sha1}));
    auto wrong = verifyFingerprint(peer->certificate(), {other->fingerprint()});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().message,
              "DTLS: the peer's certificate does not match its description's fingerprint: "
              "sha-256 " +
                  fingerprintText(peer->fingerprint().digest) + " (described " +
                  fingerprintText(other->fingerprint().digest) + ")");
    EXPECT_EQ(verifyFingerprint(peer->certificate(), {{"md5", {1, 2, 3}}}).error().message,
              "DTLS: the peer's description gave no fingerprint with a hash we know");
    EXPECT_FALSE(verifyFingerprint(nullptr, {peer->fingerprint()}));
}

} // namespace
} // namespace sb::webrtc
