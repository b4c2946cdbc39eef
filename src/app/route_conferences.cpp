#include "app/route_conferences.hpp"

#include "session/echo_room.hpp"

#include <fmt/format.h>

namespace sb::app {

// The rooms go first, hanging up their legs; the B2BUA's left() for them finds no call.
RouteConferences::~RouteConferences() {
    calls_.clear();
    byName_.clear();
    released_.clear();
}

Result<std::string> RouteConferences::join(std::uint64_t call, std::string_view name,
                                           std::string_view offer, std::string_view traceId) {
    released_.clear();
    if (!legs_) return fail(Errc::closed, "conference rooms are not open yet");
    if (calls_.contains(call)) return legs_->offered(call, offer); // hold, resume, a new codec
    const std::string key = name == session::kEchoRoom
                                ? fmt::format("{}/{}", session::kEchoRoom, call)
                                : std::string(name);
    auto& room = byName_[key];
    if (!room) room = rooms_.open(std::string(name), std::string(traceId), *this);
    auto admitted =
        room->admit(offer, room::Role::essential, [&](room::LegId id, room::LegSink& sink) {
            return Result<std::unique_ptr<room::Leg>>(legs_->answered(call, id, sink));
        });
    if (!admitted) {
        releaseIfEmpty(*room);
        return fail(admitted.error());
    }
    calls_.emplace(call, key);
    return std::move(admitted->answer);
}

void RouteConferences::left(std::uint64_t call) {
    released_.clear();
    if (calls_.erase(call) == 0) return;
    legs_->ended(call); // the leg closes, and an empty room is released
}

void RouteConferences::onLegChange(room::Room& room, const room::LegChange& change,
                                   room::RoomState) {
    if (room::isFinal(change.to)) releaseIfEmpty(room);
}

void RouteConferences::releaseIfEmpty(room::Room& room) {
    if (room.liveLegs() > 0) return;
    for (auto it = byName_.begin(); it != byName_.end(); ++it)
        if (it->second.get() == &room) {
            released_.push_back(std::move(it->second));
            byName_.erase(it);
            return;
        }
}

} // namespace sb::app
