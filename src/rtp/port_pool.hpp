#pragma once
// RTP ports from a configured range: an even port for RTP and the odd one above it for RTCP
// (RFC 3550 §11), bound on one address. A lease gives both sockets back, and the ports to the
// pool, when it ends: ports are always returned.
//
// The sockets belong to the pool's io_context (a media worker's). Leases are taken on one
// thread, which may be another (the control loop leases the ports of bridged calls, whose
// streams then run on the worker); a lease may end on any thread, and after the pool: each
// pair's flag is an atomic that the pool and its leases share, so no lock is taken.

#include "core/result.hpp"
#include "net/udp_socket.hpp"

#include <asio/io_context.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace sb::rtp {

class PortPool;

// Which pairs are leased; shared by a pool and its leases.
struct PortPairs {
    explicit PortPairs(std::size_t n) : leased(n) {}
    std::vector<std::atomic<bool>> leased; // by (port - first) / 2
    std::atomic<std::size_t> count{0};
};

class PortLease {
public:
    ~PortLease();
    PortLease(const PortLease&) = delete;
    PortLease& operator=(const PortLease&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    const std::shared_ptr<net::UdpSocket>& rtp() const noexcept { return rtp_; }
    const std::shared_ptr<net::UdpSocket>& rtcp() const noexcept { return rtcp_; }
    asio::io_context& context() const noexcept { return context_; }

private:
    friend class PortPool;
    PortLease(asio::io_context& context, std::shared_ptr<PortPairs> pairs, std::size_t pair,
              std::uint16_t port, std::shared_ptr<net::UdpSocket> rtp,
              std::shared_ptr<net::UdpSocket> rtcp)
        : context_(context), pairs_(std::move(pairs)), pair_(pair), port_(port),
          rtp_(std::move(rtp)), rtcp_(std::move(rtcp)) {}
    asio::io_context& context_;
    std::shared_ptr<PortPairs> pairs_;
    std::size_t pair_;
    std::uint16_t port_;
    std::shared_ptr<net::UdpSocket> rtp_, rtcp_;
};

class PortPool {
public:
    // Ports first..last (first rounded up to even).
    PortPool(asio::io_context& context, asio::ip::address address, std::uint16_t first,
             std::uint16_t last);

    // The next free pair, bound. Ports another program holds are skipped. Errc::too_large when
    // every pair is leased or taken. Call from one thread at a time.
    Result<std::unique_ptr<PortLease>> lease();
    // Pairs leased now; readable from any thread.
    std::size_t leased() const noexcept { return pairs_->count.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return pairs_->leased.size(); }
    const asio::ip::address& address() const noexcept { return address_; }
    asio::io_context& context() const noexcept { return context_; }

private:
    asio::io_context& context_;
    asio::ip::address address_;
    std::uint16_t first_;
    std::size_t next_ = 0; // where the next lease starts looking
    std::shared_ptr<PortPairs> pairs_;
};

} // namespace sb::rtp
