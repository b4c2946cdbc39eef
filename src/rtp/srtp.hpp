#pragma once
// SRTP and SRTCP (RFC 3711) with libsrtp2, keyed by SDES (RFC 4568): the suites
// AES_CM_128_HMAC_SHA1_80 and _32 (RFC 4568 §6.2) and AEAD_AES_128_GCM (RFC 7714), their
// "inline:" key parameters, and one session per stream and direction that protects or
// unprotects packets in place.

#include "core/result.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::rtp {

enum class SrtpSuite { aesCm128HmacSha1_80, aesCm128HmacSha1_32, aeadAes128Gcm };

// The SDES name ("AES_CM_128_HMAC_SHA1_80", …), and back.
std::optional<SrtpSuite> srtpSuiteByName(std::string_view name) noexcept;
std::string_view srtpSuiteName(SrtpSuite suite) noexcept;
// Master key and salt, together: 30 bytes for AES-CM, 28 for AES-GCM.
std::size_t masterKeyBytes(SrtpSuite suite) noexcept;

// RFC 4568 §6.1 key-params: "inline:" base64(key ‖ salt), then optionally "|" lifetime and
// "|" MKI:length. New random key material, and the key material of a peer's line. Errors
// (Errc::invalid_input) name what is wrong: the method, the base64, the length, an MKI (we
// accept none, as RFC 4568 §6.1 lets us).
std::string makeKeyParams(SrtpSuite suite);
Result<std::vector<std::byte>> readKeyParams(SrtpSuite suite, std::string_view keyParams);

// The room protecting needs past the packet: libsrtp may write its whole trailer (a 16-byte
// tag and a 128-byte MKI field, SRTP_MAX_TRAILER_LEN) and SRTCP adds a 4-byte index.
inline constexpr std::size_t kSrtpMaxOverhead = 16 + 128 + 4;

class SrtpSession {
public:
    enum class Direction { protect, unprotect };
    // `masterKey`: masterKeyBytes(suite) bytes. Errc::invalid_input for a wrong length,
    // Errc::io when libsrtp refuses.
    static Result<std::unique_ptr<SrtpSession>>
    make(SrtpSuite suite, std::span<const std::byte> masterKey, Direction direction);
    ~SrtpSession();
    SrtpSession(const SrtpSession&) = delete;
    SrtpSession& operator=(const SrtpSession&) = delete;

    // In place: `buffer` holds the packet in its first `length` bytes and has room for
    // kSrtpMaxOverhead more; returns the new length. Errors (Errc::invalid_input) name
    // libsrtp's reason: authentication failed, a replayed packet, a malformed one.
    Result<std::size_t> protectRtp(std::span<std::byte> buffer, std::size_t length);
    Result<std::size_t> unprotectRtp(std::span<std::byte> packet);
    Result<std::size_t> protectRtcp(std::span<std::byte> buffer, std::size_t length);
    Result<std::size_t> unprotectRtcp(std::span<std::byte> packet);

private:
    struct Context;
    explicit SrtpSession(std::unique_ptr<Context> context);
    std::unique_ptr<Context> context_;
};

} // namespace sb::rtp
