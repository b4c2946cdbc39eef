#pragma once
// The conference routes' rooms (a route with `conference = "name"` or `echo = true`): the calls
// the B2BUA answers into them take their media from a graph of their own, keyed by the
// B2BUA's call ids. (The escalations' rooms have another graph, keyed by the rooms' leg ids.)

#include "session/conference.hpp"
#include "sip/b2bua.hpp"

namespace sb::app {

class RouteConferences final : public sip::ConferenceRooms {
public:
    explicit RouteConferences(session::Conference& graph) : graph_(graph) {}

    Result<std::string> join(std::uint64_t call, std::string_view room, std::string_view offer,
                             std::string_view traceId) override {
        return graph_.answer(room::LegId(call), room, offer, traceId);
    }
    void left(std::uint64_t call) override { graph_.left(room::LegId(call)); }

private:
    session::Conference& graph_;
};

} // namespace sb::app
