#include "rtp/jitter_buffer.hpp"

#include <algorithm>
#include <cmath>

namespace sb::rtp {
namespace {

// Serial-number distance (RFC 1982 style, 16 bits): positive when `a` is after `b`.
int distance(std::uint16_t a, std::uint16_t b) noexcept {
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(a - b));
}

constexpr int kStallsBeforePause = 3;    // empty-handed turns concealed before we call it a pause
constexpr int kDeepTurnsBeforeDrop = 50; // a second of 20 ms turns

} // namespace

JitterBuffer::Stats& JitterBuffer::Stats::operator+=(const Stats& s) noexcept {
    played += s.played;
    lost += s.lost;
    late += s.late;
    duplicates += s.duplicates;
    dropped += s.dropped;
    resets += s.resets;
    return *this;
}

JitterBuffer::JitterBuffer(Options options)
    : options_(options), slots_(std::max<std::size_t>(options.capacity, 4)),
      packetTicks_(options.clockRate / 50) {}

std::uint32_t JitterBuffer::toTicks(std::chrono::milliseconds ms) const noexcept {
    return static_cast<std::uint32_t>(ms.count() * options_.clockRate / 1000);
}

std::chrono::milliseconds JitterBuffer::targetDelay() const noexcept {
    const auto ticks = static_cast<std::uint32_t>(3 * jitter_) + packetTicks_ + extraTicks_;
    const auto clamped = std::clamp(ticks, toTicks(options_.minDelay), toTicks(options_.maxDelay));
    return std::chrono::milliseconds(std::uint64_t{clamped} * 1000 / options_.clockRate);
}

const JitterBuffer::Slot* JitterBuffer::find(std::uint16_t sequence) const {
    const Slot& s = slots_[sequence % slots_.size()];
    return s.used && s.sequence == sequence ? &s : nullptr;
}

std::chrono::milliseconds JitterBuffer::bufferedDelay() const noexcept {
    if (held_ == 0) return std::chrono::milliseconds(0);
    const std::uint16_t from = started_ ? next_ : lowest_;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (const Slot* s = find(static_cast<std::uint16_t>(from + i))) {
            const std::uint32_t ticks = highestTimestamp_ - s->timestamp + packetTicks_;
            return std::chrono::milliseconds(std::uint64_t{ticks} * 1000 / options_.clockRate);
        }
    }
    return std::chrono::milliseconds(0);
}

void JitterBuffer::clear() {
    for (auto& s : slots_)
        s.used = false;
    held_ = 0;
    started_ = false;
    lastTransit_.reset(); // a new source's timing has nothing to do with the old one's
    stalls_ = deepTicks_ = 0;
}

void JitterBuffer::updateJitter(std::uint32_t timestamp, Clock::time_point arrival) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(arrival - epoch_);
    const auto arrivalTicks =
        static_cast<std::int64_t>(elapsed.count() * std::int64_t{options_.clockRate} / 1000000);
    const std::int64_t transit = arrivalTicks - timestamp;
    if (lastTransit_) {
        // A.8, with the difference taken modulo 2^32 like the timestamps themselves.
        const auto d =
            static_cast<std::int32_t>(static_cast<std::uint32_t>(transit - *lastTransit_));
        jitter_ += (std::abs(static_cast<double>(d)) - jitter_) / 16;
    }
    lastTransit_ = transit;
}

bool JitterBuffer::push(const RtpView& packet, Clock::time_point arrival) {
    const std::uint16_t sequence = packet.sequence;
    const auto capacity = static_cast<int>(slots_.size());
    if (started_) {
        const int ahead = distance(sequence, next_);
        if (ahead < 0) {
            ++stats_.late;
            return false;
        }
        if (ahead >= capacity) {
            ++stats_.resets; // a jump no reordering explains: a new start
            clear();
        }
    } else if (held_ > 0) {
        const int ahead = distance(sequence, lowest_);
        if (ahead >= capacity || ahead <= -capacity) {
            ++stats_.resets;
            clear();
        } else if (ahead < 0) {
            lowest_ = sequence;
        }
    }
    if (held_ == 0 && !started_) lowest_ = sequence;
    updateJitter(packet.timestamp, arrival);

    Slot& s = slot(sequence);
    if (s.used && s.sequence == sequence) {
        ++stats_.duplicates;
        return false;
    }
    if (!s.used) ++held_;
    if (held_ == 1 || static_cast<std::int32_t>(packet.timestamp - highestTimestamp_) > 0)
        highestTimestamp_ = packet.timestamp;
    s.used = true;
    s.sequence = sequence;
    s.timestamp = packet.timestamp;
    s.payloadType = packet.payloadType;
    s.payload.assign(packet.payload.begin(), packet.payload.end());
    // One packet's length, from neighbours in sequence (the last one seen wins).
    for (const auto neighbour :
         {static_cast<std::uint16_t>(sequence - 1), static_cast<std::uint16_t>(sequence + 1)}) {
        const Slot* n = find(neighbour);
        if (!n) continue;
        const auto step = neighbour == sequence - 1 ? packet.timestamp - n->timestamp
                                                    : n->timestamp - packet.timestamp;
        if (step > 0 && step <= options_.clockRate / 5) packetTicks_ = step;
    }
    return true;
}

JitterBuffer::Playout JitterBuffer::next() {
    const auto target = targetDelay();
    if (held_ == 0) {
        if (!started_) return {};
        // Nothing at all: the sender is behind us. Conceal a few turns, waiting for the late
        // packet (that wait is the buffer growing); after that it is a pause, and playout
        // starts afresh, buffered, when packets come again.
        if (++stalls_ > kStallsBeforePause) {
            // A pause, not a late packet: the depth those turns added is not needed.
            started_ = false;
            const auto added = kStallsBeforePause * packetTicks_;
            extraTicks_ = extraTicks_ > added ? extraTicks_ - added : 0;
            return {};
        }
        extraTicks_ = std::min(extraTicks_ + packetTicks_, toTicks(options_.maxDelay));
        ++stats_.lost;
        return {Playout::Kind::lost, {}, 0, 0};
    }
    if (!started_) {
        if (bufferedDelay() < target) return {};
        started_ = true;
        next_ = lowest_;
    }
    stalls_ = 0;
    // Held more than needed for a second on end: one packet less of latency.
    const auto packetMs = std::chrono::milliseconds(packetTicks_ * 1000 / options_.clockRate);
    if (bufferedDelay() >= target + 2 * packetMs) {
        if (++deepTicks_ >= kDeepTurnsBeforeDrop) {
            deepTicks_ = 0;
            extraTicks_ = extraTicks_ > packetTicks_ ? extraTicks_ - packetTicks_ : 0;
            if (Slot& s = slot(next_); s.used && s.sequence == next_) {
                s.used = false;
                --held_;
                ++stats_.dropped;
            }
            ++next_;
        }
    } else {
        deepTicks_ = 0;
    }
    Slot& s = slot(next_);
    const std::uint16_t sequence = next_++;
    if (!s.used || s.sequence != sequence) {
        ++stats_.lost;
        return {Playout::Kind::lost, {}, 0, 0};
    }
    s.used = false;
    --held_;
    ++stats_.played;
    played_.swap(s.payload);
    return {Playout::Kind::packet, played_, s.payloadType, s.timestamp};
}

} // namespace sb::rtp
