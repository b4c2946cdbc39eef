#include "media/plc.hpp"

#include <algorithm>
#include <spandsp.h>

namespace sb::media {

struct Concealer::State {
    plc_state_t plc;
};

Concealer::Concealer() : state_(std::make_unique<State>()) {
    plc_init(&state_->plc);
}

Concealer::~Concealer() = default;

void Concealer::received(std::span<std::int16_t> pcm) noexcept {
    plc_rx(&state_->plc, pcm.data(), static_cast<int>(pcm.size()));
}

void Concealer::fill(std::span<std::int16_t> pcm) noexcept {
    plc_state_t& s = state_->plc;
    // On the first lost frame spandsp 0.0.6 turns its circular history into a straight one with
    // a memcpy between overlapping ranges (undefined behaviour, which AddressSanitizer reports).
    // Doing that rotation here first, correctly, leaves it nothing to do.
    if (s.missing_samples == 0 && s.buf_ptr != 0) {
        std::rotate(s.history, s.history + s.buf_ptr, s.history + PLC_HISTORY_LEN);
        s.buf_ptr = 0;
    }
    plc_fillin(&s, pcm.data(), static_cast<int>(pcm.size()));
}

} // namespace sb::media
