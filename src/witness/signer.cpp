#include "witness/signer.hpp"

#include "core/file.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

namespace sb::witness {
Result<std::unique_ptr<Signer>> Signer::loadOrCreate(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        const auto pem = readNamedFile(file, "witness key");
        if (!pem) return fail(pem.error());
        BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
        EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
            EVP_PKEY_free(key);
            return fail(Errc::config,
                        fmt::format("witness key {}: not an Ed25519 private key", file.string()));
        }
        return std::unique_ptr<Signer>(new Signer(key));
    }
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!key) return fail(Errc::io, "witness key: Ed25519 key generation failed");
    std::unique_ptr<Signer> signer(new Signer(key));
    // Only the owner may read the private key: made with mode 0600 before anything is written.
    const auto previous = umask(077);
    std::FILE* out = std::fopen(file.c_str(), "wx");
    umask(previous);
    if (!out) return fail(Errc::io, fmt::format("witness key {}: cannot create", file.string()));
    const bool written = PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (std::fclose(out) != 0 || !written)
        return fail(Errc::io, fmt::format("witness key {}: cannot write", file.string()));
    return signer;
}

Signer::~Signer() {
    EVP_PKEY_free(key_);
}

std::string Signer::publicKeyPem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key_);
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<std::size_t>(length));
    BIO_free(bio);
    return pem;
}

std::vector<std::uint8_t> Signer::sign(std::string_view message) const {
    std::vector<std::uint8_t> signature(64);
    std::size_t length = signature.size();
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    // Ed25519 signs the message itself (no separate digest: RFC 8032 §5.1.6).
    EVP_DigestSignInit(context, nullptr, nullptr, nullptr, key_);
    EVP_DigestSign(context, signature.data(), &length,
                   reinterpret_cast<const unsigned char*>(message.data()), message.size());
    EVP_MD_CTX_free(context);
    signature.resize(length);
    return signature;
}

bool verifySignature(std::string_view publicKeyPem, std::string_view message,
                     const std::vector<std::uint8_t>& signature) {
    BIO* bio = BIO_new_mem_buf(publicKeyPem.data(), static_cast<int>(publicKeyPem.size()));
    EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!key) return false;
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    const bool ok = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 &&
                    EVP_DigestVerifyInit(context, nullptr, nullptr, nullptr, key) == 1 &&
                    EVP_DigestVerify(context, signature.data(), signature.size(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size()) == 1;
    EVP_MD_CTX_free(context);
    EVP_PKEY_free(key);
    return ok;
}

std::string signedPart(const TreeHead& head) {
    const nlohmann::json j{
        {"tree_size", head.size}, {"timestamp", head.timestampMs}, {"root_hash", toHex(head.root)}};
    return j.dump();
}

TreeHead signHead(const Signer& signer, std::uint64_t size, const Hash& root,
                  std::int64_t timestampMs) {
    TreeHead head{size, timestampMs, root, {}};
    head.signature = signer.sign(signedPart(head));
    return head;
}

bool verifyHead(const TreeHead& head, std::string_view publicKeyPem) {
    return verifySignature(publicKeyPem, signedPart(head), head.signature);
}

std::string toJson(const TreeHead& head) {
    const nlohmann::json j{{"tree_size", head.size},
                           {"timestamp", head.timestampMs},
                           {"root_hash", toHex(head.root)},
                           {"signature", toHex(head.signature)}};
    return j.dump();
}

Result<TreeHead> parseTreeHead(std::string_view text) {
    // A tree head is about 300 bytes; the cap also bounds the JSON reader's recursion.
    if (text.size() > 1024) return fail(Errc::invalid_input, "tree head: longer than 1024 bytes");
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail(Errc::invalid_input, "tree head: not a JSON object");
    TreeHead head;
    const auto size = j.find("tree_size");
    if (size == j.end() || !size->is_number_unsigned())
        return fail(Errc::invalid_input, "tree head: tree_size: expected a non-negative integer");
    head.size = size->get<std::uint64_t>();
    const auto time = j.find("timestamp");
    if (time == j.end() || !time->is_number_integer())
        return fail(Errc::invalid_input, "tree head: timestamp: expected an integer");
    head.timestampMs = time->get<std::int64_t>();
    const auto root = j.find("root_hash");
    if (root == j.end() || !root->is_string() ||
        !fromHex(root->get_ref<const std::string&>(), head.root))
        return fail(Errc::invalid_input, "tree head: root_hash: expected 64 lower-case hex digits");
    const auto signature = j.find("signature");
    head.signature.resize(64);
    if (signature == j.end() || !signature->is_string() ||
        !fromHex(signature->get_ref<const std::string&>(), head.signature))
        return fail(Errc::invalid_input,
                    "tree head: signature: expected 128 lower-case hex digits");
    return head;
}

} // namespace sb::witness
