#include "webrtc/sctp_transport.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <mutex>
#include <sys/socket.h>
#include <usrsctp.h>

namespace sb::webrtc {
namespace {

// Pieces of messages held at once, for all streams together, in maxMessageSize.
constexpr std::size_t kMostHeldMessages = 4;

template <class T>
void option(struct socket* s, int level, int name, const T& value) {
    (void)usrsctp_setsockopt(s, level, name, &value, sizeof value);
}

} // namespace

void SctpTransport::initStack() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Port 0: no UDP encapsulation; the packets go out through output(), into DTLS.
        usrsctp_init_nothreads(0, &SctpTransport::output, nullptr);
        // There is no IP header under us to carry ECN, and no address to add or remove.
        usrsctp_sysctl_set_sctp_ecn_enable(0);
        usrsctp_sysctl_set_sctp_asconf_enable(0);
        usrsctp_sysctl_set_sctp_auto_asconf(0);
        usrsctp_sysctl_set_sctp_pr_enable(1);       // RFC 3758, for partially reliable channels
        usrsctp_sysctl_set_sctp_reconfig_enable(1); // RFC 6525, to close channels
        // A delayed acknowledgement of 200 ms (the default) throttles a single sender over a
        // path of a few milliseconds; 20 ms is what WebRTC's own stacks use.
        usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
    });
}

SctpTransport::SctpTransport(Options options, Handlers handlers)
    : options_(options), handlers_(std::move(handlers)) {}

Result<std::unique_ptr<SctpTransport>> SctpTransport::make(Options options, Handlers handlers) {
    initStack();
    std::unique_ptr<SctpTransport> t(new SctpTransport(options, std::move(handlers)));
    usrsctp_register_address(t.get());
    t->socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &SctpTransport::onReceive,
                                &SctpTransport::onSendSpace,
                                static_cast<std::uint32_t>(options.sendBuffer / 2), t.get());
    if (!t->socket_)
        return sb::fail(Errc::io, fmt::format("SCTP: no socket: {}", std::strerror(errno)));
    struct socket* s = t->socket_;
    usrsctp_set_non_blocking(s, 1);
    option(s, SOL_SOCKET, SO_LINGER, linger{1, 0}); // closing aborts at once: DTLS goes too
    option(s, SOL_SOCKET, SO_SNDBUF, static_cast<int>(options.sendBuffer));
    option(s, SOL_SOCKET, SO_RCVBUF, static_cast<int>(options.receiveBuffer));
    option(s, IPPROTO_SCTP, SCTP_RECVRCVINFO, 1);
    option(s, IPPROTO_SCTP, SCTP_NODELAY, 1); // each message goes out at once
    option(s, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET,
           sctp_assoc_value{SCTP_FUTURE_ASSOC, SCTP_ENABLE_RESET_STREAM_REQ});
    option(s, IPPROTO_SCTP, SCTP_INITMSG, sctp_initmsg{kStreams, kStreams, 0, 0});
    auto ms = [](std::chrono::milliseconds d) { return static_cast<std::uint32_t>(d.count()); };
    option(s, IPPROTO_SCTP, SCTP_RTOINFO,
           sctp_rtoinfo{SCTP_FUTURE_ASSOC, ms(options.rtoInitial), ms(options.rtoMax),
                        ms(options.rtoMin)});
    for (std::uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT})
        option(s, IPPROTO_SCTP, SCTP_EVENT, sctp_event{SCTP_FUTURE_ASSOC, type, 1});
    // The path: a fixed MTU, as there is no ICMP to discover one by (RFC 8261 §5), which usrsctp
    // takes without the 12-byte common header (it adds that for an AF_CONN path); heartbeats.
    sctp_paddrparams path{};
    path.spp_assoc_id = SCTP_FUTURE_ASSOC;
    path.spp_pathmtu = static_cast<std::uint32_t>(options.mtu - sizeof(sctp_common_header));
    path.spp_hbinterval = static_cast<std::uint32_t>(options.heartbeat.count());
    path.spp_flags = SPP_PMTUD_DISABLE | SPP_HB_ENABLE;
    option(s, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, path);
    sockaddr_conn local{};
    local.sconn_family = AF_CONN;
    local.sconn_port = htons(options.localPort);
    local.sconn_addr = t.get();
    if (usrsctp_bind(s, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
        return sb::fail(Errc::io, fmt::format("SCTP: bind: {}", std::strerror(errno)));
    return t;
}

SctpTransport::~SctpTransport() {
    if (socket_) usrsctp_close(socket_); // an ABORT goes out through output(), to us still
    usrsctp_deregister_address(this);
}

void SctpTransport::start() {
    sockaddr_conn remote{};
    remote.sconn_family = AF_CONN;
    remote.sconn_port = htons(options_.remotePort);
    remote.sconn_addr = this;
    if (usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0 &&
        errno != EINPROGRESS)
        fail({Errc::io, fmt::format("SCTP: connect: {}", std::strerror(errno))});
}

void SctpTransport::receive(std::span<const std::byte> packet) {
    if (failed_) return;
    // usrsctp checks the CRC32c (RFC 4960 §6.8) and drops what does not fit.
    usrsctp_conninput(this, packet.data(), packet.size(), 0);
}

int SctpTransport::output(void* address, void* packet, std::size_t length, std::uint8_t,
                          std::uint8_t) {
    auto* self = static_cast<SctpTransport*>(address);
    if (self->handlers_.send) self->handlers_.send({static_cast<const std::byte*>(packet), length});
    return 0;
}

int SctpTransport::onReceive(struct socket*, sctp_sockstore, void* data, std::size_t length,
                             sctp_rcvinfo info, int flags, void* self) {
    auto* t = static_cast<SctpTransport*>(self);
    if (!data) return 1; // the association is gone; its notification said so
    const std::span<const std::byte> bytes(static_cast<const std::byte*>(data), length);
    if (flags & MSG_NOTIFICATION)
        t->onNotification(bytes);
    else
        t->onData(info.rcv_sid, ntohl(info.rcv_ppid), info.rcv_tsn, bytes, (flags & MSG_EOR) != 0);
    std::free(data); // usrsctp hands the buffer over
    return 1;
}

int SctpTransport::onSendSpace(struct socket*, std::uint32_t, void* self) {
    auto* t = static_cast<SctpTransport*>(self);
    if (t->blocked_) {
        t->blocked_ = false;
        if (t->handlers_.writable) t->handlers_.writable();
    }
    return 0;
}

void SctpTransport::onNotification(std::span<const std::byte> bytes) {
    sctp_notification n{};
    if (bytes.size() < sizeof n.sn_header) return;
    std::memcpy(&n, bytes.data(), std::min(bytes.size(), sizeof n));
    if (n.sn_header.sn_type == SCTP_ASSOC_CHANGE) {
        switch (n.sn_assoc_change.sac_state) {
        case SCTP_COMM_UP:
            if (connected_) return;
            connected_ = true;
            if (handlers_.connected) handlers_.connected();
            return;
        case SCTP_COMM_LOST:
            // usrsctp puts the peer's ABORT chunk after the fixed fields when the peer ended it
            // (a browser closing its peer connection does); without one, retransmissions failed.
            if (n.sn_assoc_change.sac_length > offsetof(sctp_assoc_change, sac_info))
                return fail({Errc::closed, "SCTP: the peer aborted the association"});
            return fail({Errc::timeout, "SCTP: the association was lost"});
        case SCTP_CANT_STR_ASSOC:
            return fail({Errc::timeout, "SCTP: the association could not be set up"});
        case SCTP_SHUTDOWN_COMP:
            return fail({Errc::closed, "SCTP: the peer shut the association down"});
        default:
            return;
        }
    }
    if (n.sn_header.sn_type == SCTP_STREAM_RESET_EVENT) {
        // RFC 8831 §6.7: the peer reset its outgoing stream: the channel closes.
        const auto& e = n.sn_strreset_event;
        if (!(e.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN)) return;
        const std::size_t header = offsetof(sctp_stream_reset_event, strreset_stream_list);
        const std::size_t length = std::min<std::size_t>(e.strreset_length, bytes.size());
        for (std::size_t at = header; at + 2 <= length; at += 2) {
            std::uint16_t stream = 0;
            std::memcpy(&stream, bytes.data() + at, 2);
            dropPartial(stream);
            discarding_.erase(stream);
            if (handlers_.streamClosed) handlers_.streamClosed(stream);
        }
    }
}

void SctpTransport::dropPartial(std::uint16_t stream) {
    if (auto part = partial_.find(stream); part != partial_.end()) {
        partialBytes_ -= part->second.bytes.size();
        partial_.erase(part);
    }
}

void SctpTransport::refuseOversized(std::uint16_t stream, std::uint32_t tsn, bool complete) {
    // RFC 8841 §6.1: more than we said we take; the channel is closed rather than the memory
    // spent, and what is left of the message is read past, not taken for the next one.
    dropPartial(stream);
    if (!complete) discarding_[stream] = tsn;
    closeStream(stream);
}

void SctpTransport::onData(std::uint16_t stream, std::uint32_t ppid, std::uint32_t tsn,
                           std::span<const std::byte> data, bool complete) {
    // Each piece of a message delivered in pieces carries the message's first TSN: a piece of
    // another message means the one before was abandoned (a partially reliable channel, RFC
    // 3758), and its pieces are not the start of this one.
    if (auto skipping = discarding_.find(stream); skipping != discarding_.end()) {
        if (skipping->second == tsn) {
            if (complete) discarding_.erase(skipping);
            return;
        }
        discarding_.erase(skipping);
    }
    auto part = partial_.find(stream);
    if (part != partial_.end() && part->second.tsn != tsn) {
        dropPartial(stream);
        part = partial_.end();
    }
    const std::size_t held = part == partial_.end() ? 0 : part->second.bytes.size();
    if (held + data.size() > options_.maxMessageSize) return refuseOversized(stream, tsn, complete);
    if (part == partial_.end() && complete) {
        if (handlers_.message) handlers_.message(stream, static_cast<Ppid>(ppid), data);
        return;
    }
    // The pieces held for all streams together stay within a few messages' worth: a peer
    // cannot hold a message's worth on each of its 1,024 streams. The oldest go first (an
    // abandoned message's pieces, left until its stream's next message, are the oldest).
    while (partialBytes_ + data.size() > kMostHeldMessages * options_.maxMessageSize) {
        auto oldest = partial_.end();
        for (auto it = partial_.begin(); it != partial_.end(); ++it)
            if (it->first != stream &&
                (oldest == partial_.end() || it->second.since < oldest->second.since))
                oldest = it;
        if (oldest == partial_.end()) return refuseOversized(stream, tsn, complete);
        refuseOversized(oldest->first, oldest->second.tsn, false);
        part = partial_.find(stream);
    }
    if (part == partial_.end())
        part = partial_.emplace(stream, Partial{tsn, nextPartial_++, {}}).first;
    part->second.bytes.insert(part->second.bytes.end(), data.begin(), data.end());
    partialBytes_ += data.size();
    if (!complete) return;
    partialBytes_ -= part->second.bytes.size();
    const std::vector<std::byte> whole = std::move(part->second.bytes);
    partial_.erase(part);
    if (handlers_.message) handlers_.message(stream, static_cast<Ppid>(ppid), whole);
}

Result<void> SctpTransport::send(std::uint16_t stream, Ppid ppid,
                                 std::span<const std::byte> message, const SendOptions& how) {
    if (!connected_ || failed_) return sb::fail(Errc::incomplete, "SCTP: not connected");
    sctp_sendv_spa spa{};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = stream;
    spa.sendv_sndinfo.snd_ppid = htonl(static_cast<std::uint32_t>(ppid));
    spa.sendv_sndinfo.snd_flags = SCTP_EOR | (how.ordered ? 0 : SCTP_UNORDERED);
    if (how.maxRetransmits) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo = {SCTP_PR_SCTP_RTX, *how.maxRetransmits};
    } else if (how.maxLifetime) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo = {SCTP_PR_SCTP_TTL, static_cast<std::uint32_t>(how.maxLifetime->count())};
    }
    if (usrsctp_sendv(socket_, message.data(), message.size(), nullptr, 0, &spa, sizeof spa,
                      SCTP_SENDV_SPA, 0) >= 0)
        return {};
    if (errno == EWOULDBLOCK || errno == EAGAIN) {
        blocked_ = true;
        return sb::fail(Errc::incomplete, "SCTP: the send buffer is full");
    }
    if (errno == EMSGSIZE)
        return sb::fail(
            Errc::too_large,
            fmt::format("SCTP: a message of {} bytes is over the send buffer", message.size()));
    return sb::fail(Errc::io, fmt::format("SCTP: send: {}", std::strerror(errno)));
}

void SctpTransport::closeStream(std::uint16_t stream) {
    if (!connected_ || failed_) return;
    // RFC 6525 §5.2.2 (RFC 8831 §6.7): an outgoing reset of the one stream.
    alignas(sctp_reset_streams)
        std::byte buffer[sizeof(sctp_reset_streams) + sizeof(std::uint16_t)];
    auto* reset = reinterpret_cast<sctp_reset_streams*>(buffer);
    reset->srs_assoc_id = SCTP_ALL_ASSOC;
    reset->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    reset->srs_number_streams = 1;
    std::memcpy(buffer + offsetof(sctp_reset_streams, srs_stream_list), &stream, sizeof stream);
    (void)usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, buffer, sizeof buffer);
}

void SctpTransport::advanceTimers(std::chrono::milliseconds elapsed) {
    initStack();
    usrsctp_handle_timers(static_cast<std::uint32_t>(elapsed.count()));
}

void SctpTransport::fail(const Error& why) {
    if (failed_) return;
    failed_ = true;
    connected_ = false;
    if (handlers_.failed) handlers_.failed(why);
}

} // namespace sb::webrtc
