#pragma once
// RTP ports from a configured range: an even port for RTP and the odd one above it for RTCP
// (RFC 3550 §11), bound on one address. A lease gives both sockets back, and the ports to the
// pool, when it ends: ports are always returned. One pool per media worker, on its thread.

#include "core/result.hpp"
#include "net/udp_socket.hpp"

#include <asio/io_context.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <set>

namespace sb::rtp {

class PortPool;

class PortLease {
public:
    ~PortLease();
    PortLease(const PortLease&) = delete;
    PortLease& operator=(const PortLease&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    const std::shared_ptr<net::UdpSocket>& rtp() const noexcept { return rtp_; }
    const std::shared_ptr<net::UdpSocket>& rtcp() const noexcept { return rtcp_; }
    asio::io_context& context() const noexcept;

private:
    friend class PortPool;
    PortLease(PortPool& pool, std::uint16_t port, std::shared_ptr<net::UdpSocket> rtp,
              std::shared_ptr<net::UdpSocket> rtcp)
        : pool_(pool), port_(port), rtp_(std::move(rtp)), rtcp_(std::move(rtcp)) {}
    PortPool& pool_;
    std::uint16_t port_;
    std::shared_ptr<net::UdpSocket> rtp_, rtcp_;
};

class PortPool {
public:
    // Ports first..last (first rounded up to even). The pool must outlive its leases.
    PortPool(asio::io_context& context, asio::ip::address address, std::uint16_t first,
             std::uint16_t last);

    // The next free pair, bound. Ports another program holds are skipped. Errc::too_large when
    // every pair is leased or taken.
    Result<std::unique_ptr<PortLease>> lease();
    // Pairs leased now; readable from any thread (the figure of a pool on a media worker).
    std::size_t leased() const noexcept { return leasedCount_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return (last_ - first_ + 1) / 2; }
    const asio::ip::address& address() const noexcept { return address_; }
    asio::io_context& context() const noexcept { return context_; }

private:
    friend class PortLease;
    void release(std::uint16_t port) {
        leased_.erase(port);
        leasedCount_.store(leased_.size(), std::memory_order_relaxed);
    }

    asio::io_context& context_;
    asio::ip::address address_;
    std::uint16_t first_, last_;
    std::uint16_t next_;
    std::set<std::uint16_t> leased_;
    std::atomic<std::size_t> leasedCount_{0};
};

} // namespace sb::rtp
