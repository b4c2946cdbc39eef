#pragma once
// The raw cost of a conference room's audio: every 20 ms each participant's packet decoded, the
// mixer's N−1 mixes, each participant's mix encoded again (one decoder and encoder each, as in
// a room), with no network, jitter buffer or timing around it. bench/mixer reports it;
// bench/council measures the whole room against it.
#include "media/codec.hpp"
#include "media/mixer.hpp"

#include <cmath>
#include <ctime>
#include <memory>
#include <vector>

namespace sb::bench {

inline double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// CPU seconds per 20-ms tick of a room of `n` participants speaking `codec`.
inline double mixerCostPerTick(media::CodecId codec, int n, int ticks) {
    const std::uint32_t rate = media::traitsOf(codec).sampleRate;
    const std::size_t frame = rate / 50;
    media::Mixer mixer(rate);
    struct Member {
        media::Mixer::Participant id;
        std::unique_ptr<media::Encoder> phone, encoder; // the phone's encoder makes its packets
        std::unique_ptr<media::Decoder> decoder;
        std::vector<std::byte> packet = std::vector<std::byte>(1500);
        std::size_t packetBytes = 0;
    };
    std::vector<Member> members(n);
    for (int i = 0; i < n; ++i) {
        auto& m = members[i];
        m.id = mixer.join();
        m.phone = media::makeEncoder(codec).value();
        m.encoder = media::makeEncoder(codec).value();
        m.decoder = media::makeDecoder(codec).value();
        std::vector<std::int16_t> voice(frame);
        for (std::size_t s = 0; s < frame; ++s)
            voice[s] =
                static_cast<std::int16_t>(4000 * std::sin(2 * M_PI * (300 + 50 * i) * s / rate));
        m.packetBytes = m.phone->encode(voice, m.packet).value();
    }
    std::vector<std::int16_t> pcm(frame * 3);
    std::vector<std::byte> out(1500);
    std::size_t bytes = 0;
    const double start = cpuSeconds();
    for (int t = 0; t < ticks; ++t) {
        for (auto& m : members) {
            const auto n = m.decoder->decode(std::span(m.packet).first(m.packetBytes), pcm).value();
            mixer.push(m.id, std::span(pcm).first(n));
        }
        mixer.mix();
        for (auto& m : members)
            bytes += m.encoder->encode(mixer.output(m.id), out).value();
    }
    const double elapsed = cpuSeconds() - start;
    if (bytes == 0) return 0; // nothing encoded: no figure
    return elapsed / ticks;
}

} // namespace sb::bench
