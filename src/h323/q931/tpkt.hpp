#pragma once
// TPKT (RFC 1006 §6): the framing of H.225.0 call signalling and H.245 on TCP (H.225.0 §7.1):
// version 3, a reserved octet, and the length of the whole packet, header included, in two
// octets; the payload is one Q.931 message (or H.245 PDU).

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sb::h323 {

inline constexpr std::size_t kTpktHeader = 4;

std::vector<std::uint8_t> tpktFrame(std::span<const std::uint8_t> payload);

// Splits a TCP stream into payloads as its octets arrive.
class TpktReader {
public:
    void add(std::span<const std::uint8_t> bytes) {
        buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    }
    // The next whole payload; nullopt until one has arrived. Errc::invalid_input for a
    // version other than 3 or a length shorter than the header: the stream is then lost
    // (where the next packet begins is unknown), and the connection should close.
    Result<std::optional<std::vector<std::uint8_t>>> next();

private:
    std::vector<std::uint8_t> buffer_;
    std::size_t taken_ = 0; // octets of buffer_ already handed out
};

} // namespace sb::h323
