// bench/relay: how many pass-through G.711 calls (20 ms packets, both directions) one core
// relays with no loss and under 1 ms of added jitter: Switchboard's relay (RtpStream pairs
// joined by a StreamLink, as the media anchor builds them) against rtpengine (Debian's package,
// userspace forwarding, one worker thread), each pinned to the second core while a load
// generator on the first sends and receives every packet.
//
// Each trial runs `calls` calls for three seconds after half a second of warm-up. Every
// packet carries its send time; the generator counts what comes back, the one-way delay, and
// each leg's interarrival jitter (RFC 3550 A.8, from those send times, so the jitter of the
// generator's own sending does not count). A trial passes with no packet lost and a mean
// jitter under 1 ms. The load rises in steps until a trial fails; the figure is the last load
// that passed. The generator needs about as much CPU per packet as a relay does, so on two
// cores it may run out first: the output says so, and it also gives the CPU time each relay
// spent on the highest load both carried, which says how many calls a whole core would carry.
//
// Usage: relay [max-calls] (default 2000)
#include "rtp/port_pool.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/rtp_stream.hpp"
#include "rtp/stream_link.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <netinet/in.h>
#include <optional>
#include <pthread.h>
#include <sched.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kPacketInterval = 20ms;
constexpr auto kWarmUp = 500ms;
constexpr auto kMeasure = 3s;
constexpr std::uint16_t kGeneratorPorts = 61000; // the generator's sockets, upwards
constexpr int kRtpengineNgPort = 22299;
const bool kTwoCores = std::thread::hardware_concurrency() >= 2;

void pinTo(int cpu) {
    if (!kTwoCores) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

std::int64_t nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// User and system CPU seconds of a process or thread, from /proc (proc(5), fields 14 and 15).
double cpuSecondsOf(const std::string& statPath) {
    std::FILE* f = std::fopen(statPath.c_str(), "r");
    if (!f) return 0;
    char buffer[1024];
    const auto n = std::fread(buffer, 1, sizeof buffer - 1, f);
    std::fclose(f);
    buffer[n] = 0;
    const char* p = std::strrchr(buffer, ')'); // the command name may hold spaces
    if (!p) return 0;
    unsigned long long utime = 0, stime = 0;
    // After ')': state, then fields 4..13, then utime and stime.
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                    &stime) != 2)
        return 0;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// One direction's sender and the other's receiver: a UDP socket per leg, as a phone has.
struct GeneratorLeg {
    int fd = -1;
    std::uint16_t port = 0;
    sockaddr_in to{};
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    Clock::time_point nextSend;
    // RFC 3550 A.8 on what this leg receives: the interarrival jitter, from transit times.
    std::optional<std::int64_t> lastTransitNs;
    double jitterNs = 0;
};

struct TrialResult {
    std::size_t calls = 0;
    std::uint64_t sent = 0, received = 0;
    double p50Us = 0, p99Us = 0, maxUs = 0;
    double jitterUs = 0, worstJitterUs = 0; // RFC 3550 jitter: mean and worst over the legs
    bool generatorLate = false;             // the generator fell behind its own schedule
    double relayCpu = 0;                    // the relay's CPU time over the window, in cores
    bool passed() const { return received == sent && jitterUs < 1000; }
};

class Generator {
public:
    explicit Generator(std::size_t calls) : legs_(2 * calls) {
        epoll_ = epoll_create1(0);
        for (std::size_t i = 0; i < legs_.size(); ++i) {
            auto& l = legs_[i];
            l.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
            l.port = static_cast<std::uint16_t>(kGeneratorPorts + i);
            auto self = loopback(l.port);
            if (bind(l.fd, reinterpret_cast<sockaddr*>(&self), sizeof self) != 0) {
                std::perror("bind (generator)");
                std::exit(1);
            }
            epoll_event e{};
            e.events = EPOLLIN;
            e.data.u64 = i;
            epoll_ctl(epoll_, EPOLL_CTL_ADD, l.fd, &e);
        }
    }
    ~Generator() {
        for (auto& l : legs_)
            close(l.fd);
        close(epoll_);
    }
    std::size_t legs() const { return legs_.size(); }
    std::uint16_t port(std::size_t leg) const { return legs_[leg].port; }
    void target(std::size_t leg, std::uint16_t port) { legs_[leg].to = loopback(port); }

    // `cpuSeconds`: the relay's CPU time so far (user and system), read at the window's ends.
    TrialResult run(std::size_t calls, const std::function<double()>& cpuSeconds) {
        pinTo(0);
        TrialResult r;
        r.calls = calls;
        const auto start = Clock::now();
        const auto measureFrom = start + kWarmUp;
        const auto stopSending = measureFrom + kMeasure;
        // Sends spread evenly over the 20 ms, so that the load is smooth.
        for (std::size_t i = 0; i < legs_.size(); ++i)
            legs_[i].nextSend = start + kPacketInterval * i / legs_.size();
        std::vector<std::uint32_t> delaysNs;
        delaysNs.reserve(static_cast<std::size_t>(legs_.size() * 50 * 4));
        const std::int64_t measureFromNs = nowNs() + (measureFrom - Clock::now()).count();
        std::size_t cursor = 0; // legs in send order: round robin
        std::array<std::byte, 172> packet{};
        std::array<std::byte, 2048> in{};
        epoll_event events[256];
        std::uint64_t lateSends = 0;
        bool windowOpen = false, windowClosed = false;
        double cpuAtOpen = 0;
        for (;;) {
            const auto now = Clock::now();
            if (!windowOpen && now >= measureFrom) {
                windowOpen = true;
                cpuAtOpen = cpuSeconds();
            }
            if (!windowClosed && now >= stopSending) {
                windowClosed = true;
                r.relayCpu =
                    (cpuSeconds() - cpuAtOpen) / std::chrono::duration<double>(kMeasure).count();
            }
            // Send everything due.
            if (now < stopSending) {
                for (std::size_t n = 0; n < legs_.size(); ++n) {
                    auto& l = legs_[cursor];
                    if (l.nextSend > now) break;
                    if (now - l.nextSend > 2ms) ++lateSends;
                    sb::rtp::writeRtpHeader(packet, {false, 0, l.sequence++, l.timestamp,
                                                     static_cast<std::uint32_t>(cursor + 1)});
                    l.timestamp += 160;
                    const std::int64_t t = nowNs();
                    std::memcpy(packet.data() + 12, &t, sizeof t);
                    (void)sendto(l.fd, packet.data(), packet.size(), 0,
                                 reinterpret_cast<sockaddr*>(&l.to), sizeof l.to);
                    if (t >= measureFromNs) ++r.sent;
                    l.nextSend += kPacketInterval;
                    cursor = (cursor + 1) % legs_.size();
                }
            } else if (now > stopSending + 300ms) {
                break; // what is still in flight after 300 ms is lost
            }
            const auto next = legs_[cursor].nextSend;
            const int waitMs =
                now >= stopSending
                    ? 10
                    : static_cast<int>(std::max<std::int64_t>(
                          0, std::chrono::duration_cast<std::chrono::milliseconds>(next - now)
                                 .count()));
            const int n = epoll_wait(epoll_, events, 256, waitMs);
            for (int e = 0; e < n; ++e) {
                // One datagram per readiness: level-triggered epoll reports the socket again if
                // more wait, which spares a failing recv() per packet.
                auto& leg = legs_[events[e].data.u64];
                const int fd = leg.fd;
                const auto got = recv(fd, in.data(), in.size(), 0);
                if (got < 20) continue;
                std::int64_t sentNs;
                std::memcpy(&sentNs, in.data() + 12, sizeof sentNs);
                if (sentNs < measureFromNs) continue;
                ++r.received;
                const std::int64_t transit = nowNs() - sentNs;
                delaysNs.push_back(static_cast<std::uint32_t>(transit));
                if (leg.lastTransitNs)
                    leg.jitterNs +=
                        (std::abs(double(transit - *leg.lastTransitNs)) - leg.jitterNs) / 16;
                leg.lastTransitNs = transit;
            }
        }
        // Behind its schedule for more than one send in a thousand: the generator, not the
        // relay, sets the pace.
        r.generatorLate = lateSends * 1000 > r.sent;
        for (const auto& l : legs_) {
            r.jitterUs += l.jitterNs / 1000 / double(legs_.size());
            r.worstJitterUs = std::max(r.worstJitterUs, l.jitterNs / 1000);
        }
        if (!delaysNs.empty()) {
            std::sort(delaysNs.begin(), delaysNs.end());
            auto at = [&](double q) {
                return delaysNs[std::min(delaysNs.size() - 1,
                                         static_cast<std::size_t>(q * delaysNs.size()))] /
                       1000.0;
            };
            r.p50Us = at(0.50);
            r.p99Us = at(0.99);
            r.maxUs = delaysNs.back() / 1000.0;
        }
        return r;
    }

private:
    std::vector<GeneratorLeg> legs_;
    int epoll_ = -1;
};

// Switchboard's relay: what MediaAnchor builds for a call whose legs share PCMU.
TrialResult runOurs(std::size_t calls) {
    Generator g(calls);
    asio::io_context io(1);
    sb::rtp::PortPool pool(io, asio::ip::make_address("127.0.0.1"), 40000, 59999);
    std::vector<std::unique_ptr<sb::rtp::RtpStream>> streams;
    std::vector<std::unique_ptr<sb::rtp::StreamLink>> bridges;
    sb::rtp::LinkPlan plan; // PCMU, payload type 0, both sides: relayed
    for (std::size_t c = 0; c < calls; ++c) {
        for (std::size_t side = 0; side < 2; ++side) {
            auto lease = pool.lease();
            if (!lease) {
                std::fprintf(stderr, "ports: %s\n", lease.error().message.c_str());
                std::exit(1);
            }
            auto s = std::make_unique<sb::rtp::RtpStream>(std::move(lease).value(), false);
            const std::size_t leg = 2 * c + side;
            s->setRemote({asio::ip::make_address("127.0.0.1"), g.port(leg)}, false);
            g.target(leg, s->localPort());
            streams.push_back(std::move(s));
        }
        auto bridge = std::make_unique<sb::rtp::StreamLink>(*streams[2 * c], *streams[2 * c + 1]);
        (void)bridge->configure(plan);
        bridges.push_back(std::move(bridge));
    }
    auto guard = asio::make_work_guard(io);
    std::atomic<pid_t> relayThread{0};
    std::thread relay([&] {
        pinTo(1);
        relayThread = gettid();
        io.run();
    });
    while (relayThread == 0)
        std::this_thread::yield();
    const std::string stat = "/proc/self/task/" + std::to_string(relayThread) + "/stat";
    auto result = g.run(calls, [&] { return cpuSecondsOf(stat); });
    guard.reset();
    io.stop();
    relay.join();
    return result;
}

// --- rtpengine, driven over its NG control protocol (bencoded dictionaries over UDP) ----------

std::string bencode(const std::vector<std::pair<std::string, std::string>>& dict) {
    auto sorted = dict;
    std::sort(sorted.begin(), sorted.end());
    std::string out = "d";
    for (const auto& [k, v] : sorted)
        for (const std::string* text : {&k, &v})
            out.append(std::to_string(text->size())).append(":").append(*text);
    return out + "e";
}

class Rtpengine {
public:
    Rtpengine() {
        pid_ = fork();
        if (pid_ == 0) {
            const std::string ng = "--listen-ng=127.0.0.1:" + std::to_string(kRtpengineNgPort);
            const char* cpu = kTwoCores ? "1" : "0";
            execlp("taskset", "taskset", "-c", cpu, "rtpengine", "--config-file=none",
                   "--foreground", "--log-stderr", "--log-level=3", "--interface=127.0.0.1",
                   ng.c_str(), "--port-min=20000", "--port-max=39999", "--table=-1",
                   "--num-threads=1", "--delete-delay=0", static_cast<char*>(nullptr));
            _exit(127);
        }
        control_ = socket(AF_INET, SOCK_DGRAM, 0);
        timeval tv{2, 0};
        setsockopt(control_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        auto to = loopback(kRtpengineNgPort);
        if (connect(control_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
            std::perror("relay: rtpengine's control socket");
        for (int i = 0; i < 50 && !ping(); ++i)
            std::this_thread::sleep_for(100ms);
    }
    ~Rtpengine() {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
        close(control_);
    }
    pid_t pid() const { return pid_; }
    bool ping() { return command({{"command", "ping"}}).find("pong") != std::string::npos; }
    // The port rtpengine gives in the SDP of its reply: where the other side must send.
    std::optional<std::uint16_t> offerOrAnswer(bool offer, const std::string& callId,
                                               std::uint16_t port) {
        const std::string sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
                                "t=0 0\r\nm=audio " +
                                std::to_string(port) + " RTP/AVP 0\r\n";
        std::vector<std::pair<std::string, std::string>> d{{"command", offer ? "offer" : "answer"},
                                                           {"call-id", callId},
                                                           {"from-tag", "a"},
                                                           {"sdp", sdp}};
        if (!offer) d.emplace_back("to-tag", "b");
        const auto reply = command(d);
        const auto m = reply.find("m=audio ");
        if (m == std::string::npos) return std::nullopt;
        return static_cast<std::uint16_t>(std::stoi(reply.substr(m + 8)));
    }

private:
    std::string command(const std::vector<std::pair<std::string, std::string>>& dict) {
        const std::string cookie = std::to_string(++cookie_);
        const std::string message = cookie + " " + bencode(dict);
        if (send(control_, message.data(), message.size(), 0) < 0) return {};
        char buffer[4096];
        for (;;) {
            const auto n = recv(control_, buffer, sizeof buffer, 0);
            if (n <= 0) return {};
            std::string reply(buffer, static_cast<std::size_t>(n));
            if (reply.starts_with(cookie + " ")) return reply;
        }
    }

    pid_t pid_ = -1; // taskset's, which becomes rtpengine's
    int control_ = -1;
    int cookie_ = 0;
};

std::optional<TrialResult> runRtpengine(std::size_t calls) {
    Rtpengine engine;
    if (!engine.ping()) return std::nullopt;
    Generator g(calls);
    for (std::size_t c = 0; c < calls; ++c) {
        const std::string id = "call-" + std::to_string(c);
        // The offer carries leg A's address; its reply is what leg B is told (where B sends).
        auto forB = engine.offerOrAnswer(true, id, g.port(2 * c));
        auto forA = engine.offerOrAnswer(false, id, g.port(2 * c + 1));
        if (!forA || !forB) return std::nullopt;
        g.target(2 * c, *forA);
        g.target(2 * c + 1, *forB);
    }
    const std::string stat = "/proc/" + std::to_string(engine.pid()) + "/stat";
    return g.run(calls, [&] { return cpuSecondsOf(stat); });
}

void print(const char* who, const TrialResult& r) {
    std::printf("  %-12s %5zu calls: %7llu sent, %5llu lost, jitter %5.1f µs (worst leg %6.1f), "
                "delay p50 %6.1f µs, p99 %7.1f µs, relay CPU %3.0f%%%s%s\n",
                who, r.calls, static_cast<unsigned long long>(r.sent),
                static_cast<unsigned long long>(r.sent - std::min(r.sent, r.received)), r.jitterUs,
                r.worstJitterUs, r.p50Us, r.p99Us, 100 * r.relayCpu, r.passed() ? "" : "  FAIL",
                r.generatorLate ? " (the generator fell behind)" : "");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    const std::size_t maxCalls = argc > 1 ? std::stoul(argv[1]) : 2000;
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    if (!kTwoCores) std::printf("one core only: the relay and the generator share it\n");
    const std::vector<std::size_t> ladder{100, 250, 500, 750, 1000, 1250, 1500, 1750, 2000};
    std::optional<TrialResult> ours, theirs; // the highest load each passed
    bool oursDone = false, theirsDone = false;
    // The highest load both passed, for the CPU comparison at equal load.
    std::optional<std::pair<TrialResult, TrialResult>> common;
    for (const auto calls : ladder) {
        if (calls > maxCalls || (oursDone && theirsDone)) break;
        std::printf("%zu calls (%zu packets/s each way through the relay):\n", calls, calls * 100);
        std::optional<TrialResult> a, b;
        if (!oursDone) {
            a = runOurs(calls);
            print("switchboard", *a);
            oursDone = !a->passed();
            if (a->passed()) ours = a;
        }
        if (!theirsDone) {
            b = runRtpengine(calls);
            if (!b)
                std::printf("  rtpengine did not start or answer: is it installed?\n");
            else
                print("rtpengine", *b);
            theirsDone = !b || !b->passed();
            if (b && b->passed()) theirs = b;
        }
        if (a && b && a->passed() && b->passed()) common.emplace(*a, *b);
    }
    auto bound = [](const std::optional<TrialResult>& r) {
        return r && r->generatorLate ? " (at least: the generator fell behind)" : "";
    };
    std::printf("\nmost calls relayed without loss and under 1 ms added jitter, one core:\n");
    std::printf("  switchboard %zu%s\n", ours ? ours->calls : 0, bound(ours));
    std::printf("  rtpengine   %zu%s\n", theirs ? theirs->calls : 0, bound(theirs));
    if (ours && theirs)
        std::printf("  ratio       %.2f (goal ≥ 1.5)\n",
                    double(ours->calls) / double(theirs->calls));
    if (common && common->first.relayCpu > 0 && common->second.relayCpu > 0) {
        // The generator may give out before either relay does; the CPU each relay spent on
        // the same load says how many calls a whole core would carry.
        const auto& [a, b] = *common;
        std::printf("at %zu calls, CPU of the relay's core: switchboard %.0f%%, rtpengine %.0f%%\n",
                    a.calls, 100 * a.relayCpu, 100 * b.relayCpu);
        std::printf("calls per core at that cost: switchboard %.0f, rtpengine %.0f, ratio %.2f\n",
                    double(a.calls) / a.relayCpu, double(b.calls) / b.relayCpu,
                    b.relayCpu / a.relayCpu);
    }
    return 0;
}
