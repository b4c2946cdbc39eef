#pragma once
// Leg and room states (ARCHITECTURE.md "Room and bridge state").
//
// A leg: setup → ringing → connected ⇄ hold → disconnecting → closed, or failed from any state
// before closed; a leg that carries its own session (a WebRTC peer) also goes connected ⇄
// degraded while its transport is impaired. A room's state is computed from its legs by six rules,
// the first that applies winning; a failed leg that is not essential (a bridge) does not fail the
// room but marks it `degraded`, and the essential legs go on.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sb::room {

enum class LegState : std::uint8_t {
    setup,
    ringing,
    connected,
    hold,
    disconnecting,
    closed,
    failed,
    degraded, // up, but impaired: its transport lost (ICE, consent) or backed up; it may recover
};
enum class RoomState : std::uint8_t {
    setup,
    ringing,
    connected,
    hold,
    degraded, // connected or on hold, with a bridge that failed or is degraded
    disconnecting,
    closed, // every leg closed (or none left)
    failed,
};

// What the room needs to know of a leg to compute its own state.
enum class Role : std::uint8_t {
    essential, // the room cannot go on without it (the expert's call)
    bridge,    // isolated: its failure degrades the room, nothing more
};
struct LegSummary {
    LegState state = LegState::setup;
    Role role = Role::essential;
};

std::string_view stateName(LegState state) noexcept;
std::string_view stateName(RoomState state) noexcept;
std::optional<LegState> legStateByName(std::string_view name) noexcept;
// A bridge's state in the words of ARCHITECTURE.md's bridges: setup "idle", ringing
// "connecting", connected and hold "active", degraded, disconnecting and closed "closed",
// failed.
std::string_view bridgeStateName(LegState state) noexcept;

// closed and failed are final.
bool isFinal(LegState state) noexcept;
// Whether a leg may go from `from` to `to` (the arrows above; failed from any live state).
bool canMove(LegState from, LegState to) noexcept;

// The rules, in order: (1) an essential leg failed → failed; (2) a leg disconnecting →
// disconnecting; (3) every live leg connected or degraded → connected (degraded if a bridge
// failed or a leg is degraded); (4) a leg on hold → hold (likewise degraded); (5) a leg
// ringing → ringing; (6) setup.
// Closed legs and failed bridges take no part in rules 2–6; a room with no live leg is closed.
RoomState roomState(std::span<const LegSummary> legs) noexcept;

} // namespace sb::room
