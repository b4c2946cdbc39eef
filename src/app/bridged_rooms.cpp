#include "app/bridged_rooms.hpp"

#include <fmt/format.h>

namespace sb::app {

// One half of a bridged call as a leg of its room. Its signalling is the B2BUA's: the leg can
// only end the whole call (a bridged call is one session end to end), and makes no offer of
// its own.
class BridgedRooms::HalfLeg final : public room::Leg {
public:
    HalfLeg(BridgedRooms& owner, std::uint64_t call, Party party)
        : owner_(owner), call_(call), party_(party) {}

    void hangUp() override {
        if (over || !owner_.b2bua_) return;
        over = true;
        // The B2BUA may end the call at once, inside this room's own call to us.
        owner_.hangingUp_ = true;
        owner_.b2bua_->hangUp(call_);
        owner_.hangingUp_ = false;
    }
    std::string describe() const override {
        return fmt::format("sip call {} {}", call_, party_ == Party::caller ? "caller" : "callee");
    }
    Result<void> reoffer(std::string, Answered) override {
        return fail(Errc::unsupported, "a bridged call's session runs between its parties");
    }

    bool over = false; // the call has ended: nothing to hang up

private:
    BridgedRooms& owner_;
    std::uint64_t call_;
    Party party_;
};

BridgedRooms::BridgedRooms(session::MediaAnchor* anchor) : anchor_(anchor), rooms_(anchor) {
    if (!anchor_) return;
    // A digit that the media cannot send as RFC 4733 events goes on as SIP INFO.
    anchor_->setInfoSender(
        [this](room::RoomId pair, room::End to, char digit, std::chrono::milliseconds duration) {
            auto call = byRoom_.find(pair);
            if (call == byRoom_.end() || !infoSender_) return;
            infoSender_(call->second, to == room::End::arrived ? Party::caller : Party::callee,
                        digit, duration);
        });
}

BridgedRooms::~BridgedRooms() {
    if (anchor_) anchor_->setInfoSender(nullptr);
    b2bua_ = nullptr; // it has gone, and reported every call ended
}

BridgedRooms::Call* BridgedRooms::find(std::uint64_t call) {
    auto found = calls_.find(call);
    return found == calls_.end() ? nullptr : &found->second;
}

const room::Room* BridgedRooms::roomOf(std::uint64_t call) const {
    auto found = calls_.find(call);
    return found == calls_.end() ? nullptr : found->second.room.get();
}

void BridgedRooms::began(std::uint64_t id, const sip::RouteMatch& route, std::string_view traceId) {
    released_.clear();
    Call call;
    call.room = rooms_.open(fmt::format("call-{}", id), std::string(traceId), *this);
    auto half = [&](Party party) {
        return [&, party](room::LegId, room::LegSink&) -> Result<std::unique_ptr<room::Leg>> {
            auto made = std::make_unique<HalfLeg>(*this, id, party);
            call.halves[static_cast<int>(party)] = made.get();
            return std::unique_ptr<room::Leg>(std::move(made));
        };
    };
    // Building a HalfLeg cannot fail, so neither can the pair.
    call.legs = call.room->pair(half(Party::caller), half(Party::callee)).value();
    if (anchor_) anchor_->routed(call.room->id(), route);
    byRoom_.emplace(call.room->id(), id);
    calls_.emplace(id, std::move(call));
}

Result<std::string> BridgedRooms::relay(std::uint64_t id, Party from, std::string_view sdp) {
    Call* call = find(id);
    if (!call) return fail(Errc::closed, "the call has no room");
    return call->room->relay(call->leg(from), sdp);
}

void BridgedRooms::ringing(std::uint64_t id, int status) {
    if (Call* call = find(id))
        call->room->sink().onLegEvent(call->legs.dialled,
                                      {room::LegEvent::Kind::ringing, status, {}, {}});
}

void BridgedRooms::answered(std::uint64_t id) {
    Call* call = find(id);
    if (!call) return;
    // The caller's half first, so that the room goes from ringing to connected directly.
    for (auto leg : {call->legs.arrived, call->legs.dialled})
        call->room->sink().onLegEvent(leg, {room::LegEvent::Kind::answered, 200, {}, {}});
}

void BridgedRooms::ended(std::uint64_t id, int status, std::string_view reason) {
    released_.clear();
    auto found = calls_.find(id);
    if (found == calls_.end()) return;
    Call call = std::move(found->second);
    calls_.erase(found);
    byRoom_.erase(call.room->id());
    for (HalfLeg* half : call.halves)
        half->over = true;
    for (auto leg : {call.legs.dialled, call.legs.arrived})
        call.room->sink().onLegEvent(
            leg, {room::LegEvent::Kind::ended, status, std::string(reason), {}});
    // Inside the room's own call (a leg that hung up ended the call at once), the room goes
    // later, at the next call's beginning or end.
    if (hangingUp_) released_.push_back(std::move(call.room));
}

bool BridgedRooms::dtmfFromInfo(std::uint64_t id, Party from, char digit,
                                std::chrono::milliseconds duration) {
    Call* call = find(id);
    return anchor_ && call &&
           anchor_->dtmfFromInfo(call->room->id(),
                                 from == Party::caller ? room::End::arrived : room::End::dialled,
                                 digit, duration);
}

} // namespace sb::app
