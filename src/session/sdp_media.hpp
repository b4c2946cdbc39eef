#pragma once
// What the media layers read off a session description: the audio stream we anchor, where its
// peer receives RTP, and the payload type of its DTMF events.

#include "core/result.hpp"
#include "sdp/negotiation.hpp"
#include "sdp/session.hpp"

#include <asio/ip/udp.hpp>
#include <cstdint>
#include <optional>
#include <vector>

namespace sb::session {

// The first RTP audio stream, if any.
const sdp::Media* firstAudio(const sdp::Session& s);
// The first RTP video stream, if any.
const sdp::Media* firstVideo(const sdp::Session& s);
// Where a stream's peer receives RTP: its c= address (an IP literal) and m= port.
// Errc::invalid_input, naming the line, for a stream without c= or with a host name.
Result<asio::ip::udp::endpoint> peerOf(const sdp::Session& s, const sdp::Media& m);
// The stream's RFC 4733 telephone-event formats, in its order.
std::vector<sdp::PayloadCodec> telephoneEvents(const sdp::Media& m);
// The payload type of RFC 4733 telephone-event in the stream, if it has one: the one at
// `clock` where there are several (RFC 4733 §2.1: the events' clock is the audio's), else the
// first.
std::optional<std::uint8_t> telephoneEventOf(const sdp::Media& m,
                                             std::optional<std::uint32_t> clock = {});

} // namespace sb::session
