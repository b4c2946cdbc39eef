#include "webrtc/dtls_identity.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

namespace sb::webrtc {
namespace {

Unexpected sslError(std::string_view what) {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    char text[256] = {};
    ERR_error_string_n(code, text, sizeof text);
    return fail(Errc::io, fmt::format("DTLS identity: {}: {}", what, text));
}

const EVP_MD* digestNamed(std::string_view hash) {
    if (hash == "sha-1") return EVP_sha1();
    if (hash == "sha-224") return EVP_sha224();
    if (hash == "sha-256") return EVP_sha256();
    if (hash == "sha-384") return EVP_sha384();
    if (hash == "sha-512") return EVP_sha512();
    return nullptr;
}

} // namespace

void DtlsIdentity::FreeCertificate::operator()(X509* x) const noexcept {
    X509_free(x);
}

void DtlsIdentity::FreeKey::operator()(EVP_PKEY* k) const noexcept {
    EVP_PKEY_free(k);
}

Result<DtlsIdentity> DtlsIdentity::generate(std::string_view commonName,
                                            std::chrono::hours validity) {
    DtlsIdentity id;
    id.key_.reset(EVP_EC_gen("P-256"));
    if (!id.key_) return sslError("an ECDSA P-256 key");
    id.certificate_.reset(X509_new());
    X509* x = id.certificate_.get();
    if (!x) return sslError("a certificate");
    // RFC 5280 §4.1.2.2: a positive serial number of at most 20 octets; 8 random ones.
    std::uint8_t serial[8];
    if (RAND_bytes(serial, sizeof serial) != 1) return sslError("a serial number");
    serial[0] &= 0x7F;
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(serial, sizeof serial, nullptr),
                                                   BN_free);
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)))
        return sslError("a serial number");
    const long day = 24 * 60 * 60;
    if (X509_set_version(x, 2) != 1 || !X509_gmtime_adj(X509_getm_notBefore(x), -day) ||
        !X509_gmtime_adj(X509_getm_notAfter(x),
                         std::chrono::duration_cast<std::chrono::seconds>(validity).count()) ||
        X509_set_pubkey(x, id.key_.get()) != 1)
        return sslError("the certificate's fields");
    X509_NAME* name = X509_get_subject_name(x);
    const std::string cn(commonName);
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) != 1 ||
        X509_set_issuer_name(x, name) != 1) // self-signed: the issuer is the subject
        return sslError("the certificate's name");
    if (X509_sign(x, id.key_.get(), EVP_sha256()) == 0) return sslError("signing");
    auto fingerprint = fingerprintOf(x, "sha-256");
    if (!fingerprint) return fail(fingerprint.error());
    id.fingerprint_ = std::move(fingerprint).value();
    return id;
}

std::string DtlsIdentity::certificatePem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_X509(bio.get(), certificate_.get()) != 1) return {};
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

Result<Fingerprint> fingerprintOf(X509* certificate, std::string_view hash) {
    const EVP_MD* md = digestNamed(hash);
    if (!md) return fail(Errc::unsupported, fmt::format("DTLS: no hash function '{}'", hash));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (X509_digest(certificate, md, digest, &size) != 1) return sslError("a fingerprint");
    return Fingerprint{std::string(hash), std::vector<std::uint8_t>(digest, digest + size)};
}

Result<void> verifyFingerprint(X509* peerCertificate, const std::vector<Fingerprint>& described) {
    if (!peerCertificate) return fail(Errc::invalid_input, "DTLS: the peer sent no certificate");
    std::string seen;
    for (const auto& f : described) {
        auto actual = fingerprintOf(peerCertificate, f.hash);
        if (!actual) continue;
        if (actual->digest == f.digest) return {};
        seen += fmt::format("{}{} {} (described {})", seen.empty() ? "" : "; ", f.hash,
                            fingerprintText(actual->digest), fingerprintText(f.digest));
    }
    if (seen.empty())
        return fail(Errc::invalid_input,
                    "DTLS: the peer's description gave no fingerprint with a hash we know");
    return fail(Errc::invalid_input,
                fmt::format("DTLS: the peer's certificate does not match its description's "
                            "fingerprint: {}",
                            seen));
}

} // namespace sb::webrtc
