// bench/council: conference participants per core in a whole council room (session::
// ConferenceRoom as the routes' and the gateway's rooms run it: each phone's RTP received on
// loopback, its jitter buffer, decoding, resampling to the room's 16 kHz, the mixer's N−1
// mixes, encoding and sending back every 20 ms), against the anchor, bench/mixer's raw cost of
// the same room's audio (decode, mix, encode, no network or timing), in the same run. Ten rooms
// of ten phones, each sending 50 packets a second of its own tone for 5 s; G.711 µ-law phones,
// then G.722 phones. The phones' own sending and receiving is in our figure.
#include "core/log.hpp"
#include "media/codec.hpp"
#include "mixer_cost.hpp"
#include "rtp/port_pool.hpp"
#include "rtp/rtp_packet.hpp"
#include "session/conference_room.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/steady_timer.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

namespace {

using namespace sb;
using namespace std::chrono_literals;

constexpr int kRooms = 10, kParties = 10;
constexpr auto kRun = 5s;

struct Phone {
    asio::ip::udp::socket socket;
    asio::ip::udp::endpoint room;
    std::vector<std::byte> packet, in = std::vector<std::byte>(1500);
    std::uint64_t received = 0;
    explicit Phone(asio::io_context& io)
        : socket(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
    void listen() {
        socket.async_receive(asio::buffer(in), [this](const std::error_code& ec, std::size_t) {
            if (ec) return;
            ++received;
            listen();
        });
    }
};

struct Run {
    double cpuPerParticipantTick = 0;
    std::uint64_t received = 0;
    session::ConferenceRoom::Stats stats;
};

// A packet of `codec` (RTP payload type `payloadType`) carrying 20 ms of a tone of `hz`.
std::vector<std::byte> tonePacket(media::CodecId codec, double hz) {
    const std::uint32_t rate = media::traitsOf(codec).sampleRate;
    std::vector<std::int16_t> pcm(rate / 50);
    for (std::size_t i = 0; i < pcm.size(); ++i)
        pcm[i] = static_cast<std::int16_t>(4000 * std::sin(2 * M_PI * hz * double(i) / rate));
    std::vector<std::byte> packet(rtp::kFixedHeaderBytes + 1500);
    auto encoder = media::makeEncoder(codec).value();
    const auto n = encoder->encode(pcm, std::span(packet).subspan(rtp::kFixedHeaderBytes)).value();
    packet.resize(rtp::kFixedHeaderBytes + n);
    return packet;
}

Run council(media::CodecId codec, std::uint8_t payloadType) {
    asio::io_context io;
    rtp::PortPool pool(io, asio::ip::make_address("127.0.0.1"), 48000, 48999);
    std::vector<std::unique_ptr<session::ConferenceRoom>> rooms;
    std::vector<std::unique_ptr<Phone>> phones;
    for (int r = 0; r < kRooms; ++r) {
        rooms.push_back(std::make_unique<session::ConferenceRoom>(io, "council", 16000, 20));
        for (int p = 0; p < kParties; ++p) {
            auto phone = std::make_unique<Phone>(io);
            auto stream = std::make_unique<rtp::RtpStream>(pool.lease().value(), false);
            stream->setRemote(phone->socket.local_endpoint(), true);
            phone->room =
                asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), stream->localPort());
            phone->packet = tonePacket(codec, 300 + 50 * p);
            (void)rooms.back()->join(room::LegId(std::uint64_t(r * kParties + p + 1)),
                                     std::move(stream), {codec, payloadType, true}, "bench");
            phone->listen();
            phones.push_back(std::move(phone));
        }
    }
    std::uint16_t sequence = 0;
    asio::steady_timer pace(io);
    const auto start = std::chrono::steady_clock::now();
    auto next = start;
    std::function<void()> send = [&] {
        for (std::size_t p = 0; p < phones.size(); ++p) {
            rtp::writeRtpHeader(phones[p]->packet, {false, payloadType, sequence, sequence * 160u,
                                                    static_cast<std::uint32_t>(p + 1)});
            phones[p]->socket.send_to(asio::buffer(phones[p]->packet), phones[p]->room);
        }
        ++sequence;
        next += 20ms;
        if (next - start >= kRun) return;
        pace.expires_at(next);
        pace.async_wait([&](const std::error_code& ec) {
            if (!ec) send();
        });
    };
    const double before = bench::cpuSeconds();
    send();
    io.run_for(kRun + 200ms);
    Run result;
    const double ticks = double(kRun / 20ms);
    result.cpuPerParticipantTick = (bench::cpuSeconds() - before) / (ticks * kRooms * kParties);
    for (const auto& phone : phones)
        result.received += phone->received;
    for (const auto& room : rooms)
        result.stats += room->stats();
    return result;
}

void report(const char* name, media::CodecId codec, std::uint8_t payloadType) {
    const auto ours = council(codec, payloadType);
    const double anchor = bench::mixerCostPerTick(codec, kParties, 250) / kParties;
    std::printf("  %-8s ours: %6.1f us CPU per participant per tick -> %5.0f participants per "
                "core (packets back %llu, mixer ticks %llu, concealed %llu)\n",
                name, 1e6 * ours.cpuPerParticipantTick, 0.020 / ours.cpuPerParticipantTick,
                static_cast<unsigned long long>(ours.received),
                static_cast<unsigned long long>(ours.stats.ticks),
                static_cast<unsigned long long>(ours.stats.framesConcealed));
    std::printf("  %-8s anchor (bench/mixer's raw cost): %6.1f us -> %5.0f participants per "
                "core; ratio ours/anchor %.2f\n",
                name, 1e6 * anchor, 0.020 / anchor, ours.cpuPerParticipantTick / anchor);
}

} // namespace

int main() {
    log::get("media").set_level(spdlog::level::warn); // each join and active talker is a line
    std::printf("bench/council: %d rooms of %d phones on loopback, %lld s, 16 kHz mixing\n", kRooms,
                kParties, static_cast<long long>(kRun.count()));
    report("G.711", media::CodecId::pcmu, 0);
    report("G.722", media::CodecId::g722, 9);
    return 0;
}
