// bench/mixer: how many conference participants one core carries, each with its own decoder
// and encoder around the mixer (what a room does every 20 ms: decode every participant's
// packet, mix N−1, encode N outputs). Two rooms: 48 kHz Opus participants, and 16 kHz G.722
// participants. The issue names no anchor for this one: the figure is participants per core.
#include "mixer_cost.hpp"

#include <algorithm>
#include <cstdio>

namespace {

using namespace sb::media;

void report(const char* name, CodecId codec) {
    const int n = 10, ticks = 500; // 10 s of a 10-party room
    double best = 1e9;
    for (int run = 0; run < 3; ++run)
        best = std::min(best, sb::bench::mixerCostPerTick(codec, n, ticks));
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
