#include "api/grants.hpp"

#include <charconv>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdexcept>

namespace sb::api {
namespace {

constexpr std::string_view kPrefix = "sbg1.";

} // namespace

Grants::Grants() {
    if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
        throw std::runtime_error("grants: no random key");
}

std::string Grants::mac(std::string_view escalation, std::string_view expiry) const {
    const std::string message = fmt::format("{}.{}", escalation, expiry);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &size);
    std::string hex;
    hex.reserve(2 * size);
    for (unsigned int i = 0; i < size; ++i)
        hex += fmt::format("{:02x}", out[i]);
    return hex;
}

std::string Grants::issue(std::string_view escalation, Clock::time_point expires) const {
    const auto expiry = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count());
    return fmt::format("{}{}.{}.{}", kPrefix, escalation, expiry, mac(escalation, expiry));
}

bool Grants::allows(std::string_view token, std::string_view escalation,
                    Clock::time_point now) const {
    if (!token.starts_with(kPrefix)) return false;
    token.remove_prefix(kPrefix.size());
    // The escalation id, then the expiry and the MAC: split from the right, so that the id
    // compared is exactly what was signed.
    const auto macAt = token.rfind('.');
    if (macAt == std::string_view::npos) return false;
    const auto expiryAt = token.rfind('.', macAt - 1);
    if (expiryAt == std::string_view::npos || macAt == 0) return false;
    const std::string_view id = token.substr(0, expiryAt);
    const std::string_view expiry = token.substr(expiryAt + 1, macAt - expiryAt - 1);
    const std::string_view given = token.substr(macAt + 1);
    std::int64_t seconds = 0;
    auto [end, error] = std::from_chars(expiry.data(), expiry.data() + expiry.size(), seconds);
    if (error != std::errc{} || end != expiry.data() + expiry.size()) return false;
    const std::string expected = mac(id, expiry);
    const bool sameMac = given.size() == expected.size() &&
                         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
    const bool live =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() < seconds;
    return sameMac && id == escalation && live;
}

} // namespace sb::api
