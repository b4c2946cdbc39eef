#pragma once
// Bearer tokens (RFC 6750) for agents. Only SHA-256 digests of the tokens are configured and
// kept, so a leaked configuration does not leak credentials; a presented token is hashed and
// compared in constant time with every digest (CRYPTO_memcmp, no early exit).

#include "api/grants.hpp"
#include "api/http_types.hpp"
#include "core/result.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::api {

struct TokenEntry {
    std::string agent;
    std::string sha256hex; // hashToken(token): 64 hex digits, either case

    bool operator==(const TokenEntry&) const = default;
};

// The lower-case hex SHA-256 of a token, as the configuration stores it.
std::string hashToken(std::string_view plain);

// The b64token of an Authorization value "Bearer <token>" (RFC 6750 §2.1; the scheme is
// case-insensitive). Errc::not_found if the value is empty or uses another scheme (RFC 6750
// §3.1: no error code then); Errc::invalid_input if it is "Bearer" with a malformed token.
Result<std::string_view> parseBearer(std::string_view authorization);

class TokenTable {
public:
    TokenTable() = default; // no tokens: every token is rejected
    // Errc::config naming the entry if an agent name is empty or a digest is not 64 hex
    // digits, or a digest is repeated.
    static Result<TokenTable> create(const std::vector<TokenEntry>& entries);

    // The agent for an Authorization header value (nullopt: no header). Errors:
    // Errc::not_found when no token was presented, Errc::invalid_input when it is malformed
    // or unknown. Takes the same time for every unknown token.
    Result<std::string> authenticate(std::optional<std::string_view> authorization) const;
    // The same for a bare token (RFC 6750 §2.3 access_token query parameter).
    Result<std::string> authenticateToken(std::string_view token) const;

    std::size_t size() const noexcept { return entries_.size(); }

    // Grants (grants.hpp) for routes of Access::escalation; without them only agents pass.
    void acceptGrants(std::shared_ptr<const Grants> grants) { grants_ = std::move(grants); }
    // Whether the Authorization value, or the bare token, holds a grant for `escalation`.
    bool grants(std::optional<std::string_view> authorization, std::string_view escalation) const;

private:
    std::shared_ptr<const Grants> grants_;
    struct Entry {
        std::array<unsigned char, 32> digest;
        std::string agent;
    };
    std::vector<Entry> entries_;
};

// The RFC 6750 §3 answer to a failed authenticate(): 401 with
// `WWW-Authenticate: Bearer realm="switchboard"` for a missing token, adding
// `error="invalid_token"` for a bad one; the body is a problem (problem.hpp).
Response authenticationProblem(const Error& error, std::string_view realm = "switchboard");

} // namespace sb::api
