#pragma once
// Which of this host's addresses a packet to a peer leaves from: what a listener bound to the
// wildcard address (0.0.0.0, ::) must advertise in Via and Contact so that the peer's answers
// come back (RFC 3261 §18.1.1 asks for an address the peer can reach).

#include <asio/ip/address.hpp>

namespace sb::net {

// The kernel's choice of source address towards `peer` (its route and source selection, found
// by connect()ing a UDP socket: no packet is sent). Unspecified when there is no route.
asio::ip::address localAddressTowards(const asio::ip::address& peer);

} // namespace sb::net
