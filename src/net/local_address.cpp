#include "net/local_address.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

namespace sb::net {

asio::ip::address localAddressTowards(const asio::ip::address& peer) {
    asio::io_context context; // sockets need one; nothing runs on it
    asio::ip::udp::socket socket(context);
    std::error_code ec;
    socket.open(peer.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (!ec) socket.connect({peer, 9}, ec); // any port: only the route matters
    if (ec)
        return peer.is_v6() ? asio::ip::address(asio::ip::address_v6())
                            : asio::ip::address(asio::ip::address_v4());
    const auto local = socket.local_endpoint(ec);
    return ec ? asio::ip::address() : local.address();
}

} // namespace sb::net
