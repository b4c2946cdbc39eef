#pragma once
// TLS contexts for SIP over TLS (RFC 3261 §26.2) and anything else that speaks TLS, and a
// self-signed certificate generator for development and tests. TLS 1.2 is the minimum.

#include "core/result.hpp"

#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace sb::net {

// Server context from PEM files: `certificateChain` (leaf first, then intermediates) and the
// matching `privateKey`. Returns an Errc::config error naming the file that could not be read or
// parsed, or saying that the key does not match the certificate.
Result<std::shared_ptr<asio::ssl::context>>
makeServerTlsContext(const std::string& certificateChain, const std::string& privateKey);

struct TlsClientOptions {
    std::string caFile;           // PEM trust anchors; empty = the system's default store
    std::string certificateChain; // optional client certificate (mutual TLS)
    std::string privateKey;       // required when certificateChain is set
    bool verifyPeer = true;       // off only for tests and explicit operator choice
};

// Client context. Peer verification is on by default; host name checking is per connection
// (see StreamConnection::outbound). Errors as for makeServerTlsContext.
Result<std::shared_ptr<asio::ssl::context>> makeClientTlsContext(const TlsClientOptions& options);

// Writes a new self-signed certificate and its private key as PEM: EC P-256 key, SHA-256
// signature, valid for one year from now, subject CN=commonName, subjectAltName DNS:localhost,
// IP:127.0.0.1, IP:::1 (and DNS:commonName when it is not "localhost"). Parent folders are
// created; the key file gets mode 0600. Returns an Errc::io error naming the file on failure,
// or Errc::config when OpenSSL cannot build the certificate.
Result<void> generateSelfSigned(const std::string& certPath, const std::string& keyPath,
                                const std::string& commonName);

// When the first certificate of the PEM file expires (its notAfter), in Unix seconds. Errors
// (Errc::io): the file cannot be read, or holds no certificate.
Result<std::int64_t> certificateExpiry(const std::string& certPath);

} // namespace sb::net
