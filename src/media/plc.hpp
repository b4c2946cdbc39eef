#pragma once
// Packet-loss concealment for codecs that have none of their own (G.711, G.722, GSM): spandsp's
// PLC, which remembers the last pitch period of what was decoded and repeats it, fading, in
// place of a lost packet (ITU-T G.711 Appendix I's method).

#include <cstdint>
#include <memory>
#include <span>

namespace sb::media {

class Concealer {
public:
    Concealer();
    ~Concealer();
    Concealer(const Concealer&) = delete;
    Concealer& operator=(const Concealer&) = delete;

    // Audio that was received: remembered, and smoothed after a concealed gap.
    void received(std::span<std::int16_t> pcm) noexcept;
    // Audio made up for a lost packet.
    void fill(std::span<std::int16_t> pcm) noexcept;

private:
    struct State; // spandsp's plc_state_t, which cannot be declared ahead
    std::unique_ptr<State> state_;
};

} // namespace sb::media
