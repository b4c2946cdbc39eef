#include "media/mixer.hpp"

#include <algorithm>
#include <cmath>

namespace sb::media {
namespace {

// The active talker must stand above this mean square (about −40 dBFS) …
constexpr double kSpeechFloor = 32768.0 * 32768.0 * 1e-4;
// … for this many consecutive ticks (200 ms at 20-ms frames) before the floor changes hands.
constexpr int kHoldTicks = 10;

std::int16_t saturate(std::int32_t v) {
    return static_cast<std::int16_t>(std::clamp<std::int32_t>(v, INT16_MIN, INT16_MAX));
}

} // namespace

Mixer::Mixer(std::uint32_t sampleRate, std::uint32_t frameMs, Mode mode)
    : rate_(sampleRate), frame_(sampleRate * frameMs / 1000), mode_(mode), sum_(frame_),
      rampUp_(frame_), rampDown_(frame_) {
    for (std::size_t i = 0; i < frame_; ++i) {
        rampUp_[i] = float(i + 1) / float(frame_);
        rampDown_[i] = 1.0f - rampUp_[i];
    }
}

Mixer::Participant Mixer::join() {
    const Participant p = next_++;
    Member& m = members_[p];
    m.in.assign(frame_, 0);
    m.out.assign(frame_, 0);
    return p;
}

void Mixer::leave(Participant p) {
    if (auto found = members_.find(p); found != members_.end()) found->second.leaving = true;
}

void Mixer::mute(Participant p, bool muted) {
    if (auto found = members_.find(p); found != members_.end()) found->second.muted = muted;
}

void Mixer::push(Participant p, std::span<const std::int16_t> frame) {
    auto found = members_.find(p);
    if (found == members_.end()) return;
    auto& in = found->second.in;
    const std::size_t n = std::min(frame.size(), frame_);
    std::copy_n(frame.begin(), n, in.begin());
    std::fill(in.begin() + static_cast<std::ptrdiff_t>(n), in.end(), 0);
}

void Mixer::mix() {
    std::fill(sum_.begin(), sum_.end(), 0);
    for (auto& [id, m] : members_) {
        double energy = 0;
        for (auto v : m.in)
            energy += double(v) * v;
        m.level = 0.7 * m.level + 0.3 * energy / double(frame_);
        if (m.muted) std::fill(m.in.begin(), m.in.end(), 0);
        // Ramps: a newcomer fades in and a leaver fades out over this frame (no click).
        if (m.fresh || m.leaving) {
            const auto& ramp = m.leaving ? rampDown_ : rampUp_;
            for (std::size_t i = 0; i < frame_; ++i)
                m.in[i] = static_cast<std::int16_t>(float(m.in[i]) * ramp[i]);
        }
        for (std::size_t i = 0; i < frame_; ++i)
            sum_[i] += m.in[i];
    }
    for (auto& [id, m] : members_) {
        for (std::size_t i = 0; i < frame_; ++i)
            m.out[i] = saturate(mode_ == Mode::echo ? sum_[i] : sum_[i] - m.in[i]);
        m.fresh = false;
        std::fill(m.in.begin(), m.in.end(), 0); // silence unless pushed next tick
    }
    std::erase_if(members_, [](const auto& entry) { return entry.second.leaving; });
    updateTalker();
}

std::span<const std::int16_t> Mixer::output(Participant p) const {
    auto found = members_.find(p);
    if (found == members_.end()) return {};
    return found->second.out;
}

void Mixer::updateTalker() {
    std::optional<Participant> loudest;
    double best = kSpeechFloor;
    for (auto& [id, m] : members_) {
        if (!m.muted && m.level > best) {
            best = m.level;
            loudest = id;
        }
    }
    for (auto& [id, m] : members_)
        m.loudTicks = loudest == id ? m.loudTicks + 1 : 0;
    if (talker_ && !members_.contains(*talker_)) {
        talker_.reset();
        if (talkerChanged_) talkerChanged_(talker_);
    }
    if (loudest && loudest != talker_ && members_[*loudest].loudTicks >= kHoldTicks) {
        talker_ = loudest;
        if (talkerChanged_) talkerChanged_(talker_);
    }
}

} // namespace sb::media
