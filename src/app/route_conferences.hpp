#pragma once
// The routes' rooms. A conference route's (`conference = "name"` or `echo = true`): each call
// the B2BUA answers for such a route, and each H.323 call routed there, is a leg of the room of
// that name, made when its first caller comes and gone when its last has left; an echo caller
// gets a room of its own. A gateway route's (a target of another kind than the caller's: SIP to
// an h323: URL, H.323 to a sip: URI): each call gets a room of its own, where the caller waits
// for the target it goes on to (Room::dialOnward). The rooms are room::Room like an
// escalation's, from their own room::Rooms (their own media graph and leg ids), so a route can
// never name an escalation's room.

#include "room/room.hpp"
#include "sip/b2bua.hpp"
#include "sip/room_legs.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::app {

class RouteConferences final : public sip::ConferenceRooms, private room::RoomObserver {
public:
    explicit RouteConferences(room::Rooms& rooms) : rooms_(rooms) {}
    ~RouteConferences() override;
    RouteConferences(const RouteConferences&) = delete;
    RouteConferences& operator=(const RouteConferences&) = delete;

    // The SIP legs of the B2BUA, which is made after this (it is given this as its rooms).
    // Legs of other kinds, which gateway rooms dial, come from the providers of `rooms`.
    void use(sip::RoomLegs& legs) { legs_ = &legs; }

    void join(std::uint64_t call, std::string_view room, std::string_view offer,
              std::string_view traceId, sip::OfferAnswered reply) override;
    // A call to a target of another kind: a room of its own (named gateway/<call>), which
    // admits the caller to wait and dials the target with the provider of its scheme's kind
    // ("h323" for an h323: URL), the caller answered as the target goes (Room::dialOnward).
    void bridgeTo(std::uint64_t call, std::string_view target, std::string_view offer,
                  std::string_view traceId) override;
    void digit(std::uint64_t call, char digit, std::chrono::milliseconds duration) override {
        if (legs_) legs_->digit(call, digit, duration);
    }
    void pictureUpdate(std::uint64_t call) override {
        if (legs_) legs_->pictureUpdate(call);
    }
    void left(std::uint64_t call, std::string_view cause) override;
    // A call of another protocol that arrives without an offer (an H.323 Setup): a leg of the
    // room `name` (Room::adopt), which `reply` gets, or why it could not join. `traceId`, the
    // caller's if it brought one, names a room made for it.
    void adopt(std::string_view name, std::string_view traceId, room::Room::MakeOffered make,
               const room::Reply<room::LegId>& reply);

    // A call of another protocol that arrives without an offer and goes on to `target` (an
    // H.323 call routed to a SIP URI): a room of its own (gateway/<kind>-<n>) that adopts it to
    // wait and dials the target with the provider of its scheme's kind (Room::dialOnward).
    // `reply` gets the arrived leg, or why it could not join.
    void bridgeFrom(std::string_view target, std::string_view traceId, room::Room::MakeOffered make,
                    const room::Reply<room::LegId>& reply);

    // A leg of another room (a council link, app/council_links.hpp) that joins the room `name`
    // with `offer`, as a caller's call would (the room is made when its first member comes).
    // `reply` gets its id and our answer, or why it could not join.
    void enter(std::string_view name, std::string_view traceId, std::string_view offer,
               room::Room::MakeLeg make, const room::Reply<room::Room::Admitted>& reply);
    // Hangs up `leg` of the room `name`, if both are there.
    void leave(std::string_view name, room::LegId leg, std::string reason);

    // What happens in a conference route's room (a council): someone joined ("member_joined":
    // a leg connected), left ("member_left": a leg that had connected closed), or became its
    // active talker ("active_talker", talker()); the room, the leg, how the room describes it.
    using CouncilEvent = std::function<void(const room::Room& room, room::LegId member,
                                            const std::string& who, std::string_view what)>;
    void onCouncilEvent(CouncilEvent heard) { councilEvent_ = std::move(heard); }
    // The rooms' media found `leg` the active talker of its room (WorkerGraph::onTalker).
    void talker(room::LegId leg);
    // The rooms' media heard `leg` press a key in RFC 4733 events (WorkerGraph::onDigit): to
    // its room, which sends it on to the other leg of a gateway's call (H.245 user input).
    void heardDigit(room::LegId leg, char digit, std::chrono::milliseconds held);

    // A gateway's call, answered by its target: a record of it (a witness entry) that must
    // be kept before its caller is answered. The room (its trace id), who called and who
    // answered (Room::describe); `done` once kept, or why it could not be. Without one, the
    // caller is answered at once.
    using CallRecord = std::function<void(const room::Room& room, const std::string& from,
                                          const std::string& to, room::Reply<void> done)>;
    void recordGatewayCalls(CallRecord record) { record_ = std::move(record); }

    std::size_t roomsOpen() const noexcept { return byName_.size(); }

private:
    void onLegChange(room::Room& room, const room::LegChange& change,
                     room::RoomState before) override;
    void beforeAnswer(room::Room& room, room::LegId arrived, room::LegId onward,
                      const room::Reply<void>& done) override;
    // A room with no live leg leaves the map at once, and is destroyed at the next join() or
    // left(): it may be the caller of the observer that releases it.
    void releaseIfEmpty(room::Room& room);
    // A call's first offer, answered by its room (a new room for the first caller).
    void admit(std::uint64_t call, std::string key, room::Room& room, std::string_view offer,
               sip::OfferAnswered reply);
    // A gateway room's caller goes on to `target` (Room::dialOnward).
    void goOn(room::Room& room, room::LegId arrived, const std::string& target);
    // A room that could not be made or could not keep its last leg goes.
    void releaseIfEmpty(const std::string& key, room::RoomId id);

    room::Rooms& rooms_;
    sip::RoomLegs* legs_ = nullptr;
    std::map<std::string, std::unique_ptr<room::Room>> byName_; // key: the name, or echo/<call>
    std::unordered_map<std::uint64_t, std::string> calls_;      // call → its room's key
    std::vector<std::unique_ptr<room::Room>> released_;         // empty; destroyed later
    std::uint64_t adopted_ = 0; // calls adopted, for their echo rooms' keys
    CouncilEvent councilEvent_;
    CallRecord record_;
};

} // namespace sb::app
