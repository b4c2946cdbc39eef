#include "app/route_conferences.hpp"

#include "core/trace.hpp"
#include "session/echo_room.hpp"

#include <fmt/format.h>

namespace sb::app {

// The rooms go first, hanging up their legs; the B2BUA's left() for them finds no call.
RouteConferences::~RouteConferences() {
    calls_.clear();
    byName_.clear();
    released_.clear();
}

void RouteConferences::join(std::uint64_t call, std::string_view name, std::string_view offer,
                            std::string_view traceId, sip::OfferAnswered reply) {
    released_.clear();
    if (!legs_) return reply(fail(Errc::closed, "conference rooms are not open yet"));
    if (calls_.contains(call)) return legs_->offered(call, offer, std::move(reply)); // hold, …
    std::string key = name == session::kEchoRoom ? fmt::format("{}/{}", session::kEchoRoom, call)
                                                 : std::string(name);
    auto& room = byName_[key];
    // A caller without a trace (a plain phone) gets the room one of its own for its log lines.
    if (!room)
        room = rooms_.open(std::string(name), traceId.empty() ? newTraceId() : std::string(traceId),
                           *this);
    admit(call, std::move(key), *room, offer, std::move(reply));
}

void RouteConferences::admit(std::uint64_t call, std::string key, room::Room& room,
                             std::string_view offer, sip::OfferAnswered reply) {
    calls_.emplace(call, key);
    room.admit(
        offer, room::Role::essential,
        [this, call](room::LegId id, room::LegSink& sink) -> Result<std::unique_ptr<room::Leg>> {
            // The caller may have hung up while the room prepared its media.
            if (!calls_.contains(call)) return fail(Errc::closed, "the call has gone");
            return legs_->answered(call, id, sink);
        },
        [this, call, key = std::move(key), id = room.id(),
         reply = std::move(reply)](Result<room::Room::Admitted> admitted) {
            if (admitted) return reply(std::move(admitted->answer));
            calls_.erase(call);
            reply(fail(admitted.error()));
            // After the reply: the B2BUA's left() for the call may destroy released rooms, and
            // this runs inside the room.
            releaseIfEmpty(key, id);
        });
}

void RouteConferences::bridgeTo(std::uint64_t call, std::string_view target, std::string_view offer,
                                std::string_view traceId) {
    released_.clear();
    if (!legs_) return;
    std::string key = fmt::format("gateway/{}", call);
    auto& room = byName_[key];
    room = rooms_.open(key, traceId.empty() ? newTraceId() : std::string(traceId), *this);
    calls_.emplace(call, key);
    room->admit(
        offer, room::Role::essential,
        [this, call](room::LegId id, room::LegSink& sink) -> Result<std::unique_ptr<room::Leg>> {
            if (!calls_.contains(call)) return fail(Errc::closed, "the call has gone");
            return legs_->answered(call, id, sink);
        },
        [this, call, key, target = std::string(target),
         id = room->id()](Result<room::Room::Admitted> admitted) {
            if (!admitted) {
                calls_.erase(call);
                legs_->refuse(call, admitted.error());
                return releaseIfEmpty(key, id);
            }
            goOn(*byName_.at(key), admitted->leg, target); // admitted: the room is open
        },
        true);
}

void RouteConferences::adopt(std::string_view name, std::string_view traceId,
                             room::Room::MakeOffered make, const room::Reply<room::LegId>& reply) {
    released_.clear();
    std::string key = name == session::kEchoRoom
                          ? fmt::format("{}/adopted-{}", session::kEchoRoom, ++adopted_)
                          : std::string(name);
    auto& room = byName_[key];
    if (!room)
        room = rooms_.open(std::string(name), traceId.empty() ? newTraceId() : std::string(traceId),
                           *this);
    room->adopt(
        room::Role::essential, std::move(make),
        [this, key = std::move(key), id = room->id(), reply](const Result<room::LegId>& leg) {
            reply(leg);
            if (!leg) releaseIfEmpty(key, id);
        });
}

void RouteConferences::bridgeFrom(std::string_view target, std::string_view traceId,
                                  room::Room::MakeOffered make,
                                  const room::Reply<room::LegId>& reply) {
    released_.clear();
    std::string key = fmt::format("gateway/adopted-{}", ++adopted_);
    auto& room = byName_[key];
    room = rooms_.open(key, traceId.empty() ? newTraceId() : std::string(traceId), *this);
    room->adopt(
        room::Role::essential, std::move(make),
        [this, key, target = std::string(target), id = room->id(),
         reply](const Result<room::LegId>& leg) {
            reply(leg);
            if (!leg) return releaseIfEmpty(key, id);
            goOn(*byName_.at(key), *leg, target); // adopted: the room is open
        },
        true);
}

void RouteConferences::goOn(room::Room& room, room::LegId arrived, const std::string& target) {
    // The kind is the target's scheme ("h323", "sip"). A dial that fails releases the caller,
    // whose leg then closes the room.
    (void)room.dialOnward(arrived, target.substr(0, target.find(':')),
                          {target, {}, {{"Trace-ID", room.traceId()}}});
}

void RouteConferences::beforeAnswer(room::Room& room, room::LegId arrived, room::LegId onward,
                                    const room::Reply<void>& done) {
    if (!record_) return done({});
    record_(room, room.describe(arrived), room.describe(onward), [done](const Result<void>& kept) {
        if (kept) return done({});
        done(fail(kept.error().code, fmt::format("witness entry: {}", kept.error().message)));
    });
}

void RouteConferences::left(std::uint64_t call, std::string_view cause) {
    released_.clear();
    if (calls_.erase(call) == 0) return;
    legs_->ended(call, cause); // the leg closes, and an empty room is released
}

namespace {

// A gateway's room is a call, and an echo room a test: neither is a council.
bool isCouncil(const room::Room& room) {
    return !room.name().starts_with("gateway/") && !room.name().starts_with(session::kEchoRoom);
}

} // namespace

void RouteConferences::enter(std::string_view name, std::string_view traceId,
                             std::string_view offer, room::Room::MakeLeg make,
                             const room::Reply<room::Room::Admitted>& reply) {
    released_.clear();
    std::string key(name);
    auto& room = byName_[key];
    if (!room)
        room = rooms_.open(key, traceId.empty() ? newTraceId() : std::string(traceId), *this);
    room->admit(offer, room::Role::essential, std::move(make),
                [this, key, id = room->id(), reply](Result<room::Room::Admitted> admitted) {
                    const bool in = admitted.has_value();
                    reply(std::move(admitted));
                    if (!in) releaseIfEmpty(key, id);
                });
}

void RouteConferences::leave(std::string_view name, room::LegId leg, std::string reason) {
    if (auto found = byName_.find(std::string(name)); found != byName_.end())
        found->second->hangUp(leg, std::move(reason));
}

void RouteConferences::onLegChange(room::Room& room, const room::LegChange& change,
                                   room::RoomState) {
    using enum room::LegState;
    const bool wasIn = change.from == connected || change.from == hold || change.from == degraded ||
                       change.from == disconnecting;
    const bool joined = change.to == connected && !wasIn;
    const bool left = room::isFinal(change.to) && wasIn;
    if (councilEvent_ && (joined || left) && isCouncil(room))
        councilEvent_(room, change.leg, room.describe(change.leg),
                      joined ? "member_joined" : "member_left");
    if (room::isFinal(change.to)) releaseIfEmpty(room);
}

void RouteConferences::talker(room::LegId leg) {
    for (const auto& [key, room] : byName_)
        if (room->legState(leg) == room::LegState::connected) {
            if (councilEvent_ && isCouncil(*room))
                councilEvent_(*room, leg, room->describe(leg), "active_talker");
            return;
        }
}

void RouteConferences::heardDigit(room::LegId leg, char digit, std::chrono::milliseconds held) {
    for (const auto& [key, room] : byName_)
        if (room->legState(leg) == room::LegState::connected)
            return room->sink().onDigit(leg, digit, held);
}

void RouteConferences::releaseIfEmpty(const std::string& key, room::RoomId id) {
    if (auto found = byName_.find(key); found != byName_.end() && found->second->id() == id)
        releaseIfEmpty(*found->second);
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
