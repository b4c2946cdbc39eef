#pragma once
// The offer/answer model (RFC 3264) from our side of a leg: the offers we make and the answers
// we give, for media Switchboard anchors (its own address and ports in c= and m=).

#include "core/result.hpp"
#include "sdp/codec.hpp"
#include "sdp/session.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::sdp {

// Per route (issue "srtp = off | optional | required"): whether a leg's RTP is encrypted with
// SDES-keyed SRTP (RFC 4568).
enum class SrtpPolicy { off, optional, required };
// "off", "optional" or "required"; nullopt for anything else.
std::optional<SrtpPolicy> srtpPolicyByName(std::string_view name) noexcept;

// What we offer or accept for one stream.
struct LocalStream {
    std::string type = "audio"; // or "video"
    std::string address;        // ours, for c=
    std::uint16_t port = 0;     // our RTP port; 0 rejects the stream
    std::vector<Codec> codecs;  // acceptable, in our order of preference; telephone-event for DTMF
    std::optional<std::uint32_t> ptime;
    bool rtcpMux = true; // RFC 5761: offered, and accepted when offered to us
    SrtpPolicy srtp = SrtpPolicy::off;
    // Our key for each suite we accept, in order of preference (RFC 4568 §9.1 key-params,
    // "inline:…"); in an offer, a tag of 0 becomes the line's place in the list.
    std::vector<Crypto> keys;
    Direction direction = Direction::sendrecv; // what we want: sendonly puts the peer on hold
    // RTCP feedback we take for every codec but telephone-event (RFC 4585 §4.2: "nack pli",
    // RFC 5104 §7.1: "ccm fir"); an answer keeps those of the offer's that are here.
    std::vector<std::string> feedback = {};
};

// RFC 3264 §6.1: the direction of an answer to `offered` when we want `wanted`.
Direction answerDirection(Direction offered, Direction wanted) noexcept;

// Our offer (RFC 3264 §5): one stream per entry, of its type. Static payload types for the codecs
// RFC 3551 numbers, dynamic ones from 96 otherwise; telephone-event with "0-16".
Session makeOffer(const Origin& origin, const std::vector<LocalStream>& streams);

// Our answer (RFC 3264 §6) to `offer`: one m= per offered stream, in order. The n-th offered
// stream of a type takes the n-th entry of `streams` of that type. A stream is accepted with the
// offered payload types we accept (in our order of preference), the offer's telephone-event,
// rtcp-mux if offered, and one SDES key for a suite both have; it is rejected (port 0) when
// `streams` has no entry for it, its port is 0, no codec matches, or the SRTP policy cannot be met.
// Errc::invalid_input for an offer that is not usable at all (a stream without a connection
// address).
Result<Session> makeAnswer(const Session& offer, const Origin& origin,
                           const std::vector<LocalStream>& streams);

} // namespace sb::sdp
