#pragma once
// Finding NDI sources through the Avahi daemon, when one runs: its client library (over
// D-Bus) browses the instances of a DNS-SD service and resolves each to its host, address and
// port, from the daemon's cache and its own queries (which share 5353 with every other
// client on the machine). Where no daemon runs, the caller asks with our own querier
// (discovery.hpp). The library's calls block on D-Bus, so each browse runs on a thread of its
// own, never on the control loop; what it found comes back there (asio::post).

#include "core/result.hpp"
#include "video/discovery.hpp"

#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sb::video {

class AvahiBrowser {
public:
    // `control`: the loop that gets the results; it must outlive this browser's use.
    explicit AvahiBrowser(asio::io_context& control) : control_(control) {}
    ~AvahiBrowser(); // waits for the browses under way (at most their `wait`)
    AvahiBrowser(const AvahiBrowser&) = delete;
    AvahiBrowser& operator=(const AvahiBrowser&) = delete;

    // The IPv4 instances of `service` ("_ndi._tcp.local") resolved within `wait`; `done` runs
    // on the control loop, once: Errc::not_found when no Avahi daemon answers (none runs, or
    // no system bus), so that the caller can ask by itself.
    void browse(const std::string& service, std::chrono::milliseconds wait, Browsed done);

private:
    struct Running {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    asio::io_context& control_;
    std::vector<Running> running_; // joined once done, on the next browse or at the end
};

// The browse itself, on the calling thread (what AvahiBrowser runs on its threads).
Result<std::vector<mdns::Instance>> browseAvahiNow(const std::string& service,
                                                   std::chrono::milliseconds wait);

} // namespace sb::video
