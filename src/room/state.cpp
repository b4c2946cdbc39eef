#include "room/state.hpp"

#include <algorithm>
#include <array>

namespace sb::room {
namespace {

constexpr std::array kLegNames{"setup",         "ringing", "connected", "hold",
                               "disconnecting", "closed",  "failed",    "degraded"};
constexpr std::array kBridgeNames{"idle",   "connecting", "active", "active",
                                  "closed", "closed",     "failed", "degraded"};
constexpr std::array kRoomNames{"setup",    "ringing",       "connected", "hold",
                                "degraded", "disconnecting", "closed",    "failed"};

} // namespace

std::string_view stateName(LegState state) noexcept {
    return kLegNames.at(static_cast<std::size_t>(state));
}

std::string_view stateName(RoomState state) noexcept {
    return kRoomNames.at(static_cast<std::size_t>(state));
}

std::optional<LegState> legStateByName(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kLegNames.size(); ++i)
        if (kLegNames[i] == name) return static_cast<LegState>(i);
    return std::nullopt;
}

std::string_view bridgeStateName(LegState state) noexcept {
    return kBridgeNames.at(static_cast<std::size_t>(state));
}

bool isFinal(LegState state) noexcept {
    return state == LegState::closed || state == LegState::failed;
}

bool canMove(LegState from, LegState to) noexcept {
    using enum LegState;
    if (isFinal(from) || from == to) return false;
    switch (to) {
    case setup:
        return false;
    case ringing:
        return from == setup;
    case connected:
        return from == setup || from == ringing || from == hold || from == degraded;
    case hold:
    case degraded:
        return from == connected;
    case disconnecting:
    case closed: // a call declined or cancelled before it was answered ends without disconnecting
    case failed:
        return true;
    }
    return false;
}

RoomState roomState(std::span<const LegSummary> legs) noexcept {
    using enum LegState;
    auto any = [&](auto&& pred) { return std::any_of(legs.begin(), legs.end(), pred); };
    // Rule 1.
    if (any([](const LegSummary& l) { return l.role == Role::essential && l.state == failed; }))
        return RoomState::failed;
    const bool impaired = any([](const LegSummary& l) {
        return (l.role == Role::bridge && l.state == failed) || l.state == degraded;
    });
    // The legs that take part in rules 2–6: neither closed nor failed, and not a bridge on its
    // way out (bridges are isolated: one that leaves does not take the room with it).
    auto live = [](const LegSummary& l) {
        return !isFinal(l.state) && !(l.role == Role::bridge && l.state == disconnecting);
    };
    if (!any(live)) return RoomState::closed;
    if (any([&](const LegSummary& l) { return live(l) && l.state == disconnecting; }))
        return RoomState::disconnecting; // rule 2
    const bool allConnected = std::all_of(legs.begin(), legs.end(), [&](const LegSummary& l) {
        return !live(l) || l.state == connected || l.state == degraded;
    });
    if (allConnected) return impaired ? RoomState::degraded : RoomState::connected; // rule 3
    if (any([](const LegSummary& l) { return l.state == hold; }))
        return impaired ? RoomState::degraded : RoomState::hold; // rule 4
    if (any([](const LegSummary& l) { return l.state == ringing; })) return RoomState::ringing;
    return RoomState::setup; // rule 6
}

} // namespace sb::room
