#pragma once
// The bridged calls' rooms: every call the B2BUA bridges (a route without `conference`) runs
// through a room of its own, a pass-through pair (room::Room::pair) whose legs are the call's
// two halves, the caller's arrived and the callee's dialled. The room keeps the halves' states
// and its own by the rules of ARCHITECTURE.md, and the call's descriptions cross it to the
// pair media (session::MediaAnchor), which anchors the RTP at Switchboard. The halves'
// signalling stays the B2BUA's, end to end (re-INVITE, UPDATE, PRACK, INFO, REFER).

#include "room/room.hpp"
#include "session/media_anchor.hpp"
#include "sip/b2bua.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace sb::app {

class BridgedRooms final : public sip::BridgedCallRooms, private room::RoomObserver {
public:
    // `anchor`: the pairs' media, which must outlive this; null: descriptions cross untouched.
    explicit BridgedRooms(session::MediaAnchor* anchor);
    ~BridgedRooms() override;
    BridgedRooms(const BridgedRooms&) = delete;
    BridgedRooms& operator=(const BridgedRooms&) = delete;

    // The B2BUA that the rooms' legs hang up through; it is made after this (it is given this
    // as its call rooms), and reports every call ended before it goes.
    void use(sip::B2bua& b2bua) noexcept { b2bua_ = &b2bua; }

    void began(std::uint64_t call, const sip::RouteMatch& route, std::string_view traceId) override;
    Result<std::string> relay(std::uint64_t call, Party from, std::string_view sdp) override;
    void ringing(std::uint64_t call, int status) override;
    void answered(std::uint64_t call) override;
    void ended(std::uint64_t call, int status, std::string_view reason) override;
    bool dtmfFromInfo(std::uint64_t call, Party from, char digit,
                      std::chrono::milliseconds duration) override;

    const room::Rooms::Stats& stats() const noexcept { return rooms_.stats(); }
    // The call's room, while the call lasts.
    const room::Room* roomOf(std::uint64_t call) const;

private:
    class HalfLeg;
    struct Call {
        std::unique_ptr<room::Room> room;
        room::Room::Pair legs;
        HalfLeg* halves[2] = {}; // the legs' adapters (the room owns them), by party
        room::LegId leg(Party party) const noexcept {
            return party == Party::caller ? legs.arrived : legs.dialled;
        }
    };
    // The halves' course is the B2BUA's to report; the room's own log lines name each change.
    void onLegChange(room::Room&, const room::LegChange&, room::RoomState) override {}
    Call* find(std::uint64_t call);

    session::MediaAnchor* anchor_;
    room::Rooms rooms_;
    sip::B2bua* b2bua_ = nullptr;
    std::unordered_map<std::uint64_t, Call> calls_;
    std::unordered_map<room::RoomId, std::uint64_t> byRoom_; // the anchor names pairs by room
    std::vector<std::unique_ptr<room::Room>> released_;      // ended; destroyed later
    bool hangingUp_ = false;                                 // inside a leg's hang-up
};

} // namespace sb::app
