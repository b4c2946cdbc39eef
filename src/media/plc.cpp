#include "media/plc.hpp"

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
    plc_fillin(&state_->plc, pcm.data(), static_cast<int>(pcm.size()));
}

} // namespace sb::media
