#include "media/resampler.hpp"

#include <fmt/format.h>
#include <speex/speex_resampler.h>

namespace sb::media {

struct Resampler::State {
    SpeexResamplerState* speex;
};

Result<std::unique_ptr<Resampler>> Resampler::make(std::uint32_t fromRate, std::uint32_t toRate) {
    int error = 0;
    auto* speex = speex_resampler_init(1, fromRate, toRate, SPEEX_RESAMPLER_QUALITY_VOIP, &error);
    if (!speex)
        return fail(Errc::config, fmt::format("resampling {} Hz to {} Hz: {}", fromRate, toRate,
                                              speex_resampler_strerror(error)));
    // Without the filter's leading zeros, the output lines up with the input in time.
    speex_resampler_skip_zeros(speex);
    return std::unique_ptr<Resampler>(new Resampler(new State{speex}, fromRate, toRate));
}

Resampler::~Resampler() {
    speex_resampler_destroy(state_->speex);
    delete state_;
}

void Resampler::process(std::span<const std::int16_t> in, std::vector<std::int16_t>& out) {
    const std::size_t start = out.size();
    out.resize(start + in.size() * to_ / from_ + 16);
    std::size_t written = start;
    while (!in.empty()) {
        auto inLength = static_cast<spx_uint32_t>(in.size());
        auto outLength = static_cast<spx_uint32_t>(out.size() - written);
        speex_resampler_process_int(state_->speex, 0, in.data(), &inLength, out.data() + written,
                                    &outLength);
        in = in.subspan(inLength);
        written += outLength;
        if (inLength == 0 && outLength == 0) break; // nothing more fits: cannot happen
        if (!in.empty() && written == out.size()) out.resize(out.size() + 64);
    }
    out.resize(written);
}

} // namespace sb::media
