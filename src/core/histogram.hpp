#pragma once
// A histogram of durations as Prometheus keeps one: how many observations fell at or under
// each of a fixed set of bounds (in seconds), with their count and sum. Observing is a search
// of a few bounds and two additions: cheap enough for the control loop and a writer's
// acknowledgements. Not thread-safe: the thread that owns the figures observes them.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace sb {

class Histogram {
public:
    // `bounds` ascending; an implicit +Inf bucket follows the last.
    explicit Histogram(std::span<const double> bounds)
        : bounds_(bounds.begin(), bounds.end()), counts_(bounds.size() + 1, 0) {}

    void observe(double seconds) {
        const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), seconds);
        ++counts_[static_cast<std::size_t>(at - bounds_.begin())];
        sum_ += seconds;
        ++count_;
    }

    std::span<const double> bounds() const noexcept { return bounds_; }
    // Observations in each bucket alone (not cumulative); the last is above every bound.
    std::span<const std::uint64_t> counts() const noexcept { return counts_; }
    double sum() const noexcept { return sum_; }
    std::uint64_t count() const noexcept { return count_; }

private:
    std::vector<double> bounds_;
    std::vector<std::uint64_t> counts_;
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

} // namespace sb
