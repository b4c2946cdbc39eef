#pragma once
// SDES keying (RFC 4568) for one leg of an anchored call: which suite and keys an offer or
// answer settles on, and the SRTP sessions that follow from them.

#include "core/result.hpp"
#include "rtp/rtp_stream.hpp"
#include "rtp/srtp.hpp"
#include "sdp/session.hpp"

#include <optional>
#include <vector>

namespace sb::session {

struct SdesKeys {
    rtp::SrtpSuite suite = rtp::SrtpSuite::aesCm128HmacSha1_80;
    std::uint32_t tag = 1;
    std::vector<std::byte> theirs; // the peer's master key and salt: what it sends with
    std::string oursParams;        // ours, as key-params: what we send with
};

// From an offer's crypto lines (§7.1.2.2): the first one whose suite we support and whose key
// we can read, with a new key of ours for it. nullopt when none qualifies.
std::optional<SdesKeys> acceptOffered(const sdp::Media& offered);
// Our crypto lines for an offer: a new key for each suite, in order of preference.
std::vector<sdp::Crypto> offerKeys();
// From the answer to such an offer: the line it chose (by tag, §7.1.3) and its key.
Result<SdesKeys> acceptAnswered(const sdp::Media& answered, const std::vector<sdp::Crypto>& ours);
// SRTP on `stream` with these keys.
Result<void> secure(rtp::RtpStream& stream, const SdesKeys& keys);

} // namespace sb::session
