#include "rtp/port_pool.hpp"

#include <fmt/format.h>

namespace sb::rtp {

PortLease::~PortLease() {
    rtp_->close();
    rtcp_->close();
    pool_.release(port_);
}

asio::io_context& PortLease::context() const noexcept {
    return pool_.context();
}

PortPool::PortPool(asio::io_context& context, asio::ip::address address, std::uint16_t first,
                   std::uint16_t last)
    : context_(context), address_(std::move(address)),
      first_(static_cast<std::uint16_t>(first + (first % 2))), last_(last), next_(first_) {}

Result<std::unique_ptr<PortLease>> PortPool::lease() {
    if (first_ >= last_) return fail(Errc::too_large, "RTP ports: an empty range");
    const std::size_t pairs = capacity();
    for (std::size_t tried = 0; tried < pairs; ++tried) {
        const std::uint16_t port = next_;
        next_ = static_cast<std::uint16_t>(next_ + 2 > last_ - 1 ? first_ : next_ + 2);
        if (leased_.contains(port)) continue;
        auto rtp = net::UdpSocket::bind(context_, {address_, port});
        if (!rtp) continue; // another program has it
        auto rtcp =
            net::UdpSocket::bind(context_, {address_, static_cast<std::uint16_t>(port + 1)});
        if (!rtcp) {
            (*rtp)->close();
            continue;
        }
        leased_.insert(port);
        leasedCount_.store(leased_.size(), std::memory_order_relaxed);
        return std::unique_ptr<PortLease>(
            new PortLease(*this, port, std::move(rtp).value(), std::move(rtcp).value()));
    }
    return fail(Errc::too_large, fmt::format("RTP ports {}-{} on {}: none free", first_, last_,
                                             address_.to_string()));
}

} // namespace sb::rtp
