#pragma once
// Signed tree heads: the log's size, time and root, signed with the witness's Ed25519 key
// (RFC 8032, OpenSSL 3). The key is made at first start and kept in a PEM file only its owner
// may read; its public half is what verifiers need, and may be exported freely.
//
// What is signed is the tree head's canonical JSON without the signature:
// {"root_hash":"<64 hex>","timestamp":<Unix ms>,"tree_size":<n>}. (RFC 9162 §4.10 signs a TLS
// structure instead; JSON keeps the whole log readable with common tools.)

#include "core/result.hpp"
#include "witness/merkle.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using EVP_PKEY = struct evp_pkey_st;

namespace sb::witness {

class Signer {
public:
    // The key in `file`, or a new one written there (mode 0600) when the file does not exist.
    // Errors (Errc::io, Errc::config): the file cannot be read or written, or is not an Ed25519
    // private key.
    static Result<std::unique_ptr<Signer>> loadOrCreate(const std::filesystem::path& file);
    ~Signer();
    Signer(const Signer&) = delete;
    Signer& operator=(const Signer&) = delete;

    std::string publicKeyPem() const;
    std::vector<std::uint8_t> sign(std::string_view message) const;

private:
    explicit Signer(EVP_PKEY* key) : key_(key) {}
    EVP_PKEY* key_;
};

// Whether `signature` is the Ed25519 signature of `message` by the key in `publicKeyPem`.
bool verifySignature(std::string_view publicKeyPem, std::string_view message,
                     const std::vector<std::uint8_t>& signature);

struct TreeHead {
    std::uint64_t size = 0;
    std::int64_t timestampMs = 0;
    Hash root{};
    std::vector<std::uint8_t> signature; // 64 bytes
};

// The bytes a tree head's signature covers.
std::string signedPart(const TreeHead& head);
TreeHead signHead(const Signer& signer, std::uint64_t size, const Hash& root,
                  std::int64_t timestampMs);
bool verifyHead(const TreeHead& head, std::string_view publicKeyPem);

// {"root_hash":…,"signature":"<128 hex>","timestamp":…,"tree_size":…}
std::string toJson(const TreeHead& head);
// Its reader (a tree head from the API or a file, for offline verification), for at most
// 1024 bytes. Errors (Errc::invalid_input) name the field that is missing or malformed.
Result<TreeHead> parseTreeHead(std::string_view json);

} // namespace sb::witness
