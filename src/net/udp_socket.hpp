#pragma once
// A bound UDP socket with a receive loop, one datagram per handler call. Receives one datagram
// per system call into one 65,535-byte buffer, or — for a busy socket such as SIP's, started
// with a batch — up to that many per recvmmsg(2) call (ARCHITECTURE.md "Notes for speed"), each
// into a buffer of its own. Sends are synchronous on a non-blocking socket: UDP has no flow
// control, so a full send buffer drops the datagram and reports it, as the kernel would drop it
// later anyway.

#include "core/result.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ip/v6_only.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace sb::net {

class UdpSocket : public std::enable_shared_from_this<UdpSocket> {
public:
    // The datagram is writable: a relay rewrites headers (and SRTP decrypts) in place.
    using Handler =
        std::function<void(std::span<std::byte> datagram, const asio::ip::udp::endpoint& from)>;

    static constexpr std::size_t kLargestDatagram = 65535; // UDP's own limit

    // Binds to `local` (IPv4 or IPv6; port 0 picks an ephemeral port, read it back with
    // localEndpoint()). IPv6 sockets are v6-only so that 0.0.0.0 and :: can share a port.
    // Returns an Errc::io error naming the address, port and the system's reason.
    static Result<std::shared_ptr<UdpSocket>> bind(asio::io_context& context,
                                                   const asio::ip::udp::endpoint& local);

    // Receives what is sent to the IPv4 multicast `group` (its address and port) on the
    // interface whose address is `interface`: bound to the group's address, so nothing sent
    // to the host's own addresses arrives, and with SO_REUSEADDR, so other listeners of the
    // same group on this host may bind it too.
    static Result<std::shared_ptr<UdpSocket>> joinGroup(asio::io_context& context,
                                                        const asio::ip::udp::endpoint& group,
                                                        const asio::ip::address_v4& interface);
    // Multicast sent from this socket leaves by the interface whose address is `interface`
    // (IP_MULTICAST_IF), rather than by the route's.
    Result<void> sendMulticastThrough(const asio::ip::address_v4& interface);

    ~UdpSocket();
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    // Starts the receive loop; `handler` runs on the context's thread for each datagram. The
    // span is valid only during the call. Exceptions from the handler are caught and logged.
    // `batch` > 1 reads up to that many datagrams per system call. `largest`: the largest
    // datagram the handler takes (each buffer is one octet more: a larger datagram reaches the
    // handler cut to largest + 1 octets, so it can tell); RTP's streams, which take an MTU's,
    // keep thousands of sockets without 64 KiB of buffer each.
    void start(Handler handler, std::size_t batch = 1, std::size_t largest = kLargestDatagram);

    // Sends one datagram. Returns an Errc::io error (and sends nothing) when the socket is
    // closed, the send buffer is full or the system refuses.
    Result<void> sendTo(std::span<const std::byte> datagram, const asio::ip::udp::endpoint& to);

    // Stops receiving and closes the socket. The handler is not called again. Idempotent.
    void close();

    bool isOpen() const noexcept { return socket_.is_open(); }
    const asio::ip::udp::endpoint& localEndpoint() const noexcept { return local_; }

private:
    explicit UdpSocket(asio::io_context& context);
    void receive();
    void deliver(std::span<std::byte> datagram); // to the handler, from from_
    // Batched: wait until readable, then read until the socket is empty (or a turn's share is
    // read, and the rest after the other handlers waiting: the loop is shared).
    void awaitReadable();
    void drain();
    struct Batch;

    asio::ip::udp::socket socket_;
    asio::ip::udp::endpoint local_;
    asio::ip::udp::endpoint from_;
    std::vector<std::byte> buffer_; // one datagram's, unbatched
    std::unique_ptr<Batch> batch_;  // batched
    std::size_t bufferBytes_ = 0;   // each datagram's buffer
    Handler handler_;
};

} // namespace sb::net
