#pragma once
// Answers SIP requests without keeping any state: OPTIONS → 200 (RFC 3261 §11.2), methods not
// handled yet → 501, a malformed request → 400 whose reason phrase names the bad element, an
// unsupported SIP version → 505, an oversized one → 513. Responses and ACKs get no answer.

#include "sip/message.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace sb::sip {

struct ResponderOptions {
    std::string userAgent = "Switchboard";
    ParseLimits limits;
};

class StatelessResponder {
public:
    explicit StatelessResponder(ResponderOptions options);

    // The response to send back for these bytes, or nullopt when nothing should be sent.
    std::optional<std::string> respond(std::string_view bytes);

    struct Stats {
        std::uint64_t requests = 0;
        std::uint64_t malformed = 0;
        std::uint64_t ignored = 0; // responses, ACKs, garbage that is not a request
    };
    const Stats& stats() const noexcept { return stats_; }

    // The response to a request that failed to parse: the headers needed to route it are
    // salvaged from the raw bytes. nullopt if the bytes are not recognisably a request.
    std::optional<std::string> rejectMalformed(std::string_view bytes, const Error& error);

private:
    std::string newTag();

    ResponderOptions options_;
    std::mt19937_64 random_;
    Stats stats_;
};

// RFC 3261 §21 reason phrases for the codes the responder sends.
std::string_view defaultReason(int status) noexcept;

} // namespace sb::sip
