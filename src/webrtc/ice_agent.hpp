#pragma once
// ICE (RFC 8445) with libnice: gathering our candidates (host, and server-reflexive and relayed
// when a STUN or TURN server is given), trickling them (RFC 8838), connectivity checks in the
// controlling or controlled role, consent freshness (RFC 7675), and the datagrams of the
// selected pair.
//
// libnice runs on GLib's main loop. Its context runs on a thread of its own (IceLoop,
// "sb-ice"), shared by every agent: GLib cannot be driven from asio's loops, and one thread
// keeps every libnice callback in one place. What libnice reports there, datagrams included,
// is copied and handed to the agent's owner through Post, so the owner's thread runs every
// handler. Sending happens on the owner's thread (libnice's own agent lock guards it), in
// batches: what the owner sends in one turn of its loop leaves in one sendmmsg().

#include "core/result.hpp"
#include "webrtc/ice_candidate.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

// GLib's and libnice's own type names (their headers stay out of this one).
using GMainContext = struct _GMainContext; // NOLINT(bugprone-reserved-identifier)
using GMainLoop = struct _GMainLoop;       // NOLINT(bugprone-reserved-identifier)
using NiceAgent = struct _NiceAgent;       // NOLINT(bugprone-reserved-identifier)

namespace sb::webrtc {

class IceLoop {
public:
    IceLoop();
    ~IceLoop();
    IceLoop(const IceLoop&) = delete;
    IceLoop& operator=(const IceLoop&) = delete;

    GMainContext* context() const noexcept { return context_; }
    // Runs `work` on the loop's thread and waits for it: set-up and teardown only, never on a
    // packet path.
    void runAndWait(const std::function<void()>& work);

private:
    GMainContext* context_;
    GMainLoop* loop_;
    std::thread thread_;
};

class IceAgent {
public:
    enum class State : std::uint8_t { gathering, checking, connected, disconnected, failed };
    // Runs a closure on the owner's thread (asio::post to its io_context, for one).
    using Post = std::function<void(std::function<void()>)>;
    struct Options {
        bool controlling = true;               // the offerer controls (RFC 8445 §6.1.1)
        std::optional<std::string> stunServer; // an address, for server-reflexive candidates
        std::uint16_t stunPort = 3478;
        // The local addresses to gather host candidates on; empty: every interface's but
        // loopback's (libnice's choice). Naming 127.0.0.1 is how a benchmark stays on loopback.
        std::vector<std::string> addresses;
        // A TURN server (RFC 8656) for relayed candidates, with long-term credentials.
        struct Turn {
            enum class Transport : std::uint8_t { udp, tcp, tls };
            std::string server; // an IP address
            std::uint16_t port = 3478;
            std::string username, password;
            Transport transport = Transport::udp;
        };
        std::optional<Turn> turn;
        // Relayed candidates only (a browser's iceTransportPolicy "relay"): our addresses are
        // never given to the peer.
        bool relayOnly = false;
    };
    struct Handlers {
        std::function<void(const IceCandidate& candidate)> candidate; // ours, to trickle
        std::function<void()> gathered;                               // end-of-candidates
        std::function<void(State state)> state;
        std::function<void(std::span<const std::byte> datagram)> received;
        // The pair ICE selected (or moved to), in words: "relay 10.0.0.3:50010 ↔ host …".
        std::function<void(const std::string& pair)> selected;
    };

    static Result<std::unique_ptr<IceAgent>> make(IceLoop& loop, Options options, Post post,
                                                  Handlers handlers);
    ~IceAgent();
    IceAgent(const IceAgent&) = delete;
    IceAgent& operator=(const IceAgent&) = delete;

    // Our ufrag and pwd, for our description.
    std::pair<std::string, std::string> localCredentials() const;
    Result<void> gather();
    Result<void> setRemoteCredentials(const std::string& ufrag, const std::string& pwd);
    // An ICE restart (RFC 8445 §9): new local credentials, the peer's candidates forgotten,
    // checks to start over once its new credentials and candidates are given; our candidates
    // stay.
    Result<void> restart();
    // A candidate of the peer's, from its description or trickled.
    Result<void> addRemoteCandidate(const IceCandidate& candidate);
    // The peer has no more candidates (a=end-of-candidates, RFC 8838 §4.4).
    void remoteGatheringDone();
    // Queues a datagram; what is queued leaves together once the owner's current work is done
    // (a flush posted through Post), in one system call for up to kBatch datagrams, the
    // technique of the field's fast UDP servers. UDP's rules: before a pair is selected, or
    // when the socket's buffer is full, a datagram is dropped and its sender's timer resends.
    void send(std::span<const std::byte> datagram);
    static constexpr std::size_t kBatch = 64;

    // What libnice's callbacks reach, and the owner's handlers (defined in ice_agent.cpp).
    struct Shared;

private:
    IceAgent(IceLoop& loop, std::shared_ptr<Shared> shared);
    void flush();

    IceLoop& loop_;
    std::shared_ptr<Shared> shared_;
    NiceAgent* agent_ = nullptr;
    unsigned stream_ = 0;
    // The datagrams queued in this turn, end to end, and where each ends.
    std::vector<std::byte> outbox_;
    std::vector<std::size_t> outboxEnds_;
};

} // namespace sb::webrtc
