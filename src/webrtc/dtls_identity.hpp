#pragma once
// The DTLS identity of WebRTC (RFC 8827 §6.5): a self-signed certificate whose fingerprint the
// session description carries (RFC 8122), so that the peer's certificate is trusted only if it
// matches the fingerprint its own description gave. Ours is an ECDSA key on P-256 (RFC 8827
// §6.5 asks for it; every browser does the same), signed with SHA-256.

#include "core/result.hpp"
#include "webrtc/sdp_transport.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using X509 = struct x509_st;
using EVP_PKEY = struct evp_pkey_st;

namespace sb::webrtc {

class DtlsIdentity {
public:
    // A new key and certificate, valid from a day ago (clocks differ) for `validity`.
    static Result<DtlsIdentity> generate(std::string_view commonName = "switchboard",
                                         std::chrono::hours validity = std::chrono::hours(24 * 30));

    X509* certificate() const noexcept { return certificate_.get(); }
    EVP_PKEY* key() const noexcept { return key_.get(); }
    // Its SHA-256 fingerprint, as our descriptions give it.
    const Fingerprint& fingerprint() const noexcept { return fingerprint_; }
    std::string certificatePem() const;

private:
    struct FreeCertificate {
        void operator()(X509* x) const noexcept;
    };
    struct FreeKey {
        void operator()(EVP_PKEY* k) const noexcept;
    };
    std::unique_ptr<X509, FreeCertificate> certificate_;
    std::unique_ptr<EVP_PKEY, FreeKey> key_;
    Fingerprint fingerprint_;
};

// The digest of `certificate` (its DER encoding) with `hash` ("sha-1" … "sha-512").
Result<Fingerprint> fingerprintOf(X509* certificate, std::string_view hash);

// RFC 8122 §5 and RFC 8842 §5.1: the certificate the peer presented in the handshake must
// match a fingerprint of its description (any of them, with a hash we know). The error names
// what the certificate's digest is and what the description said.
Result<void> verifyFingerprint(X509* peerCertificate, const std::vector<Fingerprint>& described);

} // namespace sb::webrtc
