#pragma once
// Test tones and how much of a tone survives a codec: a sine generator, and the tone-to-rest
// ratio of a signal measured with the Goertzel algorithm (the power in one frequency bin
// against the rest of the signal's power).

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

namespace sb::test {

inline std::vector<std::int16_t> tone(double hz, std::uint32_t rate, std::size_t samples,
                                      double amplitude = 8000, std::size_t start = 0) {
    std::vector<std::int16_t> out(samples);
    for (std::size_t i = 0; i < samples; ++i)
        out[i] = static_cast<std::int16_t>(
            amplitude * std::sin(2 * std::numbers::pi * hz * double(start + i) / rate));
    return out;
}

// The ratio, in dB, of the power at `hz` to all other power in `x`. Exact for a sine whose
// frequency falls on a bin: x should span whole periods of it.
inline double toneToRestDb(std::span<const std::int16_t> x, double hz, std::uint32_t rate) {
    const double w = 2 * std::numbers::pi * hz / rate, coeff = 2 * std::cos(w);
    double s1 = 0, s2 = 0, total = 0;
    for (auto sample : x) {
        const double s0 = sample + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
        total += double(sample) * sample;
    }
    const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2; // |X(k)|²
    const double toneEnergy = 2 * power / double(x.size());   // a sine's share of Σx²
    const double rest = std::max(total - toneEnergy, 1e-9);
    return 10 * std::log10(std::max(toneEnergy, 1e-9) / rest);
}

} // namespace sb::test
