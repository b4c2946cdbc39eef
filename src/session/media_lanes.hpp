#pragma once
// The media workers (ARCHITECTURE.md "Threads"): RTP, jitter buffers, transcoders and mixers
// run on threads of their own, not on the control loop that runs signalling. A lane is one
// worker and its share of the RTP port ranges; each room's media, and each bridged call's
// streams, live on one lane, and the control loop reaches them only by posting
// (session::WorkerGraph, session::MediaAnchor). With no workers there is one lane, on the
// control loop itself (tests; a machine with a single core).

#include "net/worker.hpp"
#include "rtp/port_pool.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <cstdint>
#include <memory>
#include <vector>

namespace sb::session {

struct PortRange {
    std::uint16_t first = 0, last = 0;
};
// `range` cut into `parts` consecutive ranges of (nearly) equal size, each starting on an even
// port (RFC 3550 §11: RTP even, RTCP the odd one above). Fewer when the range is too small.
std::vector<PortRange> splitPorts(PortRange range, std::size_t parts);

// One per core beyond the control loop, and at least one.
std::size_t defaultMediaWorkers();

class MediaLanes {
public:
    struct Lane {
        Lane(asio::io_context& c, const asio::ip::address& address, PortRange rooms,
             PortRange calls)
            : context(c), ports(c, address, rooms.first, rooms.last),
              callPorts(c, address, calls.first, calls.last) {}
        asio::io_context& context;
        rtp::PortPool ports;     // the rooms': leased on the lane's thread
        rtp::PortPool callPorts; // bridged calls': leased on the control loop
    };

    // `workers` threads (0: one lane on `control`), each lane with an equal share of each
    // range (an empty range: {0, 0}), bound on `address`. The threads start at once.
    MediaLanes(asio::io_context& control, std::size_t workers, const asio::ip::address& address,
               PortRange roomPorts, PortRange callPorts);
    ~MediaLanes();
    MediaLanes(const MediaLanes&) = delete;
    MediaLanes& operator=(const MediaLanes&) = delete;

    std::size_t size() const noexcept { return lanes_.size(); }
    Lane& lane(std::size_t i) noexcept { return *lanes_[i]; }
    asio::io_context& control() noexcept { return control_; }
    std::size_t workers() const noexcept { return workers_.size(); }

    // Stops the workers and waits for them to end; what ran on them may then be read and
    // destroyed from the control loop. Handlers still queued for them never run. Idempotent.
    void stop();
    bool stopped() const noexcept { return stopped_; }

    std::size_t portsLeased() const noexcept;       // pairs, both kinds, every lane
    std::size_t portPairs() const noexcept;         // what may be leased: the same, all of it
    std::uint64_t handlerFailures() const noexcept; // the workers' catch-all boundaries'

private:
    asio::io_context& control_;
    std::vector<std::unique_ptr<net::Worker>> workers_;
    std::vector<std::unique_ptr<Lane>> lanes_;
    bool stopped_ = false;
};

} // namespace sb::session
