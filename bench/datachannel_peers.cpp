// bench/datachannel_peers: our DataChannel sender against other stacks, each measured against
// that stack's own self-to-self figure in the same run (issue 15's goal: the peer is the
// bottleneck, never Switchboard, so each ratio is at least 1.0):
//   - ours -> aiortc, and aiortc <-> aiortc (bench/datachannel_aiortc.py --ours);
//   - ours -> Chromium in a page, and Chromium <-> Chromium in one page
//     (bench/datachannel_chromium.mjs, Debian's chromium driven by playwright-core);
// and the time from the peer's offer to the first message it receives from us, p50 and p99.
// aiortc's path is loopback (each side gathers on 127.0.0.1 only); Chromium gathers on no
// loopback address, so its part runs in a network namespace that this program makes (root
// only), on a veth pair whose two ends are both inside it, with a default route through it
// (Chromium gathers no candidate without one).
//
// Run without arguments it runs both drivers, which run this program again as the peer of
// theirs: `--answer-and-send MIB [ADDRESS]` reads an SDP offer on stdin (to its end), gathers
// on ADDRESS (127.0.0.1), writes our answer and a line "END" on stdout, then sends a 16-byte
// greeting and MIB MiB in 64 KiB messages on the first channel the peer opens, and stays until
// killed.
#include "owner.hpp"
#include "webrtc/peer_connection.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <unistd.h>

namespace {

using namespace sb::webrtc;
using sb::bench::Owner;

int answerAndSend(std::uint64_t total, const std::string& address) {
    const std::string offer{std::istreambuf_iterator<char>(std::cin), {}};
    IceLoop loop;
    const auto identity = DtlsIdentity::generate().value();
    Owner owner;
    bool gathered = false, writable = true;
    std::optional<std::uint16_t> channel;
    PeerConnection::Handlers h;
    h.gathered = [&] { gathered = true; };
    h.writable = [&] { writable = true; };
    h.channels.opened = [&](const DataChannel& c) {
        if (!channel) channel = c.id;
    };
    h.failed = [](const sb::Error& why) {
        std::fprintf(stderr, "datachannel_peers: %s\n", why.message.c_str());
        std::exit(1);
    };
    PeerConnection::Options o;
    o.ice.addresses = {address};
    PeerConnection pc(loop, identity, owner.post(), o, std::move(h));
    (void)pc.gather(false);
    owner.runUntil([&] { return gathered; }, 5, [&] { pc.tick(); });
    auto answer = pc.answer(offer);
    if (!answer) {
        std::fprintf(stderr, "datachannel_peers: %s\n", answer.error().message.c_str());
        return 1;
    }
    std::printf("%s\nEND\n", answer->c_str());
    std::fflush(stdout);
    owner.runUntil([&] { return channel && pc.channels(); }, 20, [&] { pc.tick(); });
    auto* channels = pc.channels();
    if (!channel || !channels) return 1;
    (void)channels->send(*channel, std::vector<std::byte>(16, std::byte{1}), true);
    const std::vector<std::byte> message(65536, std::byte{0x5A});
    std::uint64_t sent = 0;
    owner.runUntil([] { return false; }, 120,
                   [&] {
                       pc.tick();
                       while (writable && sent < total) {
                           if (channels->send(*channel, message, true))
                               sent += message.size();
                           else
                               writable =
                                   false; // until SCTP's buffer has room (Handlers::writable)
                       }
                   });
    return 0;
}

// The namespace of Chromium's part: a veth pair, both ends inside; false when it cannot be made.
bool makeNamespace(const std::string& name) {
    if (geteuid() != 0) return false;
    const std::string ip = "ip -n " + name + " ";
    return std::system(("ip netns add " + name + " && " + ip + "link set lo up && " + ip +
                        "link add sbdcp0 type veth peer name sbdcp1 && " + ip +
                        "addr add 10.99.0.1/24 dev sbdcp0 && " + ip +
                        "addr add 10.99.0.2/24 dev sbdcp1 && " + ip + "link set sbdcp0 up && " +
                        ip + "link set sbdcp1 up && " + ip +
                        // Chromium gathers nothing without a default route.
                        "route add default via 10.99.0.2 dev sbdcp0")
                           .c_str()) == 0;
}

} // namespace

int main(int argc, char** argv) {
    if ((argc == 3 || argc == 4) && std::string(argv[1]) == "--answer-and-send")
        return answerAndSend(std::strtoull(argv[2], nullptr, 10) << 20,
                             argc == 4 ? argv[3] : "127.0.0.1");
    char self[4096] = {};
    if (readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return 1;
    const std::string dir = SB_BENCH_DIR;
    std::printf("bench/datachannel_peers: 64 KiB messages on one reliable ordered channel, "
                "through ICE, DTLS and SCTP; our sender against each peer's receiver, and each "
                "peer against itself\n");
    std::fflush(stdout);
    const int aiortc = std::system(
        ("timeout 300 /usr/bin/python3 " + dir + "/datachannel_aiortc.py --ours " + self).c_str());
    const std::string ns = "sbdcp-" + std::to_string(getpid());
    if (!makeNamespace(ns)) {
        std::printf("  Chromium: skipped (its part needs a network namespace, and so root)\n");
        return aiortc == 0 ? 0 : 1;
    }
    const int chromium = std::system(("ip netns exec " + ns + " timeout 300 node " + dir +
                                      "/datachannel_chromium.mjs " + self + " 10.99.0.1")
                                         .c_str());
    (void)std::system(("ip netns del " + ns).c_str());
    if (chromium != 0) std::printf("  Chromium: its part failed (status %d)\n", chromium);
    return aiortc == 0 && chromium == 0 ? 0 : 1;
}
