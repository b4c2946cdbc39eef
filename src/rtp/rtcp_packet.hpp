#pragma once
// RTCP (RFC 3550 §6): compound packets read into their reports, and written. Sender and
// receiver reports with their report blocks (§6.4), source descriptions (§6.5), BYE (§6.6);
// APP (§6.7) and the feedback messages of RFC 4585 (205, 206) are kept as raw packets.

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sb::rtp {

enum class RtcpType : std::uint8_t {
    senderReport = 200,
    receiverReport = 201,
    sourceDescription = 202,
    bye = 203,
    app = 204,
    transportFeedback = 205, // RFC 4585
    payloadFeedback = 206,
};

// §6.4.1: one block per source heard from.
struct ReportBlock {
    std::uint32_t ssrc = 0;
    std::uint8_t fractionLost = 0;      // fixed point, /256
    std::int32_t cumulativeLost = 0;    // 24-bit signed
    std::uint32_t highestSequence = 0;  // extended: cycles << 16 | sequence
    std::uint32_t jitter = 0;           // timestamp units
    std::uint32_t lastSr = 0;           // middle 32 bits of the last SR's NTP time
    std::uint32_t delaySinceLastSr = 0; // units of 1/65536 s

    bool operator==(const ReportBlock&) const = default;
};

struct SenderInfo {
    std::uint64_t ntpTime = 0; // NTP timestamp, 32.32 fixed point
    std::uint32_t rtpTimestamp = 0, packetCount = 0, octetCount = 0;

    bool operator==(const SenderInfo&) const = default;
};

struct SdesItem {
    std::uint8_t type = 1; // 1 CNAME, 2 NAME, … 8 PRIV (§6.5)
    std::string text;

    bool operator==(const SdesItem&) const = default;
};

struct SdesChunk {
    std::uint32_t ssrc = 0;
    std::vector<SdesItem> items;

    bool operator==(const SdesChunk&) const = default;
};

// One packet of a compound: the fields of its type, or its raw bytes for the others.
struct RtcpPacket {
    RtcpType type = RtcpType::receiverReport;
    std::uint32_t ssrc = 0;                // SR, RR: the sender; feedback: the sender
    SenderInfo sender;                     // SR
    std::vector<ReportBlock> reports;      // SR, RR
    std::vector<SdesChunk> chunks;         // SDES
    std::vector<std::uint32_t> byeSources; // BYE
    std::string byeReason;                 // BYE, optional
    std::vector<std::byte> raw;            // APP and feedback, the whole packet

    bool operator==(const RtcpPacket&) const = default;
};

// Reads a compound packet, validated as RFC 3550 §A.2 does: version 2, the first packet an SR
// or RR, padding only on the last, and lengths that add up to the datagram exactly. Errors
// (Errc::invalid_input) name the packet's index and the problem.
Result<std::vector<RtcpPacket>> parseRtcp(std::span<const std::byte> datagram);

// Writes a compound packet (no padding). SR, RR, SDES and BYE from their fields; APP and
// feedback from `raw`. At most 31 report blocks, SDES chunks or BYE sources per packet (§6.4).
std::vector<std::byte> writeRtcp(const std::vector<RtcpPacket>& packets);

} // namespace sb::rtp
