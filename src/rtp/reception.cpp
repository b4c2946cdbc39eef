#include "rtp/reception.hpp"

#include <algorithm>
#include <cstdlib>

namespace sb::rtp {
namespace {

// Appendix A.1: a jump forward this large, or back this far, is not ordinary loss or misorder.
constexpr std::uint16_t kMaxDropout = 3000;
constexpr std::uint16_t kMaxMisorder = 100;

} // namespace

void ReceptionStats::received(std::uint16_t sequence, std::uint32_t timestamp,
                              std::uint32_t arrival) {
    const auto transit = static_cast<std::int64_t>(arrival) - static_cast<std::int64_t>(timestamp);
    if (!started_) {
        started_ = true;
        maxSequence_ = sequence;
        baseSequence_ = sequence;
        cycles_ = 0;
        lastTransit_ = transit;
        ++received_;
        return;
    }
    const auto delta = static_cast<std::uint16_t>(sequence - maxSequence_);
    if (delta < kMaxDropout) {
        if (sequence < maxSequence_) cycles_ += 1u << 16; // wrapped
        maxSequence_ = sequence;
    } else if (delta <= 65535 - kMaxMisorder) {
        // A very large jump: the source restarted its numbering (Appendix A.1 re-syncs after
        // two such packets; one suffices here, as a B2BUA's peers restart on re-INVITEs).
        maxSequence_ = sequence;
        baseSequence_ = sequence;
        cycles_ = 0;
        received_ = receivedPrior_ = expectedPrior_ = 0;
    } // else: a late, misordered packet; counted below, the highest stays
    ++received_;
    // A.8: J += (|D| − J) / 16, D the difference in transit times.
    const double d = std::abs(static_cast<double>(transit - lastTransit_));
    lastTransit_ = transit;
    jitter_ += (d - jitter_) / 16.0;
}

std::int64_t ReceptionStats::lost() const noexcept {
    if (!started_) return 0;
    const std::int64_t expected = std::int64_t{extendedHighest()} - baseSequence_ + 1;
    return expected - static_cast<std::int64_t>(received_);
}

ReportBlock ReceptionStats::report(std::uint32_t ssrc, std::uint32_t lastSr,
                                   std::uint32_t delaySinceLastSr) {
    ReportBlock b;
    b.ssrc = ssrc;
    const std::int64_t expected = std::int64_t{extendedHighest()} - baseSequence_ + 1;
    // A.3: the fraction lost in this interval, 8-bit fixed point; duplicates can make it
    // negative, which reports as zero.
    const std::int64_t expectedInterval = expected - static_cast<std::int64_t>(expectedPrior_);
    const std::int64_t receivedInterval =
        static_cast<std::int64_t>(received_) - static_cast<std::int64_t>(receivedPrior_);
    const std::int64_t lostInterval = expectedInterval - receivedInterval;
    b.fractionLost = expectedInterval <= 0 || lostInterval <= 0
                         ? 0
                         : static_cast<std::uint8_t>(
                               std::min<std::int64_t>(255, (lostInterval << 8) / expectedInterval));
    expectedPrior_ = static_cast<std::uint64_t>(std::max<std::int64_t>(expected, 0));
    receivedPrior_ = received_;
    b.cumulativeLost =
        static_cast<std::int32_t>(std::clamp<std::int64_t>(lost(), -8388608, 8388607));
    b.highestSequence = extendedHighest();
    b.jitter = jitter();
    b.lastSr = lastSr;
    b.delaySinceLastSr = delaySinceLastSr;
    return b;
}

} // namespace sb::rtp
