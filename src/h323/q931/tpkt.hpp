#pragma once
// TPKT (RFC 1006 §6): the framing of H.225.0 call signalling and H.245 on TCP (H.225.0 §7.1):
// version 3, a reserved octet, and the length of the whole packet, header included, in two
// octets; the payload is one Q.931 message (or H.245 PDU).

#include "core/result.hpp"

#include <cstddef>
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
    // What was handed out goes first: a peer whose every segment ends inside a packet would
    // otherwise grow the buffer by all it ever sent.
    void add(std::span<const std::uint8_t> bytes);
    // Octets held: a packet's worth not yet whole (under 64K), and the last add()'s.
    std::size_t held() const noexcept { return buffer_.size(); }
    // The next whole payload; nullopt until one has arrived. A packet with no payload (the
    // keep-alive of H.460.18 §18, which GnuGk sends) is passed over. Errc::invalid_input for a
    // version other than 3 or a length shorter than the header: the stream is then lost
    // (where the next packet begins is unknown), and the connection should close.
    Result<std::optional<std::vector<std::uint8_t>>> next();

private:
    std::vector<std::uint8_t> buffer_;
    std::size_t taken_ = 0; // octets of buffer_ already handed out
};

} // namespace sb::h323
