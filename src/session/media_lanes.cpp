#include "session/media_lanes.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <thread>

namespace sb::session {

std::vector<PortRange> splitPorts(PortRange range, std::size_t parts) {
    const std::uint32_t first = range.first + range.first % 2;
    const std::uint32_t pairs = range.last >= first + 1 ? (range.last - first + 1) / 2 : 0;
    parts =
        std::min<std::size_t>(std::max<std::size_t>(parts, 1), std::max<std::uint32_t>(pairs, 1));
    std::vector<PortRange> out;
    std::uint32_t next = first;
    for (std::size_t i = 0; i < parts; ++i) {
        // The first `pairs % parts` ranges take one pair more.
        const std::uint32_t share = pairs / parts + (i < pairs % parts ? 1 : 0);
        out.push_back(
            {static_cast<std::uint16_t>(next), static_cast<std::uint16_t>(next + 2 * share - 1)});
        next += 2 * share;
    }
    return out;
}

std::size_t defaultMediaWorkers() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores > 2 ? cores - 1 : 1;
}

MediaLanes::MediaLanes(asio::io_context& control, std::size_t workers,
                       const asio::ip::address& address, PortRange roomPorts, PortRange callPorts)
    : control_(control) {
    const std::size_t lanes = std::max<std::size_t>(workers, 1);
    auto shares = [lanes](PortRange range) {
        auto out = range.last > range.first ? splitPorts(range, lanes) : std::vector<PortRange>{};
        out.resize(lanes, PortRange{}); // a lane beyond a small range's shares gets none
        return out;
    };
    const auto rooms = shares(roomPorts);
    const auto calls = shares(callPorts);
    for (std::size_t i = 0; i < lanes; ++i) {
        asio::io_context* context = &control;
        if (workers > 0) {
            workers_.push_back(std::make_unique<net::Worker>(fmt::format("media-{}", i + 1)));
            context = &workers_.back()->context();
        }
        lanes_.push_back(std::make_unique<Lane>(*context, address, rooms[i], calls[i]));
    }
    for (auto& worker : workers_)
        worker->start();
}

MediaLanes::~MediaLanes() {
    stop();
}

void MediaLanes::stop() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& worker : workers_)
        worker->stop();
    for (auto& worker : workers_)
        worker->join();
}

std::size_t MediaLanes::portsLeased() const noexcept {
    std::size_t n = 0;
    for (const auto& lane : lanes_)
        n += lane->ports.leased() + lane->callPorts.leased();
    return n;
}

std::size_t MediaLanes::portPairs() const noexcept {
    std::size_t n = 0;
    for (const auto& lane : lanes_)
        n += lane->ports.capacity() + lane->callPorts.capacity();
    return n;
}

std::uint64_t MediaLanes::handlerFailures() const noexcept {
    std::uint64_t n = 0;
    for (const auto& worker : workers_)
        n += worker->handlerFailures();
    return n;
}

} // namespace sb::session
