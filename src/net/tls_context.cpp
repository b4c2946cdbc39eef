#include "net/tls_context.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <memory>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sb::net {

namespace {

// Drains OpenSSL's thread-local error queue; returns the first reason (the root cause).
std::string opensslError() {
    std::string first;
    while (unsigned long code = ERR_get_error()) {
        if (first.empty()) {
            char buffer[256];
            ERR_error_string_n(code, buffer, sizeof buffer);
            first = buffer;
        }
    }
    return first.empty() ? std::string("unknown OpenSSL error") : first;
}

Result<void> readable(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(Errc::config,
                    fmt::format("cannot read TLS {} '{}': {}", what, path, std::strerror(errno)));
    }
    return {};
}

Result<void> loadCertificateAndKey(asio::ssl::context& context, const std::string& certificate,
                                   const std::string& privateKey) {
    if (auto r = readable(certificate, "certificate"); !r) return r;
    if (auto r = readable(privateKey, "private key"); !r) return r;
    ERR_clear_error();
    SSL_CTX* ctx = context.native_handle();
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate.c_str()) != 1) {
        return fail(Errc::config, fmt::format("cannot load TLS certificate '{}': {}", certificate,
                                              opensslError()));
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, privateKey.c_str(), SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
            return fail(Errc::config,
                        fmt::format("TLS private key '{}' does not match certificate '{}'",
                                    privateKey, certificate));
        }
        return fail(Errc::config, fmt::format("cannot load TLS private key '{}': {}", privateKey,
                                              opensslError()));
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        return fail(Errc::config,
                    fmt::format("TLS private key '{}' does not match certificate '{}': {}",
                                privateKey, certificate, opensslError()));
    }
    return {};
}

void applyCommonOptions(asio::ssl::context& context) {
    SSL_CTX* ctx = context.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_compression);
    // Idle connections give their read/write buffers back: memory per connection matters.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Result<void> addExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str()));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
        return fail(Errc::config, fmt::format("cannot add X.509 extension {}={}: {}",
                                              OBJ_nid2sn(nid), value, opensslError()));
    }
    return {};
}

// Opens `path` for writing with `mode` (applied even when the file already exists).
Result<FILE*> openForWrite(const std::string& path, mode_t mode) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
        if (ec) {
            return fail(Errc::io, fmt::format("cannot create folder '{}' for '{}': {}",
                                              parent.string(), path, ec.message()));
        }
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0 || ::fchmod(fd, mode) != 0) {
        auto reason = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return fail(Errc::io, fmt::format("cannot write '{}': {}", path, reason));
    }
    FILE* f = ::fdopen(fd, "wb");
    if (!f) {
        auto reason = std::strerror(errno);
        ::close(fd);
        return fail(Errc::io, fmt::format("cannot write '{}': {}", path, reason));
    }
    return f;
}

Result<void> writePem(const std::string& path, mode_t mode,
                      const std::function<int(FILE*)>& write) {
    auto file = openForWrite(path, mode);
    if (!file) return fail(file.error());
    ERR_clear_error();
    const bool ok = write(*file) == 1;
    const bool closed = std::fclose(*file) == 0;
    if (!ok || !closed) {
        return fail(Errc::io, fmt::format("cannot write '{}': {}", path,
                                          ok ? std::string(std::strerror(errno)) : opensslError()));
    }
    return {};
}

} // namespace

Result<std::shared_ptr<asio::ssl::context>>
makeServerTlsContext(const std::string& certificateChain, const std::string& privateKey) {
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    applyCommonOptions(*context);
    if (auto r = loadCertificateAndKey(*context, certificateChain, privateKey); !r) {
        return fail(r.error());
    }
    return context;
}

Result<std::shared_ptr<asio::ssl::context>> makeClientTlsContext(const TlsClientOptions& options) {
    auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    applyCommonOptions(*context);
    ERR_clear_error();
    if (options.caFile.empty()) {
        if (SSL_CTX_set_default_verify_paths(context->native_handle()) != 1) {
            return fail(Errc::config, fmt::format("cannot load the system's TLS trust store: {}",
                                                  opensslError()));
        }
    } else {
        if (auto r = readable(options.caFile, "CA file"); !r) return fail(r.error());
        if (SSL_CTX_load_verify_locations(context->native_handle(), options.caFile.c_str(),
                                          nullptr) != 1) {
            return fail(Errc::config, fmt::format("cannot load TLS CA file '{}': {}",
                                                  options.caFile, opensslError()));
        }
    }
    if (!options.certificateChain.empty()) {
        if (auto r = loadCertificateAndKey(*context, options.certificateChain, options.privateKey);
            !r) {
            return fail(r.error());
        }
    }
    context->set_verify_mode(options.verifyPeer ? asio::ssl::verify_peer : asio::ssl::verify_none);
    return context;
}

Result<void> generateSelfSigned(const std::string& certPath, const std::string& keyPath,
                                const std::string& commonName) {
    ERR_clear_error();
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) {
        return fail(Errc::config,
                    fmt::format("cannot generate an EC P-256 key: {}", opensslError()));
    }
    X509Ptr cert(X509_new());
    if (!cert) return fail(Errc::config, fmt::format("X509_new failed: {}", opensslError()));

    // A random positive 159-bit serial (RFC 5280 §4.1.2.2: at most 20 octets, positive).
    unsigned char serialBytes[20];
    if (RAND_bytes(serialBytes, sizeof serialBytes) != 1) {
        return fail(Errc::config, fmt::format("RAND_bytes failed: {}", opensslError()));
    }
    serialBytes[0] &= 0x7f;
    BIGNUM* serialBn = BN_bin2bn(serialBytes, sizeof serialBytes, nullptr);
    const bool serialOk =
        serialBn && BN_to_ASN1_INTEGER(serialBn, X509_get_serialNumber(cert.get()));
    BN_free(serialBn);

    X509_NAME* name = X509_get_subject_name(cert.get());
    const bool ok =
        serialOk && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60) != nullptr && // allow clock skew
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600) != nullptr &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                                   -1, 0) == 1 &&
        X509_set_issuer_name(cert.get(), name) == 1 && X509_set_pubkey(cert.get(), key.get()) == 1;
    if (!ok) {
        return fail(Errc::config, fmt::format("cannot build certificate for '{}': {}", commonName,
                                              opensslError()));
    }

    std::string san = "DNS:localhost,IP:127.0.0.1,IP:::1";
    if (!commonName.empty() && commonName != "localhost") san += ",DNS:" + commonName;
    // No keyUsage on purpose: a self-signed leaf that is its own trust anchor must not be
    // denied keyCertSign, or OpenSSL stops treating it as self-signed.
    for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                              {NID_basic_constraints, "critical,CA:FALSE"},
                              {NID_ext_key_usage, "serverAuth,clientAuth"},
                              {NID_subject_key_identifier, "hash"}}) {
        if (auto r = addExtension(cert.get(), nid, value); !r) return r;
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        return fail(Errc::config, fmt::format("cannot sign certificate: {}", opensslError()));
    }

    if (auto r = writePem(keyPath, 0600,
                          [&](FILE* f) {
                              return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0,
                                                          nullptr, nullptr);
                          });
        !r) {
        return r;
    }
    return writePem(certPath, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
}

Result<std::int64_t> certificateExpiry(const std::string& certPath) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(certPath.c_str(), "r"), &std::fclose);
    if (!file) return fail(Errc::io, fmt::format("{}: {}", certPath, std::strerror(errno)));
    std::unique_ptr<X509, void (*)(X509*)> cert(
        PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!cert) return fail(Errc::io, fmt::format("{}: no PEM certificate", certPath));
    std::tm when{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &when) != 1)
        return fail(Errc::io, fmt::format("{}: an unreadable notAfter", certPath));
    return static_cast<std::int64_t>(timegm(&when));
}

} // namespace sb::net
