#include "unit/api/fixture.hpp"

#include <filesystem>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

namespace sb::api::test {
namespace {

namespace fs = std::filesystem;

// A self-signed P-256 certificate for 127.0.0.1, made with the OpenSSL API.
bool makeSelfSigned(const std::string& certFile, const std::string& keyFile) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    bool ok = key && x;
    if (ok) {
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), -60);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, key);
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
        for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1"},
                                  std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
            X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
            ok = ok && ext && X509_add_ext(x, ext, -1);
            X509_EXTENSION_free(ext);
        }
        ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
    }
    if (ok) {
        FILE* c = std::fopen(certFile.c_str(), "w");
        FILE* k = std::fopen(keyFile.c_str(), "w");
        ok = c && k && PEM_write_X509(c, x) &&
             PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
        if (c) std::fclose(c);
        if (k) std::fclose(k);
    }
    X509_free(x);
    EVP_PKEY_free(key);
    return ok;
}

class Tls : public ApiServerTest {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("sb-api-tls-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        cert_ = (dir_ / "cert.pem").string();
        key_ = (dir_ / "key.pem").string();
        ASSERT_TRUE(makeSelfSigned(cert_, key_));
    }
    void TearDown() override {
        server_.reset();
        fs::remove_all(dir_);
    }
    fs::path dir_;
    std::string cert_, key_;
};

TEST_F(Tls, ServesHttpsAndWss) {
    startServer([this](HttpServer::Options& o) {
        o.certificate = cert_;
        o.privateKey = key_;
    });
    EXPECT_TRUE(server_->tls());
    auto trust = trustingContext(cert_);

    TlsClient c(server_->port(), &trust);
    ASSERT_TRUE(c.connected()) << c.error().message();
    for (int i = 0; i < 3; ++i) {
        auto r = c.request(http::verb::get, "/v1/escalations/e-" + std::to_string(i),
                           bearer(aliceToken));
        ASSERT_TRUE(r);
        EXPECT_EQ(json(*r)["id"], "e-" + std::to_string(i));
    }
    auto r = c.request(http::verb::get, "/nothing");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 404);

    WssClient ws(server_->port(), "/v1/events", "Bearer " + bobToken, &trust);
    ASSERT_TRUE(ws.open()) << ws.error().message();
    server_->events().publish("secure");
    EXPECT_EQ(ws.read(), "secure");
}

TEST_F(Tls, APlainClientGetsNoAnswer) {
    startServer([this](HttpServer::Options& o) {
        o.certificate = cert_;
        o.privateKey = key_;
    });
    Client plain(server_->port());
    ASSERT_TRUE(plain.connected());
    ASSERT_TRUE(plain.sendRaw("GET /v1/ping HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_FALSE(plain.readResponse());
    auto trust = trustingContext(cert_);
    TlsClient good(server_->port(), &trust);
    ASSERT_TRUE(good.connected());
    EXPECT_TRUE(good.request(http::verb::get, "/v1/ping"));
}

TEST_F(Tls, StopClosesTlsConnections) {
    startServer([this](HttpServer::Options& o) {
        o.certificate = cert_;
        o.privateKey = key_;
    });
    auto trust = trustingContext(cert_);
    TlsClient c(server_->port(), &trust);
    ASSERT_TRUE(c.request(http::verb::get, "/v1/ping"));
    WssClient ws(server_->port(), "/v1/events", "Bearer " + bobToken, &trust);
    ASSERT_TRUE(ws.open());
    server_->stop();
    EXPECT_TRUE(c.waitClosed());
    EXPECT_FALSE(ws.read());
}

} // namespace
} // namespace sb::api::test
