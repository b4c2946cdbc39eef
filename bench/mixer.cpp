// bench/mixer: how many conference participants one core carries, each with its own decoder
// and encoder around the mixer (what a room does every 20 ms: decode every participant's
// packet, mix N−1, encode N outputs). Two rooms: 48 kHz Opus participants, and 16 kHz G.722
// participants. The issue names no anchor for this one: the figure is participants per core.
#include "media/mixer.hpp"

#include "media/codec.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <vector>

namespace {

using namespace sb::media;

double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// CPU seconds per 20-ms tick of a room of `n` participants speaking `codec`.
double perTick(CodecId codec, int n, int ticks) {
    const std::uint32_t rate = traitsOf(codec).sampleRate;
    const std::size_t frame = rate / 50;
    Mixer mixer(rate);
    struct Member {
        Mixer::Participant id;
        std::unique_ptr<Encoder> phone, encoder; // the phone's encoder makes its packets
        std::unique_ptr<Decoder> decoder;
        std::vector<std::byte> packet = std::vector<std::byte>(1500);
        std::size_t packetBytes = 0;
    };
    std::vector<Member> members(n);
    for (int i = 0; i < n; ++i) {
        auto& m = members[i];
        m.id = mixer.join();
        m.phone = makeEncoder(codec).value();
        m.encoder = makeEncoder(codec).value();
        m.decoder = makeDecoder(codec).value();
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
    if (bytes == 0) std::puts("nothing encoded");
    return elapsed / ticks;
}

void report(const char* name, CodecId codec) {
    const int n = 10, ticks = 500; // 10 s of a 10-party room
    double best = 1e9;
    for (int run = 0; run < 3; ++run)
        best = std::min(best, perTick(codec, n, ticks));
    const double perParticipant = best / n;
    std::printf(
        "  %-24s %7.1f us CPU per participant per 20-ms tick -> %6.0f participants per core\n",
        name, 1e6 * perParticipant, 0.020 / perParticipant);
}

} // namespace

int main() {
    std::printf("bench/mixer: a 10-party room, 10 s, best of 3 (decode, mix N-1, encode)\n");
    report("Opus 48 kHz (32 kbit/s)", CodecId::opus);
    report("G.722 16 kHz", CodecId::g722);
    return 0;
}
