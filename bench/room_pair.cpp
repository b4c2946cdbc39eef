// bench/room_pair: the server CPU of two-party rooms, linked (their packets relayed as they
// are: what a room with two PCMU parties does now) against the anchor, the same rooms mixed
// (decode both, mix, encode both, every 20 ms: what every room did before). 100 rooms, each
// with two phones on loopback sending PCMU at 50 packets a second for 5 s; the phones' own
// sending and receiving is the same in both runs, so the difference is the room's.
#include "media/codec.hpp"
#include "rtp/port_pool.hpp"
#include "rtp/rtp_packet.hpp"
#include "session/conference_room.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/steady_timer.hpp>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <vector>

namespace {

using namespace sb;
using namespace std::chrono_literals;

constexpr int kRooms = 100;
constexpr auto kRun = 5s;

double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

struct Phone {
    asio::ip::udp::socket socket;
    asio::ip::udp::endpoint room;
    std::vector<std::byte> in = std::vector<std::byte>(1500);
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
    double cpu = 0;
    std::uint64_t received = 0;
    session::ConferenceRoom::Stats stats;
};

Run run(bool linked) {
    asio::io_context io;
    rtp::PortPool pool(io, asio::ip::make_address("127.0.0.1"), 47000, 47999);
    std::vector<std::unique_ptr<session::ConferenceRoom>> rooms;
    std::vector<std::unique_ptr<Phone>> phones;
    for (int r = 0; r < kRooms; ++r) {
        rooms.push_back(std::make_unique<session::ConferenceRoom>(
            io, "bench", 8000, 20, media::Mixer::Mode::othersOnly, linked));
        for (int p = 0; p < 2; ++p) {
            auto phone = std::make_unique<Phone>(io);
            auto stream = std::make_unique<rtp::RtpStream>(pool.lease().value(), false);
            stream->setRemote(phone->socket.local_endpoint(), true);
            phone->room =
                asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), stream->localPort());
            (void)rooms.back()->join(room::LegId(std::uint64_t(r * 2 + p + 1)), std::move(stream),
                                     {media::CodecId::pcmu, 0, true}, "bench");
            phone->listen();
            phones.push_back(std::move(phone));
        }
    }
    // Each phone says a 440 Hz tone, 160 samples a packet.
    auto encoder = media::makeEncoder(media::CodecId::pcmu).value();
    std::vector<std::int16_t> pcm(160);
    std::vector<std::byte> packet(rtp::kFixedHeaderBytes + 160);
    std::uint16_t sequence = 0;
    asio::steady_timer pace(io);
    const auto start = std::chrono::steady_clock::now();
    auto next = start;
    std::function<void()> send = [&] {
        for (std::size_t i = 0; i < pcm.size(); ++i)
            pcm[i] = static_cast<std::int16_t>(
                8000 * std::sin(2 * M_PI * 440 * double(sequence * 160 + i) / 8000));
        (void)encoder->encode(pcm, std::span(packet).subspan(rtp::kFixedHeaderBytes));
        for (std::size_t p = 0; p < phones.size(); ++p) {
            rtp::writeRtpHeader(
                packet, {false, 0, sequence, sequence * 160u, static_cast<std::uint32_t>(p + 1)});
            phones[p]->socket.send_to(asio::buffer(packet), phones[p]->room);
        }
        ++sequence;
        next += 20ms;
        if (next - start >= kRun) return;
        pace.expires_at(next);
        pace.async_wait([&](const std::error_code& ec) {
            if (!ec) send();
        });
    };
    const double before = cpuSeconds();
    send();
    io.run_for(kRun + 200ms);
    Run result;
    result.cpu = cpuSeconds() - before;
    for (const auto& phone : phones)
        result.received += phone->received;
    for (const auto& room : rooms)
        result.stats += room->stats();
    return result;
}

} // namespace

int main() {
    std::printf("bench/room_pair: %d two-party PCMU rooms, %lld s, phones on loopback\n", kRooms,
                static_cast<long long>(kRun.count()));
    const auto linked = run(true);
    const auto mixed = run(false);
    const double seconds = double(kRun.count());
    auto line = [&](const char* name, const Run& r) {
        std::printf("  %-26s CPU %6.3f s (%5.2f ms per room-second), packets received %llu, "
                    "relayed %llu, mixer ticks %llu\n",
                    name, r.cpu, 1000 * r.cpu / (kRooms * seconds),
                    static_cast<unsigned long long>(r.received),
                    static_cast<unsigned long long>(r.stats.links.relayed),
                    static_cast<unsigned long long>(r.stats.ticks));
    };
    line("ours: linked (relayed)", linked);
    line("anchor: mixed (decoded)", mixed);
    std::printf("ratio (ours / anchor): CPU %.2f\n", linked.cpu / mixed.cpu);
}
