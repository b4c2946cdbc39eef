#pragma once
// Finding video sources on the LAN: NDI sources, announced by DNS-SD as instances of
// _ndi._tcp.local. Our own one-shot multicast DNS querier (RFC 6762 §5.1): a query sent from a
// port of our own to 224.0.0.251:5353, whose responders answer us by unicast (§6.7), collected
// for a while on the caller's event loop; so no socket on 5353 is needed, and it works beside
// an Avahi daemon or without one. NDI Discovery Servers and extra IPs are the NDI runtime's to
// use (NdiRuntime::sources).

#include "core/result.hpp"
#include "video/mdns.hpp"

#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace sb::video {

using Browsed = std::function<void(Result<std::vector<mdns::Instance>>)>;

// Asks for the instances of `service`; `done` gets those that answered within `wait`, on
// `context`'s thread, once. `interfaceAddress`: the IPv4 address of the interface the query
// leaves by (IP_MULTICAST_IF); empty: the system's choice. `done` is not called if `context`
// stops first.
void browseMdns(asio::io_context& context, const std::string& service,
                std::chrono::milliseconds wait, const std::string& interfaceAddress, Browsed done);

} // namespace sb::video
