#pragma once
// Signed tree heads for the record, at most one per interval. Each ended escalation asks for a
// head that covers it; signing and storing one per escalation would cost an Ed25519 signature
// and a transaction of its own (an fsync) each time, so the asks of one interval share the head
// signed at its end, as a Certificate Transparency log merges its entries within a maximum
// merge delay (RFC 9162 §4.1). Under light load every ended escalation still gets its own head,
// one interval late at most.

#include "net/timer_wheel.hpp"
#include "witness/log.hpp"
#include "witness/signer.hpp"

#include <chrono>
#include <optional>

namespace sb::witness {

class Sealer {
public:
    // The wheel, the log and the signer outlive the sealer; `now` gives the heads' timestamps.
    Sealer(net::TimerWheel& timers, WitnessLog& log, const Signer& signer,
           std::chrono::milliseconds interval, std::function<std::int64_t()> unixNowMs);
    // Seals what is asked for, as flush() does.
    ~Sealer();
    Sealer(const Sealer&) = delete;
    Sealer& operator=(const Sealer&) = delete;

    // A head covering the log as it will then be is signed and stored within the interval.
    void ask();
    // Signs and stores one now if one was asked for.
    void flush();

    std::uint64_t sealed() const noexcept { return sealed_; }

private:
    void seal();

    net::TimerWheel& timers_;
    WitnessLog& log_;
    const Signer& signer_;
    std::chrono::milliseconds interval_;
    std::function<std::int64_t()> now_;
    std::optional<net::TimerWheel::TimerId> pending_;
    std::uint64_t sealed_ = 0;
};

} // namespace sb::witness
