// bench/datachannel: the DataChannel stack (DTLS carrying SCTP carrying DataChannels) of two of
// our peer connections, against the anchor, aiortc's, in the same run. Both ends of each pair
// run in one thread (one core for both), so the figure is what one core does for a sender
// and its receiver together; ours carry their datagrams in memory, aiortc's over loopback
// (the cheapest path its ICE allows).
//
// Figures: MB/s of 64 KiB messages on one reliable, ordered channel, by wall clock and per CPU
// second, for three SCTP buffer sizes, in memory and over paths with a round trip of 20 and
// 100 ms (the choice of SctpTransport's default); the time from start to the first message
// received, p50 and p99 over repeated set-ups.
#include "webrtc/data_transport.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace sb::webrtc;
using Bytes = std::vector<std::byte>;

double cpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

struct Peer {
    DtlsIdentity identity = DtlsIdentity::generate().value();
    std::deque<Bytes> outbox;
    bool ready = false, failed = false;
    std::uint64_t received = 0, messages = 0;
    std::size_t largestDatagram = 0;
    std::unique_ptr<DataTransport> transport;

    void make(DtlsRole role, const Fingerprint& peer, std::size_t buffer) {
        DataTransport::Options o;
        o.role = role;
        o.peerFingerprints = {peer};
        o.peerLargestMessage = 262144;
        o.sctp.sendBuffer = o.sctp.receiveBuffer = buffer;
        DataTransport::Handlers h;
        h.send = [this](std::span<const std::byte> d) {
            largestDatagram = std::max(largestDatagram, d.size());
            outbox.emplace_back(d.begin(), d.end());
        };
        h.ready = [this] { ready = true; };
        h.failed = [this](const sb::Error&) { failed = true; };
        h.channels.message = [this](const DataChannel&, std::span<const std::byte> m, bool) {
            received += m.size();
            ++messages;
        };
        transport = DataTransport::make(identity, std::move(o), std::move(h)).value();
    }
};

struct Pair {
    Peer client, server;
    explicit Pair(std::size_t buffer) {
        client.make(DtlsRole::client, server.identity.fingerprint(), buffer);
        server.make(DtlsRole::server, client.identity.fingerprint(), buffer);
    }
    // Delivers every datagram queued, and what they cause, until both are quiet.
    void pump() {
        while (!client.outbox.empty() || !server.outbox.empty()) {
            auto a = std::exchange(client.outbox, {});
            auto b = std::exchange(server.outbox, {});
            for (auto& d : a)
                server.transport->receive(d);
            for (auto& d : b)
                client.transport->receive(d);
        }
    }
    bool connect() {
        server.transport->start();
        client.transport->start();
        pump();
        return client.ready && server.ready;
    }
};

struct Throughput {
    double wallMBps = 0, cpuMBps = 0;
    std::size_t largestDatagram = 0;
};

Throughput throughput(std::size_t buffer, std::uint64_t total) {
    Pair p(buffer);
    if (!p.connect()) return {};
    auto id = p.client.transport->channels().open({ChannelType::reliable, 0, 0, "bench", ""});
    p.pump();
    const Bytes message(65536, std::byte{0x5A});
    const double wall0 = now(), cpu0 = cpuSeconds();
    std::uint64_t sent = 0;
    while (p.server.received < total) {
        while (sent < total && p.client.transport->channels().send(*id, message, true)) {
            sent += message.size();
            p.pump(); // what one message's packets and their acknowledgements cause
        }
        p.pump();
        if (p.client.outbox.empty() && p.server.outbox.empty() && p.server.received < total &&
            sent >= total)
            SctpTransport::advanceTimers(std::chrono::milliseconds(10)); // a delayed SACK
    }
    const double wall = now() - wall0, cpu = cpuSeconds() - cpu0;
    return {double(total) / wall / 1e6, double(total) / cpu / 1e6,
            std::max(p.client.largestDatagram, p.server.largestDatagram)};
}

// The same over a path with a one-way delay (a round trip of twice it): what the SCTP window
// decides. Datagrams wait in flight for their time, and usrsctp's timers get the real time
// that passes (its retransmissions and delayed acknowledgements go by the real clock).
double throughputOverDelay(std::size_t buffer, std::uint64_t total, double oneWay) {
    Pair p(buffer);
    if (!p.connect()) return 0;
    auto id = p.client.transport->channels().open({ChannelType::reliable, 0, 0, "bench", ""});
    p.pump();
    struct InFlight {
        double due;
        bool toServer;
        Bytes datagram;
    };
    std::deque<InFlight> path;
    auto board = [&] {
        for (auto& d : std::exchange(p.client.outbox, {}))
            path.push_back({now() + oneWay, true, std::move(d)});
        for (auto& d : std::exchange(p.server.outbox, {}))
            path.push_back({now() + oneWay, false, std::move(d)});
    };
    const Bytes message(65536, std::byte{0x5A});
    const double wall0 = now();
    double lastTick = wall0;
    std::uint64_t sent = 0;
    while (p.server.received < total && now() - wall0 < 60) {
        while (sent < total && p.client.transport->channels().send(*id, message, true))
            sent += message.size();
        board();
        while (!path.empty() && path.front().due <= now()) {
            InFlight d = std::move(path.front());
            path.pop_front();
            (d.toServer ? p.server : p.client).transport->receive(d.datagram);
            board();
        }
        if (now() - lastTick >= 0.005) {
            SctpTransport::advanceTimers(
                std::chrono::milliseconds(static_cast<int>((now() - lastTick) * 1000)));
            lastTick = now();
        }
        if (!path.empty() && path.front().due > now())
            std::this_thread::sleep_for(
                std::chrono::duration<double>(std::min(path.front().due - now(), 0.001)));
    }
    return double(p.server.received) / (now() - wall0) / 1e6;
}

// Milliseconds from start() to the first message received, `n` times.
std::vector<double> setUps(int n) {
    std::vector<double> ms;
    const Bytes hello(16, std::byte{1});
    for (int i = 0; i < n; ++i) {
        Pair p(SctpTransport::Options{}.sendBuffer);
        const double t0 = now();
        if (!p.connect()) continue;
        auto id = p.client.transport->channels().open({ChannelType::reliable, 0, 0, "x", ""});
        (void)p.client.transport->channels().send(*id, hello, true);
        p.pump();
        if (p.server.messages == 1) ms.push_back((now() - t0) * 1000);
    }
    std::sort(ms.begin(), ms.end());
    return ms;
}

} // namespace

int main() {
    constexpr std::uint64_t kTotal = 256ull * 1024 * 1024;
    std::printf("bench/datachannel: %llu MiB in 64 KiB messages on one reliable ordered channel; "
                "both ends of a pair in one thread\n",
                static_cast<unsigned long long>(kTotal >> 20));
    Throughput chosen;
    for (std::size_t buffer : {256 * 1024, 1024 * 1024, 4 * 1024 * 1024}) {
        const auto t = throughput(buffer, kTotal);
        std::printf("  ours, SCTP buffers %4zu KiB: %7.1f MB/s (wall), %7.1f MB/s per CPU second; "
                    "largest datagram %zu bytes\n",
                    buffer / 1024, t.wallMBps, t.cpuMBps, t.largestDatagram);
        if (buffer == SctpTransport::Options{}.sendBuffer) chosen = t;
    }
    for (double rtt : {0.02, 0.1}) {
        std::printf("  ours over a %.0f ms round trip, 16 MiB:", rtt * 1000);
        for (std::size_t buffer : {256 * 1024, 1024 * 1024, 4 * 1024 * 1024})
            std::printf(" %zu KiB %.1f MB/s;", buffer / 1024,
                        throughputOverDelay(buffer, 16ull * 1024 * 1024, rtt / 2));
        std::printf("\n");
    }
    const auto ms = setUps(200);
    if (!ms.empty())
        std::printf("  ours, start to first message (DTLS, SCTP, DCEP), %zu set-ups: p50 %.2f ms, "
                    "p99 %.2f ms\n",
                    ms.size(), ms[ms.size() / 2], ms[ms.size() * 99 / 100]);

    const std::string anchor = "/usr/bin/python3 " SB_BENCH_DIR "/datachannel_aiortc.py";
    double anchorMBps = 0;
    if (FILE* p = popen(anchor.c_str(), "r")) {
        char line[512];
        while (std::fgets(line, sizeof line, p)) {
            std::fputs(line, stdout);
            std::sscanf(line, "  anchor: aiortc <-> aiortc %lf", &anchorMBps);
        }
        pclose(p);
    }
    if (anchorMBps > 0)
        std::printf("ratio (ours / aiortc), MB/s by wall clock: %.1f\n",
                    chosen.wallMBps / anchorMBps);
    return 0;
}
