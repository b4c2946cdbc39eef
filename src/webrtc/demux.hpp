#pragma once
// What arrives on a WebRTC transport, told apart by its first byte (RFC 7983 §7, as RFC 9443
// updates it): STUN, DTLS, RTP/RTCP, TURN channel data; and the DTLS records of a datagram
// checked for their framing (RFC 6347 §4.1) before OpenSSL sees them, so that what is not DTLS
// at all is counted and dropped here.

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace sb::webrtc {

enum class PacketKind : std::uint8_t { stun, zrtp, dtls, turnChannel, rtp, unknown };

PacketKind classify(std::span<const std::byte> datagram) noexcept;

// The number of DTLS 1.0/1.2 records in `datagram`, each with a content type DTLS 1.2 knows
// (change_cipher_spec, alert, handshake, application_data), a DTLS version, and a length that
// fits what is left and RFC 6347's bound; otherwise an error naming the record and its field.
Result<std::size_t> checkDtlsRecords(std::span<const std::byte> datagram);

} // namespace sb::webrtc
