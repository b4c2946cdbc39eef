#pragma once
// What a receiver knows about one RTP source, for its RTCP report block (RFC 3550 §6.4.1):
// the extended highest sequence number with cycles, packets expected and lost (Appendix A.3),
// the fraction lost since the last report, and the interarrival jitter (Appendix A.8).

#include "rtp/rtcp_packet.hpp"

#include <cstdint>

namespace sb::rtp {

class ReceptionStats {
public:
    // A packet arrived: its sequence number and timestamp, and when, in the same clock units.
    void received(std::uint16_t sequence, std::uint32_t timestamp, std::uint32_t arrival);
    // The report block for this source; starts a new interval for the fraction lost.
    ReportBlock report(std::uint32_t ssrc, std::uint32_t lastSr, std::uint32_t delaySinceLastSr);

    bool started() const noexcept { return started_; }
    std::uint64_t packets() const noexcept { return received_; }
    std::int64_t lost() const noexcept;
    std::uint32_t jitter() const noexcept { return static_cast<std::uint32_t>(jitter_); }
    std::uint32_t extendedHighest() const noexcept { return cycles_ + maxSequence_; }

private:
    bool started_ = false;
    std::uint16_t maxSequence_ = 0;
    std::uint32_t cycles_ = 0; // count of sequence-number wraps, shifted left 16
    std::uint32_t baseSequence_ = 0;
    std::uint64_t received_ = 0, receivedPrior_ = 0;
    std::uint64_t expectedPrior_ = 0;
    std::int64_t lastTransit_ = 0;
    double jitter_ = 0;
};

} // namespace sb::rtp
