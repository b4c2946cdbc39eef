#pragma once
// RTP payloads of H.264 (RFC 6184, packetization-mode 1: single NAL unit, STAP-A and FU-A
// packets) and of H.265 (RFC 7798: single NAL unit, aggregation (AP) and fragmentation (FU)
// packets, no DONL). The packetizer works once per encoded frame; each leg that sends the
// frame puts its own RTP header in front of the same payloads (ARCHITECTURE.md: one encode per
// source, fanned out).

#include "core/result.hpp"
#include "video/nal.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sb::video {

// The RTP payloads of one access unit, in order; the last one takes the marker bit (RFC 6184
// §5.1, RFC 7798 §4.1).
using Payloads = std::vector<std::vector<std::uint8_t>>;

// `nals` (one access unit) as payloads of at most `maxPayload` octets: consecutive small units
// aggregated, a unit too large for one packet fragmented. maxPayload must leave room for an
// aggregation's or fragment's headers (at least 16).
Payloads packetize(Codec codec, std::span<const Nal> nals, std::size_t maxPayload);

// Whether an RTP payload starts a picture a decoder can begin with: its first unit (alone, the
// first of an aggregation, or the start of a fragment) is a parameter set or a random access
// picture (H.264: SPS or IDR; H.265: VPS, SPS or IRAP). A relay starts a new receiver there.
bool beginsRandomAccess(Codec codec, std::span<const std::uint8_t> payload);

// Reassembles access units from RTP packets of one stream, in sequence order. A lost packet
// (a sequence gap) spoils the access unit it belongs to: that one is dropped and counted, and
// the receiver should ask for a key frame (RFC 4585 PLI).
class Depacketizer {
public:
    explicit Depacketizer(Codec codec, std::size_t maxAccessUnit = 4 << 20)
        : codec_(codec), maxAccessUnit_(maxAccessUnit) {}

    struct AccessUnit {
        std::uint32_t timestamp = 0;
        std::vector<std::uint8_t> annexB; // each unit behind 00 00 00 01
    };
    // One packet's fields; what it completes goes to `done`: the unit it ends (the marker
    // bit), and the one before when the timestamp moved on without a marker. A payload this
    // codec's RFC does not allow spoils its unit; lastError() says what was wrong with it.
    void push(std::uint16_t sequence, std::uint32_t timestamp, bool marker,
              std::span<const std::uint8_t> payload, std::vector<AccessUnit>& done);

    std::uint64_t spoiledUnits() const noexcept { return spoiled_; }
    std::uint64_t malformedPackets() const noexcept { return malformed_; }
    const std::string& lastError() const noexcept { return lastError_; }

private:
    Result<void> take(std::span<const std::uint8_t> payload);
    Result<void> append(std::span<const std::uint8_t> header, std::span<const std::uint8_t> body,
                        bool startCode = true);
    void close(std::vector<AccessUnit>& done);

    Codec codec_;
    std::size_t maxAccessUnit_;
    std::optional<std::uint16_t> lastSequence_;
    std::uint32_t timestamp_ = 0;
    bool open_ = false;       // packets of the unit at timestamp_ have come
    bool damaged_ = false;    // and one of its packets was lost or malformed
    bool inFragment_ = false; // a fragmented NAL unit is half-way
    std::vector<std::uint8_t> unit_;
    std::uint64_t spoiled_ = 0, malformed_ = 0;
    std::string lastError_;
};

} // namespace sb::video
