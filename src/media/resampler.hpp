#pragma once
// Sample-rate conversion between codecs' rates (8, 16, 48 kHz …) with speexdsp's resampler at
// its VoIP quality. Streaming: state carries across calls, so consecutive packets join without
// a seam.

#include "core/result.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace sb::media {

class Resampler {
public:
    // Errc::config for a rate speexdsp refuses.
    static Result<std::unique_ptr<Resampler>> make(std::uint32_t fromRate, std::uint32_t toRate);
    ~Resampler();
    Resampler(const Resampler&) = delete;
    Resampler& operator=(const Resampler&) = delete;

    // Converts `in` and appends the result to `out` (about in.size() × to / from samples).
    void process(std::span<const std::int16_t> in, std::vector<std::int16_t>& out);
    std::uint32_t fromRate() const noexcept { return from_; }
    std::uint32_t toRate() const noexcept { return to_; }

private:
    struct State;
    Resampler(State* state, std::uint32_t from, std::uint32_t to)
        : state_(state), from_(from), to_(to) {}
    State* state_;
    std::uint32_t from_, to_;
};

} // namespace sb::media
