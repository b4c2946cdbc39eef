#pragma once
// Grants: short-lived bearer tokens that let the holder act on one escalation only, such as
// the expert's browser joining the escalation's WebRTC session. Stateless: a grant is
//   "sbg1." <escalation id> "." <expiry, Unix seconds> "." <HMAC-SHA256, 64 hex digits>
// signed with a key made at start-up, so grants die with the process and nothing is stored.
// Checked in constant time (CRYPTO_memcmp).

#include <array>
#include <chrono>
#include <string>
#include <string_view>

namespace sb::api {

class Grants {
public:
    using Clock = std::chrono::system_clock;
    Grants(); // a fresh random key
    std::string issue(std::string_view escalation, Clock::time_point expires) const;
    // Whether `token` is a grant for `escalation` that has not expired at `now`.
    bool allows(std::string_view token, std::string_view escalation,
                Clock::time_point now = Clock::now()) const;

private:
    std::string mac(std::string_view escalation, std::string_view expiry) const;
    std::array<unsigned char, 32> key_{};
};

} // namespace sb::api
