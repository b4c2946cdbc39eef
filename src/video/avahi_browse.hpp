#pragma once
// Finding NDI sources through the Avahi daemon, when one runs: its client library (over
// D-Bus) browses the instances of a DNS-SD service and resolves each to its host, address and
// port, from the daemon's cache and its own queries (which share 5353 with every other
// client on the machine). Where no daemon runs, the caller asks with our own querier
// (discovery.hpp). The library's calls block on D-Bus: run it off the control loop
// (browse_threads.hpp).

#include "core/result.hpp"
#include "video/mdns.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace sb::video {

// The IPv4 instances of `service` ("_ndi._tcp.local") resolved within `wait`; Errc::not_found
// when no Avahi daemon answers (none runs, or no system bus), so that the caller can ask by
// itself.
Result<std::vector<mdns::Instance>> browseAvahi(const std::string& service,
                                                std::chrono::milliseconds wait);

} // namespace sb::video
