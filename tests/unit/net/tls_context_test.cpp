#include "net/tls_context.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sb::net {
namespace {

TlsClientOptions trusting(std::string caFile) {
    TlsClientOptions o;
    o.caFile = std::move(caFile);
    return o;
}

namespace fs = std::filesystem;

class TlsContextTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("sb-tls-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
};

TEST_F(TlsContextTest, GeneratesAUsableSelfSignedCertificate) {
    const auto cert = (dir_ / "a" / "b" / "cert.pem").string();
    const auto key = (dir_ / "private" / "key.pem").string();
    auto r = generateSelfSigned(cert, key, "switchboard.test");
    ASSERT_TRUE(r) << r.error().message;

    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);

    FILE* f = std::fopen(cert.c_str(), "r");
    ASSERT_NE(f, nullptr);
    X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(X509_check_host(x, "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_host(x, "switchboard.test", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(x, "::1", 0), 1);
    EXPECT_EQ(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
    EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(x), nullptr), 1); // in the future
    X509_free(x);

    auto server = makeServerTlsContext(cert, key);
    EXPECT_TRUE(server) << server.error().message;
    auto client = makeClientTlsContext(trusting(cert));
    EXPECT_TRUE(client) << client.error().message;
}

TEST_F(TlsContextTest, MissingFileIsNamed) {
    auto r = makeServerTlsContext((dir_ / "nope.pem").string(), (dir_ / "key.pem").string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::config);
    EXPECT_NE(r.error().message.find("nope.pem"), std::string::npos) << r.error().message;
}

TEST_F(TlsContextTest, GarbageCertificateIsNamed) {
    fs::create_directories(dir_);
    const auto cert = (dir_ / "garbage.pem").string();
    std::ofstream(cert) << "not a certificate\n";
    ASSERT_TRUE(generateSelfSigned((dir_ / "c.pem").string(), (dir_ / "k.pem").string(), "x"));
    auto r = makeServerTlsContext(cert, (dir_ / "k.pem").string());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("garbage.pem"), std::string::npos) << r.error().message;
}

TEST_F(TlsContextTest, MismatchedKeyIsReported) {
    ASSERT_TRUE(generateSelfSigned((dir_ / "c1.pem").string(), (dir_ / "k1.pem").string(), "a"));
    ASSERT_TRUE(generateSelfSigned((dir_ / "c2.pem").string(), (dir_ / "k2.pem").string(), "b"));
    auto r = makeServerTlsContext((dir_ / "c1.pem").string(), (dir_ / "k2.pem").string());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not match"), std::string::npos) << r.error().message;
}

TEST_F(TlsContextTest, UnwritableLocationIsNamed) {
    auto r = generateSelfSigned("/proc/sb-cannot/cert.pem", "/proc/sb-cannot/key.pem", "x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::io);
    EXPECT_NE(r.error().message.find("/proc/sb-cannot"), std::string::npos) << r.error().message;
}

} // namespace
} // namespace sb::net
