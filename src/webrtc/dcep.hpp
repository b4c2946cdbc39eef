#pragma once
// The Data Channel Establishment Protocol (RFC 8832): the two messages that open a
// DataChannel on an SCTP stream, and the payload protocol identifiers that tell a DataChannel's
// messages apart on the wire (RFC 8831 §8). Reading never throws and never reads past its input;
// whatever does not fit the RFC is refused with an error naming the field.

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace sb::webrtc {

// SCTP payload protocol identifiers (RFC 8831 §8; the IANA registry). The "empty" ones carry
// one byte that stands for an empty message, which SCTP cannot send.
enum class Ppid : std::uint32_t {
    dcep = 50,
    string = 51,
    binary = 53,
    stringEmpty = 56,
    binaryEmpty = 57,
};

// RFC 8832 §5.1: how a channel delivers. The high bit asks for unordered delivery; the low bits
// for partial reliability, bounded by retransmissions or by time (the reliability parameter).
enum class ChannelType : std::uint8_t {
    reliable = 0x00,
    reliableUnordered = 0x80,
    partialReliableRexmit = 0x01,
    partialReliableRexmitUnordered = 0x81,
    partialReliableTimed = 0x02,
    partialReliableTimedUnordered = 0x82,
};

struct DataChannelOpen {
    ChannelType type = ChannelType::reliable;
    std::uint16_t priority = 0;
    // Retransmissions, or milliseconds, for a partially reliable channel; ignored otherwise.
    std::uint32_t reliability = 0;
    std::string label, protocol;

    bool ordered() const noexcept { return (static_cast<std::uint8_t>(type) & 0x80) == 0; }
    bool operator==(const DataChannelOpen&) const = default;
};

struct DataChannelAck {
    bool operator==(const DataChannelAck&) const = default;
};

using DcepMessage = std::variant<DataChannelOpen, DataChannelAck>;

// Reads one DCEP message (the payload of an SCTP message with PPID 50).
Result<DcepMessage> readDcep(std::span<const std::byte> message);
// Errc::too_large for a label or protocol longer than the 16-bit length can say.
Result<std::vector<std::byte>> writeDcep(const DcepMessage& message);

// RFC 8832 §6: the DTLS client opens channels on even stream ids and the server on odd ones,
// so the two ends never pick the same id.
enum class DtlsRole : std::uint8_t { client, server };
constexpr bool mayOpen(DtlsRole role, std::uint16_t streamId) noexcept {
    return (streamId % 2 == 0) == (role == DtlsRole::client);
}

} // namespace sb::webrtc
