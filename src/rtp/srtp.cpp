#include "rtp/srtp.hpp"

#include <cstring>
#include <fmt/format.h>
#include <mutex>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>
#include <stdexcept>

namespace sb::rtp {
namespace {

struct SuiteInfo {
    SrtpSuite suite;
    std::string_view name;
    std::size_t keyBytes;
};
constexpr SuiteInfo kSuites[] = {
    {SrtpSuite::aesCm128HmacSha1_80, "AES_CM_128_HMAC_SHA1_80", SRTP_AES_ICM_128_KEY_LEN_WSALT},
    {SrtpSuite::aesCm128HmacSha1_32, "AES_CM_128_HMAC_SHA1_32", SRTP_AES_ICM_128_KEY_LEN_WSALT},
    {SrtpSuite::aeadAes128Gcm, "AEAD_AES_128_GCM", SRTP_AES_GCM_128_KEY_LEN_WSALT},
};

const SuiteInfo& info(SrtpSuite suite) {
    return kSuites[static_cast<int>(suite)];
}

std::string_view reason(srtp_err_status_t status) {
    switch (status) {
    case srtp_err_status_auth_fail:
        return "authentication failed";
    case srtp_err_status_replay_fail:
        return "a replayed packet";
    case srtp_err_status_replay_old:
        return "a packet older than the replay window";
    case srtp_err_status_bad_param:
        return "a malformed packet";
    case srtp_err_status_no_ctx:
        return "an unknown SSRC";
    default:
        return "refused by libsrtp";
    }
}

} // namespace

struct SrtpSession::Context {
    srtp_t session = nullptr;
    ~Context() {
        if (session) srtp_dealloc(session);
    }
};

std::optional<SrtpSuite> srtpSuiteByName(std::string_view name) noexcept {
    for (const auto& s : kSuites)
        if (s.name == name) return s.suite;
    return std::nullopt;
}

std::string_view srtpSuiteName(SrtpSuite suite) noexcept {
    return info(suite).name;
}

std::size_t masterKeyBytes(SrtpSuite suite) noexcept {
    return info(suite).keyBytes;
}

std::string makeKeyParams(SrtpSuite suite) {
    std::vector<unsigned char> key(masterKeyBytes(suite));
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        throw std::runtime_error("no random bytes for an SRTP key"); // the system is broken
    std::string text(4 * ((key.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), key.data(),
                                  static_cast<int>(key.size()));
    text.resize(static_cast<std::size_t>(n));
    return "inline:" + text;
}

Result<std::vector<std::byte>> readKeyParams(SrtpSuite suite, std::string_view keyParams) {
    constexpr std::string_view kInline = "inline:";
    if (!keyParams.starts_with(kInline))
        return fail(Errc::invalid_input,
                    fmt::format("SRTP key-params '{}': only the inline method is known",
                                keyParams.substr(0, 16)));
    std::string_view rest = keyParams.substr(kInline.size());
    const auto bar = rest.find('|');
    const std::string_view base64 = rest.substr(0, bar);
    if (bar != std::string_view::npos) {
        // |lifetime (2^n or decimal) and/or |MKI:length; an MKI means several keys, which we
        // do not take (RFC 4568 §6.1 allows refusing it).
        const std::string_view tail = rest.substr(bar + 1);
        if (tail.find(':') != std::string_view::npos)
            return fail(Errc::invalid_input, "SRTP key-params: an MKI is not supported");
    }
    const std::size_t expected = masterKeyBytes(suite);
    if (base64.size() % 4 != 0 || base64.empty())
        return fail(Errc::invalid_input, "SRTP key-params: the key is not base64");
    std::vector<unsigned char> decoded(base64.size() / 4 * 3);
    const int n =
        EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(base64.data()),
                        static_cast<int>(base64.size()));
    if (n < 0) return fail(Errc::invalid_input, "SRTP key-params: the key is not base64");
    // EVP_DecodeBlock counts the bytes the padding stands for.
    const std::size_t padding = base64.ends_with("==") ? 2 : base64.ends_with('=') ? 1 : 0;
    const std::size_t length = static_cast<std::size_t>(n) - padding;
    if (length != expected)
        return fail(Errc::invalid_input,
                    fmt::format("SRTP key-params: {} bytes of key and salt, {} expects {}", length,
                                srtpSuiteName(suite), expected));
    std::vector<std::byte> out(expected);
    std::memcpy(out.data(), decoded.data(), expected);
    return out;
}

SrtpSession::SrtpSession(std::unique_ptr<Context> context) : context_(std::move(context)) {}
SrtpSession::~SrtpSession() = default;

Result<std::unique_ptr<SrtpSession>>
SrtpSession::make(SrtpSuite suite, std::span<const std::byte> masterKey, Direction direction) {
    static std::once_flag once;
    static srtp_err_status_t initialised = srtp_err_status_fail;
    std::call_once(once, [] { initialised = srtp_init(); });
    if (initialised != srtp_err_status_ok) return fail(Errc::io, "libsrtp did not initialise");
    if (masterKey.size() != masterKeyBytes(suite))
        return fail(Errc::invalid_input, fmt::format("SRTP: {} bytes of key for {}",
                                                     masterKey.size(), srtpSuiteName(suite)));
    srtp_policy_t policy{};
    switch (suite) {
    case SrtpSuite::aesCm128HmacSha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
    case SrtpSuite::aesCm128HmacSha1_32:
        // RFC 4568 §6.2.2: the short tag is for SRTP only; SRTCP keeps 80 bits.
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
    case SrtpSuite::aeadAes128Gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
    }
    policy.ssrc.type = direction == Direction::protect ? ssrc_any_outbound : ssrc_any_inbound;
    std::vector<unsigned char> key(masterKey.size());
    std::memcpy(key.data(), masterKey.data(), key.size());
    policy.key = key.data();
    policy.window_size = 1024; // RFC 3711 §3.3.2 asks for at least 64; jittery links need more
    policy.allow_repeat_tx = 0;
    auto context = std::make_unique<Context>();
    if (const auto status = srtp_create(&context->session, &policy); status != srtp_err_status_ok)
        return fail(Errc::io, fmt::format("SRTP: {}", reason(status)));
    return std::unique_ptr<SrtpSession>(new SrtpSession(std::move(context)));
}

namespace {

template <typename F>
Result<std::size_t> run(F f, srtp_t session, std::span<std::byte> buffer, std::size_t length,
                        std::string_view what) {
    int n = static_cast<int>(length);
    if (const auto status = f(session, buffer.data(), &n); status != srtp_err_status_ok)
        return fail(Errc::invalid_input, fmt::format("{}: {}", what, reason(status)));
    return static_cast<std::size_t>(n);
}

Unexpected noRoom(std::string_view what) {
    return fail(Errc::too_large, fmt::format("{}: no room for the authentication tag", what));
}

} // namespace

Result<std::size_t> SrtpSession::protectRtp(std::span<std::byte> buffer, std::size_t length) {
    if (buffer.size() < length + kSrtpMaxOverhead) return noRoom("SRTP");
    return run(srtp_protect, context_->session, buffer, length, "SRTP");
}

Result<std::size_t> SrtpSession::unprotectRtp(std::span<std::byte> packet) {
    return run(srtp_unprotect, context_->session, packet, packet.size(), "SRTP");
}

Result<std::size_t> SrtpSession::protectRtcp(std::span<std::byte> buffer, std::size_t length) {
    if (buffer.size() < length + kSrtpMaxOverhead) return noRoom("SRTCP");
    return run(srtp_protect_rtcp, context_->session, buffer, length, "SRTCP");
}

Result<std::size_t> SrtpSession::unprotectRtcp(std::span<std::byte> packet) {
    return run(srtp_unprotect_rtcp, context_->session, packet, packet.size(), "SRTCP");
}

} // namespace sb::rtp
