// Fuzzes Digest authentication with untrusted header values: as credentials to verify (an
// Authorization from a caller) and as a challenge to answer (a 401 from a far end).
#include "sip/digest_auth.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sb::sip;
    static DigestChallenger challenger(
        {"switchboard", std::chrono::seconds(300), {DigestAlgorithm::sha256, DigestAlgorithm::md5}},
        "fuzzing key, fixed for reproducible runs");
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto value = parseAuth(text, "Authorization");
    if (!value) return 0;
    const auto now = DigestChallenger::Clock::time_point(std::chrono::seconds(1000));
    (void)challenger.verify(
        "INVITE", *value,
        [](std::string_view user) -> std::optional<std::string> {
            if (user == "alice") return "secret";
            return std::nullopt;
        },
        now);
    (void)answerChallenge(*value, "INVITE", "sip:bob@example.org", "alice", "secret", "c0ffee");
    const AuthValue one[] = {*value};
    (void)preferredChallenge(one);
    return 0;
}
