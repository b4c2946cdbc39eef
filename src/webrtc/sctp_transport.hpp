#pragma once
// SCTP over DTLS (RFC 8261) with usrsctp, as WebRTC's DataChannels use it (RFC 8831): one
// association whose packets the owner carries in DTLS (Handlers::send out, receive() in), and
// messages on streams, each with its payload protocol identifier, ordered or not, reliable or
// partially reliable (RFC 3758), with streams closed by a reset (RFC 6525, RFC 8831 §6.7).
//
// usrsctp runs without threads of its own (usrsctp_init_nothreads): its callbacks run inside
// the calls made to it, and its timers when advanceTimers() is called. So every transport of
// the process is used from one thread, which also drives the timers; usrsctp's own locks are
// then never contended.

#include "core/result.hpp"
#include "webrtc/dcep.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

// usrsctp's types (usrsctp.h stays out of this header).
struct socket;
union sctp_sockstore;
struct sctp_rcvinfo;

namespace sb::webrtc {

class SctpTransport {
public:
    struct Handlers {
        std::function<void(std::span<const std::byte> packet)> send; // an SCTP packet, for DTLS
        std::function<void()> connected;
        std::function<void(std::uint16_t stream, Ppid ppid, std::span<const std::byte> message)>
            message;
        std::function<void(std::uint16_t stream)> streamClosed; // the peer reset it
        std::function<void()> writable; // the send buffer has room again after a refusal
        std::function<void(const Error& why)> failed; // once; the association is over
    };
    struct Options {
        std::uint16_t localPort = 5000, remotePort = 5000; // a=sctp-port, ours and the peer's
        // The largest message we take (our a=max-message-size); larger ones end the stream.
        std::size_t maxMessageSize = 262144;
        // The window: over a 20 ms round trip 4 MiB carried 41 MB/s, 1 MiB 25 and 256 KiB 5;
        // over 100 ms, 8.5, 5 and 0.5 (bench/datachannel, docs/BENCHMARKS.md). Memory is
        // taken only for what is queued: we read what arrives at once.
        std::size_t sendBuffer = 4 * 1024 * 1024, receiveBuffer = 4 * 1024 * 1024;
        // Retransmission timeouts (RFC 4960 §6.3.1). RFC 9260 lowers the initial one to 1 s;
        // the maximum is 10 s rather than 60 s, so that a channel carrying an agent's context
        // comes back within seconds of a loss burst (a dead path is ICE's to notice).
        // usrsctp judges a chunk's age by the real clock, so its timers need real time to pass.
        std::chrono::milliseconds rtoInitial{1000}, rtoMin{200}, rtoMax{10000};
        // A HEARTBEAT on an idle path this often (RFC 9260 §8.3; usrsctp adds an RTO with
        // jitter), rather than every 30 s: its acknowledgement is what an idle session hears
        // from the peer, so that a lost path shows within seconds (bridge::PeerSession).
        std::chrono::milliseconds heartbeat{1000};
        // The largest SCTP packet: each goes in one DTLS record of one datagram, so it is the
        // datagram size less DTLS's record overhead (DataTransport sets it from DTLS's MTU).
        std::size_t mtu = 1191;
    };
    // Streams each way (RFC 8831 §6.2 leaves the count to the implementation; 1024 is what
    // browsers negotiate, and usrsctp keeps per-stream state for each one it allows).
    static constexpr std::uint16_t kStreams = 1024;

    static Result<std::unique_ptr<SctpTransport>> make(Options options, Handlers handlers);
    // Aborts the association: Handlers::send gets the ABORT from inside the destructor.
    ~SctpTransport();
    SctpTransport(const SctpTransport&) = delete;
    SctpTransport& operator=(const SctpTransport&) = delete;

    // Who hears of messages and closed streams from now on (DataChannels takes them over).
    void onMessages(decltype(Handlers::message) message,
                    decltype(Handlers::streamClosed) streamClosed) {
        handlers_.message = std::move(message);
        handlers_.streamClosed = std::move(streamClosed);
    }

    // Sends INIT. Both ends do (RFC 8841 §10: either may; SCTP resolves the collision).
    void start();
    void receive(std::span<const std::byte> packet);

    struct SendOptions {
        bool ordered = true;
        std::optional<std::uint32_t> maxRetransmits;          // RFC 3758 partial reliability
        std::optional<std::chrono::milliseconds> maxLifetime; // by retransmissions or by time
    };
    // Errc::incomplete: not connected yet, or the send buffer is full (try again on
    // Handlers::writable); Errc::too_large: over what the send buffer can ever hold.
    Result<void> send(std::uint16_t stream, Ppid ppid, std::span<const std::byte> message,
                      const SendOptions& how);
    // Closes our side of the stream (an outgoing reset, RFC 6525 §5.2.2).
    void closeStream(std::uint16_t stream);
    bool connected() const noexcept { return connected_; }

    // Runs usrsctp's timers (retransmission, heartbeats, delayed acknowledgements) for the time
    // that has passed; the thread of the transports calls it every few milliseconds.
    static void advanceTimers(std::chrono::milliseconds elapsed);

private:
    SctpTransport(Options options, Handlers handlers);
    static void initStack();
    static int output(void* address, void* packet, std::size_t length, std::uint8_t tos,
                      std::uint8_t setDf);
    static int onReceive(struct socket* sock, sctp_sockstore address, void* data,
                         std::size_t length, sctp_rcvinfo info, int flags, void* self);
    static int onSendSpace(struct socket* sock, std::uint32_t free, void* self);
    void onNotification(std::span<const std::byte> notification);
    void onData(std::uint16_t stream, std::uint32_t ppid, std::uint32_t tsn,
                std::span<const std::byte> data, bool complete);
    void fail(const Error& why);

    Options options_;
    Handlers handlers_;
    struct socket* socket_ = nullptr;
    bool connected_ = false, failed_ = false, blocked_ = false;
    // Parts of messages delivered in pieces (partial delivery), by stream, and their octets in
    // all; the streams whose message went over the limit, read past to its end.
    struct Partial {
        std::uint32_t tsn = 0;   // the message's first, which each of its pieces carries
        std::uint64_t since = 0; // the order its first piece came in
        std::vector<std::byte> bytes;
    };
    std::uint64_t nextPartial_ = 0;
    std::unordered_map<std::uint16_t, Partial> partial_;
    std::size_t partialBytes_ = 0;
    std::unordered_map<std::uint16_t, std::uint32_t> discarding_; // stream → message (TSN)
    void dropPartial(std::uint16_t stream);
    // A message over the limit: the channel is closed, the rest of the message read past.
    void refuseOversized(std::uint16_t stream, std::uint32_t tsn, bool complete);
};

} // namespace sb::webrtc
