// bench/datachannel_udp: two of our peer connections in two processes, one core each, over real
// UDP through ICE (libnice, on loopback: ICE is told to gather on 127.0.0.1), DTLS and SCTP.
// The goal is ≥ 80 MB/s this way; its anchor is libdatachannel's published ~62 MB/s
// (500 Mbit/s), which Debian 12 does not package, so it cannot run in the same run.
//
// The parent offers and sends; the child (forked) answers and receives. Descriptions cross
// through pipes. Figures: MB/s of 64 KiB messages on one reliable ordered channel from the
// first byte sent until the receiver holds the last, and each process's CPU seconds.
#include "owner.hpp"
#include "webrtc/peer_connection.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace sb::webrtc;
using sb::bench::cpuSeconds;
using sb::bench::now;
using sb::bench::Owner;
using Bytes = std::vector<std::byte>;

void writeText(int fd, const std::string& text) {
    const std::uint32_t n = static_cast<std::uint32_t>(text.size());
    (void)!write(fd, &n, sizeof n);
    (void)!write(fd, text.data(), n);
}

std::string readText(int fd) {
    std::uint32_t n = 0;
    if (read(fd, &n, sizeof n) != sizeof n) return {};
    std::string text(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        const auto r = read(fd, text.data() + got, n - got);
        if (r <= 0) return {};
        got += static_cast<std::size_t>(r);
    }
    return text;
}

PeerConnection::Options options() {
    PeerConnection::Options o;
    o.ice.addresses = {"127.0.0.1"};
    return o;
}

// The child: answers, receives `total` bytes, says how long it took from the first.
int receiver(int in, int out, std::uint64_t total) {
    IceLoop loop;
    const auto identity = DtlsIdentity::generate().value();
    Owner owner;
    bool gathered = false;
    std::uint64_t received = 0;
    double first = 0, last = 0;
    PeerConnection::Handlers h;
    h.gathered = [&] { gathered = true; };
    h.channels.message = [&](const DataChannel&, std::span<const std::byte> m, bool) {
        if (received == 0) first = now();
        received += m.size();
        if (received >= total) last = now();
    };
    PeerConnection pc(loop, identity, owner.post(), options(), std::move(h));
    const std::string offer = readText(in);
    (void)pc.gather(false);
    owner.runUntil([&] { return gathered; }, 5, [&] { pc.tick(); });
    auto answer = pc.answer(offer);
    writeText(out, answer ? *answer : std::string());
    const double cpu0 = cpuSeconds();
    owner.runUntil([&] { return received >= total; }, 120, [&] { pc.tick(); });
    writeText(out, std::to_string(last - first) + " " + std::to_string(cpuSeconds() - cpu0));
    return received >= total ? 0 : 1;
}

} // namespace

int main() {
    constexpr std::uint64_t kTotal = 512ull * 1024 * 1024;
    int toChild[2], fromChild[2];
    if (pipe(toChild) != 0 || pipe(fromChild) != 0) return 1;
    const pid_t child = fork();
    if (child == 0) {
        close(toChild[1]);
        close(fromChild[0]);
        _exit(receiver(toChild[0], fromChild[1], kTotal));
    }
    close(toChild[0]);
    close(fromChild[1]);

    IceLoop loop;
    const auto identity = DtlsIdentity::generate().value();
    Owner owner;
    bool gathered = false, ready = false, writable = true;
    PeerConnection::Handlers h;
    h.gathered = [&] { gathered = true; };
    h.ready = [&] { ready = true; };
    h.writable = [&] { writable = true; };
    PeerConnection pc(loop, identity, owner.post(), options(), std::move(h));
    (void)pc.gather(true);
    owner.runUntil([&] { return gathered; }, 5, [&] { pc.tick(); });
    writeText(toChild[1], pc.offer().value());
    if (auto accepted = pc.accept(readText(fromChild[0])); !accepted) {
        std::fprintf(stderr, "bench/datachannel_udp: %s\n", accepted.error().message.c_str());
        return 1;
    }
    owner.runUntil([&] { return ready; }, 10, [&] { pc.tick(); });
    auto* channels = pc.channels();
    if (!channels) {
        std::fprintf(stderr, "bench/datachannel_udp: no connection (%s)\n", pc.progress().c_str());
        return 1;
    }
    const auto id = channels->open({ChannelType::reliable, 0, 0, "bench", ""}).value();
    const Bytes message(65536, std::byte{0x5A});
    std::uint64_t sent = 0;
    const double cpu0 = cpuSeconds();
    owner.runUntil([&] { return sent >= kTotal; }, 120,
                   [&] {
                       pc.tick();
                       while (writable && sent < kTotal) {
                           if (channels->send(id, message, true)) {
                               sent += message.size();
                           } else {
                               writable =
                                   false; // until SCTP's buffer has room (Handlers::writable)
                           }
                       }
                   });
    // The receiver's figure: first byte to last, on its clock.
    std::string done;
    std::thread reader([&] { done = readText(fromChild[0]); });
    owner.runUntil([&] { return !done.empty(); }, 120, [&] { pc.tick(); });
    reader.join();
    const double senderCpu = cpuSeconds() - cpu0;
    double seconds = 0, receiverCpu = 0;
    std::sscanf(done.c_str(), "%lf %lf", &seconds, &receiverCpu);
    int status = 0;
    waitpid(child, &status, 0);
    if (seconds <= 0) return 1;
    std::printf("bench/datachannel_udp: %llu MiB in 64 KiB messages, one reliable ordered channel, "
                "over loopback UDP through ICE, DTLS and SCTP; sender and receiver in two "
                "processes\n",
                static_cast<unsigned long long>(kTotal >> 20));
    std::printf("  ours <-> ours: %.1f MB/s; sender %.2f CPU s (%.0f%% of a core), receiver %.2f "
                "CPU s (%.0f%%)\n",
                double(kTotal) / seconds / 1e6, senderCpu, 100 * senderCpu / seconds, receiverCpu,
                100 * receiverCpu / seconds);
    std::printf("  anchor: libdatachannel's published ~62 MB/s (500 Mbit/s; not packaged by Debian "
                "12, so not run here); ratio %.2f\n",
                double(kTotal) / seconds / 1e6 / 62.5);
    return 0;
}
