#pragma once
// SDES keying (RFC 4568) for one leg of an anchored call: which suite and keys an offer or
// answer settles on, and the SRTP sessions that follow from them.

#include "core/result.hpp"
#include "rtp/rtp_stream.hpp"
#include "rtp/srtp.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/session.hpp"

#include <optional>
#include <vector>

namespace sb::session {

struct SdesKeys {
    rtp::SrtpSuite suite = rtp::SrtpSuite::aesCm128HmacSha1_80;
    std::uint32_t tag = 1;
    std::vector<std::byte> theirs; // the peer's master key and salt: what it sends with
    std::string oursParams;        // ours, as key-params: what we send with

    bool operator==(const SdesKeys&) const = default;
};

// From an offer's crypto lines (§7.1.2.2): the first one whose suite we support and whose key
// we can read, with a new key of ours for it. nullopt when none qualifies.
std::optional<SdesKeys> acceptOffered(const sdp::Media& offered);
// Our crypto lines for an offer: a new key for each suite, in order of preference.
std::vector<sdp::Crypto> offerKeys();
// From the answer to such an offer: the line it chose (by tag, §7.1.3) and its key.
Result<SdesKeys> acceptAnswered(const sdp::Media& answered, const std::vector<sdp::Crypto>& ours);
// SRTP on `stream` with these keys; a direction whose key is that of `before` (the keys the
// stream has) keeps its context.
Result<void> secure(rtp::RtpStream& stream, const SdesKeys& keys,
                    const std::optional<SdesKeys>& before = std::nullopt);

// One stream's SDES keying over all the offers and answers of a call in a room: what our
// offers carry, and what each answer, theirs or ours, keys the stream with.
class StreamKeys {
public:
    // How our offers key a stream that has no keys yet.
    StreamKeys() = default;
    explicit StreamKeys(sdp::SrtpPolicy policy) : policy_(policy) {}

    // Our crypto lines for an offer of ours: the stream's keys again when it has them (RFC 4568
    // §7.1.4 lets a new offer keep them, and our SRTP then keeps its rollover counter), in the
    // profile they were settled in; else a new key for each suite, as the policy asks.
    void offerOn(sdp::LocalStream& local);
    // The answer's stream to that offer: the keys it settles; nullopt for plain RTP (we offered
    // none, or offered them as optional and it took none). Errors: keys required and not
    // given; a line we did not offer.
    Result<std::optional<SdesKeys>> answered(const sdp::Media& answer);
    // Their offer's stream: the keys we accept from it (the stream's own again when the offer
    // repeats its key); nullopt if none is usable. Our answer then carries them (answerOn).
    std::optional<SdesKeys> offered(const sdp::Media& offer);
    static void answerOn(sdp::LocalStream& local, const SdesKeys& keys);
    // The stream keyed as settled; nothing is done when it has these keys already. A change
    // is logged, the stream named by `name`.
    Result<void> key(rtp::RtpStream& stream, const std::optional<SdesKeys>& keys,
                     std::string_view name);
    // The same for a stream that lives on another thread: records the keys as settled, and
    // says whether the stream must be keyed again (they differ from its own).
    bool settle(const std::optional<SdesKeys>& keys);
    const std::optional<SdesKeys>& settled() const noexcept { return settled_; }
    // How our next offer keys the stream while it has no keys (a route's policy may come after
    // the stream was made).
    void unkeyedPolicy(sdp::SrtpPolicy policy) noexcept { policy_ = policy; }
    // Its stream has gone: a new one starts without keys.
    void forget() noexcept { settled_.reset(); }
    // A stream added to a call whose `other` stream is keyed is offered keys likewise (SRTP
    // when the call uses it), whatever the policy.
    void follow(const StreamKeys& other) noexcept {
        if (!settled_ && other.settled_) policy_ = other.settledAs_;
    }

private:
    sdp::SrtpPolicy policy_ = sdp::SrtpPolicy::off;
    sdp::SrtpPolicy offeredPolicy_ = sdp::SrtpPolicy::off;
    std::vector<sdp::Crypto> offeredKeys_; // in our last offer
    std::optional<SdesKeys> settled_;      // what the stream is keyed with
    // required: settled in RTP/SAVP; optional: in RTP/AVP (best-effort SRTP). The pending one
    // is the last offer's or answer's, until key() settles it.
    sdp::SrtpPolicy settledAs_ = sdp::SrtpPolicy::off, pendingAs_ = sdp::SrtpPolicy::off;
};

} // namespace sb::session
