#pragma once
// Between a room's descriptions (SDP) and an H.323 call's audio (H.245 capabilities): an H.323
// leg takes the room's offer as the codecs its call proposes and where it receives, and gives
// the room, once the call has agreed its audio, the answer the far end would have written.
//
// The codecs both name, by RFC 3551's static payload types (§4.5, Table 4): PCMU 0 ↔
// g711Ulaw64k, GSM 3 ↔ gsmFullRate, PCMA 8 ↔ g711Alaw64k, G722 9 ↔ g722-64k, G729 18 ↔ g729
// and g729AnnexA (an Annex A stream is a G.729 bit stream, RFC 3551 §4.5.6). Opus has no
// capability identifier of ITU's, and telephone-event none at all here: DTMF crosses in H.245
// UserInputIndication instead.

#include "core/result.hpp"
#include "h323/call.hpp"
#include "sdp/codec.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::h323 {

// The capability for `codec`, with `ptime` ms of audio a packet (H.245's frames are 1 ms for
// G.711 and G.722, 10 ms for G.729; GSM counts octets of 20 ms frames); nullopt for a codec
// H.245 does not name.
std::optional<h245::AudioCapability> capabilityOf(const sdp::Codec& codec, std::uint32_t ptime);
// The codec `capability` stands for; nullopt for a generic one.
std::optional<sdp::Codec> codecOf(const h245::AudioCapability& capability);

// What the room's offer asks of a call: its first audio stream's codecs that H.245 names, in
// the offer's order, and its address (RTP, and RTCP on the next port: H.323 has no rtcp-mux).
// Errc::invalid_input for an offer that does not parse or has no IPv4 audio stream;
// Errc::unsupported when none of its codecs has an H.245 name.
Result<LocalMedia> callMediaOf(std::string_view offer);

// The direction of the offer's audio (RFC 3264 §5.1: sendonly or inactive put the far end on
// hold). Errors as callMediaOf()'s.
Result<sdp::Direction> directionOf(std::string_view offer);

// The far end's answer to the room's `offer` once the call has agreed `path`: its address,
// and the payload types the offer gave the codec we send, then the one the far end sends if
// it differs. Errc::unsupported when the offer has none of them. The same with `direction`
// inactive is the far end's new offer when it holds the call (its empty capability set).
Result<std::string> answerOf(std::string_view offer, const MediaPath& path,
                             sdp::Direction direction = sdp::Direction::sendrecv);

} // namespace sb::h323
