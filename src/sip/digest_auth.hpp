#pragma once
// HTTP Digest authentication for SIP (RFC 3261 §22.4 with RFC 8760: MD5 and SHA-256, qop=auth,
// the computation of RFC 7616 §3.4.1): the challenger that guards inbound calls, with stateless
// nonces that expire (answered with stale=true, RFC 7616 §3.3), and the answer to a far end's
// 401/407.

#include "core/result.hpp"
#include "sip/headers.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sb::sip {

enum class DigestAlgorithm { md5, sha256 };

// "MD5" or "SHA-256" (RFC 8760 §2); absent means MD5 (RFC 2617 §3.2.1). The "-sess" variants
// and others are not supported: nullopt.
std::optional<DigestAlgorithm> parseDigestAlgorithm(std::optional<std::string_view> name);
std::string_view digestAlgorithmName(DigestAlgorithm algorithm);

// The lowercase hex digest of `data`.
std::string digestHex(DigestAlgorithm algorithm, std::string_view data);

struct DigestInput {
    DigestAlgorithm algorithm = DigestAlgorithm::md5;
    std::string_view username, realm, password;
    std::string_view method, uri;
    std::string_view nonce, nc, cnonce; // nc and cnonce with qop=auth only
    bool qopAuth = true;
};
// The request-digest ("response") of RFC 7616 §3.4.1 (RFC 2617 §3.2.2.1 without qop).
std::string digestResponse(const DigestInput& in);

// Server side: challenges and verifies (RFC 3261 §22.2, §22.4).
class DigestChallenger {
public:
    using Clock = std::chrono::steady_clock;
    struct Options {
        std::string realm = "switchboard";
        std::chrono::seconds nonceLifetime{300};
        // One challenge per algorithm, preferred first (RFC 8760 §2.4).
        std::vector<DigestAlgorithm> algorithms{DigestAlgorithm::sha256, DigestAlgorithm::md5};
    };
    // `secret` keys the nonces' HMAC; empty: 32 random bytes.
    explicit DigestChallenger(Options options, std::string secret = {});

    // WWW-Authenticate (or Proxy-Authenticate) values, one per algorithm.
    std::vector<std::string> challenges(Clock::time_point now, bool stale = false) const;

    enum class Verdict { ok, stale, bad };
    struct Outcome {
        Verdict verdict = Verdict::bad;
        std::string username;
        std::string reason; // for bad: a sentence naming the parameter ("Authorization: …")
    };
    // The password of a user in our realm, or nullopt for an unknown user.
    using PasswordLookup = std::function<std::optional<std::string>(std::string_view username)>;
    // Checks credentials (an Authorization value) for a request with this method. The nonce
    // must be ours and fresh (an old but authentic one: stale), the realm ours, the algorithm
    // one we offer, qop=auth with cnonce and an nc higher than any seen for that nonce (a
    // replay is bad), and the response right (compared in constant time).
    Outcome verify(std::string_view method, const AuthValue& credentials,
                   const PasswordLookup& passwords, Clock::time_point now);

private:
    std::string makeNonce(Clock::time_point now) const;
    // nullopt: not ours; else its age.
    std::optional<std::chrono::seconds> nonceAge(std::string_view nonce,
                                                 Clock::time_point now) const;

    Options options_;
    std::string secret_;
    Clock::time_point epoch_;
    std::unordered_map<std::string, std::uint32_t> highestNc_; // replay guard, bounded
};

// Failed authentications per source (an address), as a token bucket: each failure takes a
// token, `burst` at most, one back every `refill`. Bounded: the oldest entries go first.
class FailureLimiter {
public:
    using Clock = std::chrono::steady_clock;
    FailureLimiter(std::uint32_t burst, std::chrono::seconds refill,
                   std::size_t maxSources = 10000);
    // Whether this source may try again now.
    bool allowed(std::string_view source, Clock::time_point now);
    void failed(std::string_view source, Clock::time_point now);

private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    Bucket& bucket(std::string_view source, Clock::time_point now);

    std::uint32_t burst_;
    std::chrono::seconds refill_;
    std::size_t maxSources_;
    std::unordered_map<std::string, Bucket> buckets_;
};

// Client side: the Authorization (or Proxy-Authorization) value answering `challenge` for a
// request (RFC 3261 §22.2). Errors name what the challenge lacks or we cannot do (an
// unsupported algorithm, qop without "auth").
Result<std::string> answerChallenge(const AuthValue& challenge, std::string_view method,
                                    std::string_view uri, std::string_view username,
                                    std::string_view password, std::string_view cnonce,
                                    std::uint32_t nc = 1);

// Of several challenges (one per algorithm, RFC 8760 §2.4), the one to answer: SHA-256 before
// MD5; nullptr if none is a Digest challenge we can answer.
const AuthValue* preferredChallenge(std::span<const AuthValue> challenges);

} // namespace sb::sip
