#pragma once
// What the media layers read off a session description: the audio stream we anchor, where its
// peer receives RTP, and the payload type of its DTMF events.

#include "core/result.hpp"
#include "sdp/session.hpp"

#include <asio/ip/udp.hpp>
#include <cstdint>
#include <optional>

namespace sb::session {

// The first RTP audio stream, if any.
const sdp::Media* firstAudio(const sdp::Session& s);
// The first RTP video stream, if any.
const sdp::Media* firstVideo(const sdp::Session& s);
// Where a stream's peer receives RTP: its c= address (an IP literal) and m= port.
// Errc::invalid_input, naming the line, for a stream without c= or with a host name.
Result<asio::ip::udp::endpoint> peerOf(const sdp::Session& s, const sdp::Media& m);
// The payload type of RFC 4733 telephone-event in the stream, if it has one.
std::optional<std::uint8_t> telephoneEventOf(const sdp::Media& m);

} // namespace sb::session
