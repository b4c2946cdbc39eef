// bench/h323_per (issue 16): aligned PER round trips per second on one core, ours against
// Erlang's ASN.1 codec (erlang-asn1, the anchor, bench/h323_per.escript) on the same values in
// the same run:
//  - a Setup with four fastStart OpenLogicalChannels (G.711 A-law and G.722, to receive and
//    to transmit), tunnelled H.245 on: encode the four channels, encode the
//    H323-UserInformation holding them, decode it, decode each channel;
//  - a TerminalCapabilitySet of seven audio capabilities: encode, decode.
// Goals: ≥ 20 × Erlang, and ≥ 500,000 Setup round trips a second.
//
// Usage: h323_per [seconds per figure (default 2)] [--ours-only [setup|tcs] (for a profiler:
// no anchor, and only the one figure if named)]
#include "h323/h225/user_information.hpp"
#include "h323/h245/message.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

using namespace sb::h323;
using Clock = std::chrono::steady_clock;

h245::AudioCapability audio(h245::AudioCodec codec, std::uint16_t frames) {
    h245::AudioCapability a;
    a.codec = codec;
    a.frames = frames;
    return a;
}

std::vector<h245::OpenLogicalChannel> channels() {
    std::vector<h245::OpenLogicalChannel> out;
    std::uint16_t number = 1;
    for (auto codec : {h245::AudioCodec::g711Alaw64k, h245::AudioCodec::g722_64k}) {
        h245::OpenLogicalChannel receive;
        receive.number = number++;
        receive.forward.dataType.kind = h245::DataType::Kind::null;
        h245::ChannelParameters reverse;
        reverse.dataType.audio = audio(codec, 20);
        h245::H2250Parameters p;
        p.mediaChannel = h245::UnicastAddress{{10, 0, 0, 1}, 40000};
        p.mediaControlChannel = h245::UnicastAddress{{10, 0, 0, 1}, 40001};
        reverse.h2250 = p;
        receive.reverse = reverse;
        out.push_back(receive);
        h245::OpenLogicalChannel transmit;
        transmit.number = number++;
        transmit.forward.dataType.audio = audio(codec, 20);
        h245::H2250Parameters q;
        q.mediaControlChannel = h245::UnicastAddress{{10, 0, 0, 1}, 40001};
        q.silenceSuppression = false;
        transmit.forward.h2250 = q;
        out.push_back(transmit);
    }
    return out;
}

h225::UserInformation setup() {
    h225::Setup s;
    s.sourceAddress = {h225::H323Id{u"switchboard"}, h225::DialedDigits{"1001"}};
    s.sourceInfo.terminal = false;
    s.sourceInfo.gateway = true;
    s.destinationAddress = {h225::DialedDigits{"4930123456"}};
    s.destCallSignalAddress = h225::TransportAddress{{10, 0, 0, 2}, 1720};
    s.sourceCallSignalAddress = h225::TransportAddress{{10, 0, 0, 1}, 1720};
    for (std::size_t i = 0; i < 16; ++i) {
        s.conferenceID[i] = static_cast<std::uint8_t>(0x20 + i);
        s.callIdentifier[i] = static_cast<std::uint8_t>(0x40 + i);
    }
    for (const auto& channel : channels())
        s.fastStart.push_back(h245::encodeFastStart(channel));
    return {s, true, {}};
}

h245::TerminalCapabilitySet capabilitySet() {
    h245::TerminalCapabilitySet m;
    std::vector<std::uint16_t> alternatives;
    std::uint16_t number = 1;
    for (auto codec :
         {h245::AudioCodec::g711Ulaw64k, h245::AudioCodec::g711Alaw64k, h245::AudioCodec::g722_64k,
          h245::AudioCodec::g729, h245::AudioCodec::g729AnnexA, h245::AudioCodec::gsmFullRate}) {
        h245::Capability c;
        c.audio = audio(codec, codec == h245::AudioCodec::gsmFullRate ? 33 : 20);
        m.table.push_back({number, c});
        alternatives.push_back(number++);
    }
    h245::Capability generic;
    generic.audio.codec = h245::AudioCodec::generic;
    generic.audio.generic.identifier = {1, 3, 6, 1, 4, 1, 32473, 245, 1};
    generic.audio.generic.maxBitRate = 5100;
    generic.audio.generic.collapsing = {{1, h245::GenericParameter::Kind::unsignedMax, 48000}};
    m.table.push_back({number, generic});
    alternatives.push_back(number);
    m.descriptors.push_back({0, {alternatives}});
    return m;
}

template <class F>
double perSecond(F&& roundTrip, double seconds) {
    std::uint64_t count = 0;
    const auto start = Clock::now();
    const auto until = start + std::chrono::duration<double>(seconds);
    while (true) {
        for (int i = 0; i < 1000; ++i)
            roundTrip();
        count += 1000;
        if (Clock::now() >= until) break;
    }
    return static_cast<double>(count) / std::chrono::duration<double>(Clock::now() - start).count();
}

std::size_t sink = 0; // what the round trips produce, so that none is optimised away

double oursSetup(double seconds) {
    const auto olcs = channels();
    auto information = setup();
    auto& body = std::get<h225::Setup>(information.body);
    return perSecond(
        [&] {
            for (std::size_t i = 0; i < olcs.size(); ++i)
                body.fastStart[i] = h245::encodeFastStart(olcs[i]);
            const auto bytes = h225::encode(information);
            auto back = h225::decodeUserInformation(bytes);
            if (!back) std::abort();
            for (const auto& element : std::get<h225::Setup>(back->body).fastStart) {
                auto channel = h245::decodeFastStart(element);
                if (!channel) std::abort();
                sink += channel->number;
            }
        },
        seconds);
}

double oursCapabilitySet(double seconds) {
    const h245::Message tcs = capabilitySet();
    return perSecond(
        [&] {
            const auto bytes = h245::encode(tcs);
            auto back = h245::decode(bytes);
            if (!back) std::abort();
            sink += back->index();
        },
        seconds);
}

} // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    const bool anchor = !(argc > 2 && std::string(argv[2]) == "--ours-only");
    const std::string only = !anchor && argc > 3 ? argv[3] : "";
    namespace fs = std::filesystem;
    const auto dir = fs::temp_directory_path() / ("sb-bench-h323-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto write = [&](const char* name, const std::vector<std::uint8_t>& bytes) {
        std::ofstream(dir / name, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
    };
    const auto setupBytes = h225::encode(setup());
    const auto tcsBytes = h245::encode(capabilitySet());
    write("setup.bin", setupBytes);
    write("tcs.bin", tcsBytes);

    const double setupOurs = only == "tcs" ? 0 : oursSetup(seconds);
    const double tcsOurs = only == "setup" ? 0 : oursCapabilitySet(seconds);

    // The anchor, after ours (one core each, one after the other).
    double setupErlang = 0, tcsErlang = 0;
    const auto command = "cd '" + dir.string() +
                         "' && erlc -bper '" SB_VECTORS_DIR "/per/H225Subset.asn1' '" SB_VECTORS_DIR
                         "/per/H245Subset.asn1' >/dev/null && escript '" SB_BENCH_DIR
                         "/h323_per.escript' . setup.bin tcs.bin " +
                         std::to_string(std::max(1L, std::lround(seconds)));
    if (FILE* p = anchor ? ::popen(command.c_str(), "r") : nullptr) {
        char line[256];
        while (std::fgets(line, sizeof line, p)) {
            std::sscanf(line, "setup %lf", &setupErlang);
            std::sscanf(line, "tcs %lf", &tcsErlang);
        }
        ::pclose(p);
    }
    fs::remove_all(dir);

    std::printf("Setup (%zu octets, 4 fastStart OLCs): ours %.0f/s, Erlang %.0f/s, ratio %.1f "
                "(goals: ratio 20, 500000/s)\n",
                setupBytes.size(), setupOurs, setupErlang,
                setupErlang > 0 ? setupOurs / setupErlang : 0.0);
    std::printf("TerminalCapabilitySet (%zu octets, 7 audio capabilities): ours %.0f/s, Erlang "
                "%.0f/s, ratio %.1f (goal: ratio 20)\n",
                tcsBytes.size(), tcsOurs, tcsErlang, tcsErlang > 0 ? tcsOurs / tcsErlang : 0.0);
    if (setupErlang == 0 || tcsErlang == 0)
        std::printf("(the anchor did not run: erlang-asn1 is installed by scripts/install-deps)\n");
    return sink == 0;
}
