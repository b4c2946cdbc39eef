// bench/datachannel_udp: two of our peer connections in two processes, one core each, over real
// UDP through ICE (libnice, on loopback: ICE is told to gather on 127.0.0.1), DTLS and SCTP.
// The goal is ≥ 80 MB/s this way; its anchor is libdatachannel's published ~62 MB/s
// (500 Mbit/s), which Debian 12 does not package, so it cannot run in the same run.
//
// The parent offers and sends; the child (forked) answers and receives. Descriptions cross
// through pipes. Figures: MB/s of 64 KiB messages on one reliable ordered channel from the
// first byte sent until the receiver holds the last, and each process's CPU seconds; then
// kSetups set-ups, each timed from the offerer's start (gathering) until it holds the first
// message the answerer sends on the channel it opened, p50 and p99.
#include "owner.hpp"
#include "webrtc/peer_connection.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <poll.h>
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

constexpr int kSetups = 20;

PeerConnection::Options options() {
    PeerConnection::Options o;
    o.ice.addresses = {"127.0.0.1"};
    return o;
}

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

// The child's part of each set-up: answers the offer, says hello on the channel the offerer
// opens, and stays until the next offer (or the empty text that ends them) is on its way.
void answerSetups(int in, int out, IceLoop& loop, const DtlsIdentity& identity, Owner& owner) {
    for (std::string offer = readText(in); !offer.empty(); offer = readText(in)) {
        bool gathered = false;
        std::unique_ptr<PeerConnection> pc;
        PeerConnection::Handlers h;
        h.gathered = [&] { gathered = true; };
        h.channels.opened = [&](const DataChannel& c) {
            static constexpr std::byte kHello[] = {std::byte{'h'}, std::byte{'i'}};
            (void)pc->channels()->send(c.id, kHello, true);
        };
        pc =
            std::make_unique<PeerConnection>(loop, identity, owner.post(), options(), std::move(h));
        (void)pc->gather(false);
        owner.runUntil([&] { return gathered; }, 5, [&] { pc->tick(); });
        auto answer = pc->answer(offer);
        writeText(out, answer ? *answer : std::string());
        owner.runUntil([&] { return readable(in); }, 10, [&] { pc->tick(); });
    }
}

// The parent's: one set-up, in milliseconds (0 when it did not complete).
double offerSetup(int toChild, int fromChild, IceLoop& loop, const DtlsIdentity& identity,
                  Owner& owner) {
    const double start = now();
    double first = 0;
    bool gathered = false, ready = false;
    PeerConnection::Handlers h;
    h.gathered = [&] { gathered = true; };
    h.ready = [&] { ready = true; };
    h.channels.message = [&](const DataChannel&, std::span<const std::byte>, bool) {
        if (first == 0) first = now();
    };
    PeerConnection pc(loop, identity, owner.post(), options(), std::move(h));
    (void)pc.gather(true);
    owner.runUntil([&] { return gathered; }, 5, [&] { pc.tick(); });
    writeText(toChild, pc.offer().value());
    if (!pc.accept(readText(fromChild))) return 0;
    owner.runUntil([&] { return ready; }, 10, [&] { pc.tick(); });
    if (!pc.channels() || !pc.channels()->open({ChannelType::reliable, 0, 0, "hello", ""}))
        return 0;
    owner.runUntil([&] { return first != 0; }, 10, [&] { pc.tick(); });
    return first == 0 ? 0 : 1000 * (first - start);
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
    answerSetups(in, out, loop, identity, owner);
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
    std::vector<double> setups;
    for (int i = 0; i < kSetups; ++i)
        if (const double ms = offerSetup(toChild[1], fromChild[0], loop, identity, owner); ms > 0)
            setups.push_back(ms);
    writeText(toChild[1], {}); // no more
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
    if (setups.size() != kSetups) {
        std::fprintf(stderr, "bench/datachannel_udp: %zu of %d set-ups completed\n", setups.size(),
                     kSetups);
        return 1;
    }
    std::sort(setups.begin(), setups.end());
    std::printf("  ours <-> ours, offerer's start to the first message, %d set-ups: p50 %.2f ms, "
                "p99 %.2f ms\n",
                kSetups, setups[kSetups / 2], setups[kSetups - 1]);
    return 0;
}
