#include "api/tokens.hpp"

#include "api/problem.hpp"
#include "core/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace sb::api {

namespace {

std::array<unsigned char, 32> sha256(std::string_view text) {
    std::array<unsigned char, 32> out{};
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), out.data(), &length, EVP_sha256(), nullptr);
    return out;
}

bool b64tokenChar(char c) noexcept {
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

} // namespace

std::string hashToken(std::string_view plain) {
    return toHex(sha256(plain));
}

Result<std::string_view> parseBearer(std::string_view authorization) {
    authorization = trim(authorization);
    constexpr std::string_view scheme = "Bearer";
    if (authorization.size() < scheme.size() ||
        !iequals(authorization.substr(0, scheme.size()), scheme))
        return fail(Errc::not_found, "no bearer token");
    std::string_view rest = authorization.substr(scheme.size());
    if (rest.empty()) return fail(Errc::invalid_input, "Bearer without a token");
    if (rest.front() != ' ') return fail(Errc::not_found, "no bearer token"); // "Bearerx"
    rest = trim(rest);
    std::size_t i = 0;
    while (i < rest.size() && b64tokenChar(rest[i]))
        ++i;
    if (i == 0) return fail(Errc::invalid_input, "malformed bearer token");
    while (i < rest.size() && rest[i] == '=')
        ++i;
    if (i != rest.size()) return fail(Errc::invalid_input, "malformed bearer token");
    return rest;
}

Result<TokenTable> TokenTable::create(const std::vector<TokenEntry>& entries) {
    TokenTable table;
    for (std::size_t n = 0; n < entries.size(); ++n) {
        const TokenEntry& e = entries[n];
        const std::string where =
            "token entry " + std::to_string(n + 1) + " (agent \"" + e.agent + "\")";
        if (e.agent.empty()) return fail(Errc::config, where + ": empty agent name");
        if (e.sha256hex.size() != 64)
            return fail(Errc::config, where + ": sha256 must be 64 hex digits");
        Entry entry{{}, e.agent};
        if (!fromHex(e.sha256hex, entry.digest, /*anyCase=*/true))
            return fail(Errc::config, where + ": sha256 is not hex");
        for (const Entry& other : table.entries_)
            if (other.digest == entry.digest)
                return fail(Errc::config,
                            where + ": the same token as agent \"" + other.agent + "\"");
        table.entries_.push_back(std::move(entry));
    }
    return table;
}

Result<std::string> TokenTable::authenticate(std::optional<std::string_view> authorization) const {
    if (!authorization) return fail(Errc::not_found, "no bearer token");
    auto token = parseBearer(*authorization);
    if (!token) return fail(token.error());
    return authenticateToken(*token);
}

Result<std::string> TokenTable::authenticateToken(std::string_view token) const {
    if (token.empty()) return fail(Errc::not_found, "no bearer token");
    const auto digest = sha256(token);
    // Every entry is compared, so the time taken does not tell which entry came close.
    const Entry* found = nullptr;
    for (const Entry& e : entries_)
        if (CRYPTO_memcmp(e.digest.data(), digest.data(), digest.size()) == 0) found = &e;
    if (!found) return fail(Errc::invalid_input, "unknown bearer token");
    return found->agent;
}

Response authenticationProblem(const Error& error, std::string_view realm) {
    const bool missing = error.code == Errc::not_found;
    Response r = problem(401, "Unauthorized",
                         missing ? "this resource needs a bearer token (RFC 6750)"
                                 : "the bearer token is not valid",
                         {{"type", missing ? "urn:switchboard:problem:token-missing"
                                           : "urn:switchboard:problem:token-invalid"}});
    std::string challenge = "Bearer realm=\"" + std::string(realm) + "\"";
    if (!missing) challenge += ", error=\"invalid_token\"";
    r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
    return r;
}

bool TokenTable::grants(std::optional<std::string_view> authorization,
                        std::string_view escalation) const {
    if (!grants_ || !authorization) return false;
    auto token = parseBearer(*authorization);
    return token && grants_->allows(*token, escalation);
}

} // namespace sb::api
