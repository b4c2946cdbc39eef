#include "rtp/port_pool.hpp"

#include <fmt/format.h>

namespace sb::rtp {

PortLease::~PortLease() {
    rtp_->close();
    rtcp_->close();
    pairs_->leased[pair_].store(false, std::memory_order_release);
    pairs_->count.fetch_sub(1, std::memory_order_relaxed);
}

PortPool::PortPool(asio::io_context& context, asio::ip::address address, std::uint16_t first,
                   std::uint16_t last)
    : context_(context), address_(std::move(address)),
      first_(static_cast<std::uint16_t>(first + (first % 2))),
      pairs_(std::make_shared<PortPairs>(last > first_ ? (last - first_ + 1) / 2 : 0)) {}

Result<std::unique_ptr<PortLease>> PortPool::lease() {
    auto& leased = pairs_->leased;
    if (leased.empty()) return fail(Errc::too_large, "RTP ports: an empty range");
    for (std::size_t tried = 0; tried < leased.size(); ++tried) {
        const std::size_t pair = next_;
        next_ = (next_ + 1) % leased.size();
        // Only this thread sets a flag; a lease ending elsewhere only clears one.
        if (leased[pair].load(std::memory_order_acquire)) continue;
        const auto port = static_cast<std::uint16_t>(first_ + 2 * pair);
        auto rtp = net::UdpSocket::bind(context_, {address_, port});
        if (!rtp) continue; // another program has it
        auto rtcp =
            net::UdpSocket::bind(context_, {address_, static_cast<std::uint16_t>(port + 1)});
        if (!rtcp) {
            (*rtp)->close();
            continue;
        }
        leased[pair].store(true, std::memory_order_release);
        pairs_->count.fetch_add(1, std::memory_order_relaxed);
        return std::unique_ptr<PortLease>(new PortLease(
            context_, pairs_, pair, port, std::move(rtp).value(), std::move(rtcp).value()));
    }
    return fail(Errc::too_large, fmt::format("RTP ports {}-{} on {}: none free", first_,
                                             first_ + 2 * leased.size() - 1, address_.to_string()));
}

} // namespace sb::rtp
