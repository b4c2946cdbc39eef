#include "sip/digest_auth.hpp"

#include "core/hex.hpp"
#include "sip/syntax.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdexcept>

namespace sb::sip {
namespace {

constexpr std::size_t kMacBytes = 16;     // of HMAC-SHA256, in the nonce
constexpr std::size_t kMaxNonces = 10000; // the replay guard's bound

bool isHex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

std::string quoted(std::string_view s) {
    // Values we quote come from our configuration or the peer's challenge, where quotes and
    // backslashes cannot appear unescaped (parseAuth checked them).
    return fmt::format("\"{}\"", s);
}

// Whether the comma-separated qop-options list names "auth" (RFC 7616 §3.3).
bool offersAuth(std::string_view qop) {
    while (!qop.empty()) {
        const auto comma = qop.find(',');
        if (syntax::iequals(syntax::trim(qop.substr(0, comma)), "auth")) return true;
        if (comma == std::string_view::npos) break;
        qop.remove_prefix(comma + 1);
    }
    return false;
}

} // namespace

std::optional<DigestAlgorithm> parseDigestAlgorithm(std::optional<std::string_view> name) {
    if (!name || syntax::iequals(*name, "MD5")) return DigestAlgorithm::md5;
    if (syntax::iequals(*name, "SHA-256")) return DigestAlgorithm::sha256;
    return std::nullopt;
}

std::string_view digestAlgorithmName(DigestAlgorithm algorithm) {
    return algorithm == DigestAlgorithm::sha256 ? "SHA-256" : "MD5";
}

std::string digestHex(DigestAlgorithm algorithm, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    const EVP_MD* md = algorithm == DigestAlgorithm::sha256 ? EVP_sha256() : EVP_md5();
    if (EVP_Digest(data.data(), data.size(), out, &size, md, nullptr) != 1) return {};
    return toHex({out, size});
}

std::string digestResponse(const DigestInput& in) {
    // RFC 7616 §3.4.1-3.4.3: A1 = user:realm:password, A2 = method:uri,
    // response = H(H(A1):nonce:nc:cnonce:qop:H(A2)), or H(H(A1):nonce:H(A2)) without qop.
    const auto ha1 =
        digestHex(in.algorithm, fmt::format("{}:{}:{}", in.username, in.realm, in.password));
    const auto ha2 = digestHex(in.algorithm, fmt::format("{}:{}", in.method, in.uri));
    if (!in.qopAuth) return digestHex(in.algorithm, fmt::format("{}:{}:{}", ha1, in.nonce, ha2));
    return digestHex(in.algorithm,
                     fmt::format("{}:{}:{}:{}:auth:{}", ha1, in.nonce, in.nc, in.cnonce, ha2));
}

// ---------------------------------------------------------------------------------------------
// Server side

DigestChallenger::DigestChallenger(Options options, std::string secret)
    : options_(std::move(options)), secret_(std::move(secret)) {
    if (secret_.empty()) {
        secret_.resize(32);
        if (RAND_bytes(reinterpret_cast<unsigned char*>(secret_.data()), 32) != 1)
            throw std::runtime_error("no randomness for the digest nonce key");
    }
}

std::string DigestChallenger::makeNonce(Clock::time_point now) const {
    // Stateless (RFC 7616 §5.4): the time it was made and an HMAC over it and the realm, so
    // that any nonce we made can be checked, and dated, without remembering it.
    const auto seconds = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    const std::string stamp = fmt::format("{:016x}", seconds);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    const std::string data = stamp + ":" + options_.realm;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size);
    return stamp + toHex({mac, kMacBytes});
}

std::optional<std::chrono::seconds> DigestChallenger::nonceAge(std::string_view nonce,
                                                               Clock::time_point now) const {
    if (nonce.size() != 16 + 2 * kMacBytes || !isHex(nonce)) return std::nullopt;
    std::uint64_t seconds = 0;
    for (char c : nonce.substr(0, 16))
        seconds = seconds << 4 |
                  static_cast<std::uint64_t>(std::isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
    // A stamp from the future is not ours (and could overflow the clock's arithmetic).
    const auto nowSeconds = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    if (seconds > nowSeconds) return std::nullopt;
    const Clock::time_point made{std::chrono::seconds(seconds)};
    const std::string expected = makeNonce(made);
    if (CRYPTO_memcmp(expected.data(), nonce.data(), expected.size()) != 0) return std::nullopt;
    return std::chrono::seconds(nowSeconds - seconds);
}

std::vector<std::string> DigestChallenger::challenges(Clock::time_point now, bool stale) const {
    const std::string nonce = makeNonce(now);
    std::vector<std::string> out;
    for (auto algorithm : options_.algorithms)
        out.push_back(fmt::format("Digest realm={}, nonce={}, algorithm={}, qop=\"auth\"{}",
                                  quoted(options_.realm), quoted(nonce),
                                  digestAlgorithmName(algorithm), stale ? ", stale=true" : ""));
    return out;
}

DigestChallenger::Outcome DigestChallenger::verify(std::string_view method,
                                                   const AuthValue& credentials,
                                                   const PasswordLookup& passwords,
                                                   Clock::time_point now) {
    auto bad = [](std::string reason) { return Outcome{Verdict::bad, {}, std::move(reason)}; };
    if (!syntax::iequals(credentials.scheme, "Digest"))
        return bad("Authorization: the scheme is not Digest");
    std::string_view values[7];
    static constexpr std::string_view kRequired[7] = {"username", "realm",  "nonce", "uri",
                                                      "response", "cnonce", "nc"};
    for (std::size_t i = 0; i < 7; ++i) {
        auto value = credentials.param(kRequired[i]);
        if (!value) return bad(fmt::format("Authorization: missing '{}'", kRequired[i]));
        values[i] = *value;
    }
    const auto [username, realm, nonce, uri, response, cnonce, nc] = values;
    if (realm != options_.realm) return bad("Authorization: realm is not ours");
    const auto algorithm = parseDigestAlgorithm(credentials.param("algorithm"));
    if (!algorithm || std::find(options_.algorithms.begin(), options_.algorithms.end(),
                                *algorithm) == options_.algorithms.end())
        return bad("Authorization: algorithm is not one we offered");
    const auto qop = credentials.param("qop");
    if (!qop || !syntax::iequals(*qop, "auth"))
        return bad("Authorization: qop must be auth (RFC 8760 §2.6)");
    if (nc.size() != 8 || !isHex(nc)) return bad("Authorization: nc must be 8 hex digits");

    const auto age = nonceAge(nonce, now);
    if (!age) return bad("Authorization: nonce is not one of ours");
    const auto password = passwords(username);
    if (!password) return bad("Authorization: unknown username");
    const std::string expected = digestResponse(
        {*algorithm, username, realm, *password, method, uri, nonce, nc, cnonce, true});
    if (response.size() != expected.size() ||
        CRYPTO_memcmp(expected.data(), response.data(), expected.size()) != 0)
        return bad("Authorization: wrong response (password)");
    if (*age > options_.nonceLifetime) return {Verdict::stale, std::string(username), {}};

    // RFC 7616 §3.4.6 (nc): a count that does not grow is a replay.
    const auto count = static_cast<std::uint32_t>(std::stoul(std::string(nc), nullptr, 16));
    auto [seen, inserted] = highestNc_.try_emplace(std::string(nonce), count);
    if (!inserted) {
        if (count <= seen->second) return bad("Authorization: nc replayed");
        seen->second = count;
    }
    if (highestNc_.size() > kMaxNonces) highestNc_.clear(); // a fresh start costs a re-challenge
    return {Verdict::ok, std::string(username), {}};
}

// ---------------------------------------------------------------------------------------------
// Failure limiter

FailureLimiter::FailureLimiter(std::uint32_t burst, std::chrono::seconds refill,
                               std::size_t maxSources)
    : burst_(burst), refill_(refill), maxSources_(maxSources) {}

FailureLimiter::Bucket& FailureLimiter::bucket(std::string_view source, Clock::time_point now) {
    auto found = buckets_.find(std::string(source));
    if (found == buckets_.end()) {
        if (buckets_.size() >= maxSources_) {
            // Drop the bucket idle longest: the source that has failed least recently.
            auto oldest = std::min_element(buckets_.begin(), buckets_.end(), [](auto& a, auto& b) {
                return a.second.updated < b.second.updated;
            });
            buckets_.erase(oldest);
        }
        found = buckets_.emplace(std::string(source), Bucket{double(burst_), now}).first;
    }
    Bucket& b = found->second;
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min<double>(burst_, b.tokens + elapsed / double(refill_.count()));
    b.updated = now;
    return b;
}

bool FailureLimiter::allowed(std::string_view source, Clock::time_point now) {
    if (!buckets_.contains(std::string(source))) return true;
    return bucket(source, now).tokens >= 1.0;
}

void FailureLimiter::failed(std::string_view source, Clock::time_point now) {
    Bucket& b = bucket(source, now);
    b.tokens = std::max(0.0, b.tokens - 1.0);
}

// ---------------------------------------------------------------------------------------------
// Client side

Result<std::string> answerChallenge(const AuthValue& challenge, std::string_view method,
                                    std::string_view uri, std::string_view username,
                                    std::string_view password, std::string_view cnonce,
                                    std::uint32_t nc) {
    if (!syntax::iequals(challenge.scheme, "Digest"))
        return fail(Errc::unsupported, "the challenge is not Digest");
    const auto realm = challenge.param("realm");
    const auto nonce = challenge.param("nonce");
    if (!realm) return fail(Errc::invalid_input, "the challenge has no realm");
    if (!nonce) return fail(Errc::invalid_input, "the challenge has no nonce");
    const auto algorithm = parseDigestAlgorithm(challenge.param("algorithm"));
    if (!algorithm)
        return fail(Errc::unsupported, fmt::format("the challenge's algorithm '{}' is not "
                                                   "supported",
                                                   *challenge.param("algorithm")));
    const auto qop = challenge.param("qop");
    if (qop && !offersAuth(*qop))
        return fail(Errc::unsupported, "the challenge offers no qop=auth");
    const bool qopAuth = qop.has_value();
    const std::string count = fmt::format("{:08x}", nc);
    const std::string response = digestResponse(
        {*algorithm, username, *realm, password, method, uri, *nonce, count, cnonce, qopAuth});
    std::string out = fmt::format("Digest username={}, realm={}, nonce={}, uri={}, response={}, "
                                  "algorithm={}",
                                  quoted(username), quoted(*realm), quoted(*nonce), quoted(uri),
                                  quoted(response), digestAlgorithmName(*algorithm));
    if (qopAuth) out += fmt::format(", cnonce={}, qop=auth, nc={}", quoted(cnonce), count);
    if (auto opaque = challenge.param("opaque")) out += fmt::format(", opaque={}", quoted(*opaque));
    return out;
}

const AuthValue* preferredChallenge(std::span<const AuthValue> challenges) {
    const AuthValue* best = nullptr;
    for (const auto& c : challenges) {
        if (!syntax::iequals(c.scheme, "Digest")) continue;
        const auto algorithm = parseDigestAlgorithm(c.param("algorithm"));
        if (!algorithm) continue;
        if (auto qop = c.param("qop"); qop && !offersAuth(*qop)) continue;
        if (!best || *algorithm == DigestAlgorithm::sha256) best = &c;
        if (*algorithm == DigestAlgorithm::sha256) break;
    }
    return best;
}

} // namespace sb::sip
