#pragma once
// SIP legs for rooms (room/leg.hpp): calls the B2BUA places into a room, such as an
// escalation's call to its expert, and calls it answers into one (a conference route's
// callers). The room's tags travel as X-IF-<name> headers (the trace id as X-IF-Trace-ID); the
// far end's answer, its later offers (hold, resume, a codec change) and the call's end go to
// the room.

#include "room/leg.hpp"
#include "sip/b2bua.hpp"

#include <string>
#include <unordered_map>

namespace sb::sip {

class RoomLegs final : public room::LegProvider {
public:
    // `from`: the From of the calls placed (without a tag). The B2BUA must outlive this.
    RoomLegs(B2bua& b2bua, std::string from) : b2bua_(b2bua), from_(std::move(from)) {}
    ~RoomLegs() override;
    RoomLegs(const RoomLegs&) = delete;
    RoomLegs& operator=(const RoomLegs&) = delete;

    Result<std::unique_ptr<room::Leg>> place(room::LegId id, const room::Dial& dial,
                                             room::LegSink& sink) override;
    // RFC 3261 §19.1: a sips: URI (TLS all the way), or ;transport=tls (to the first hop).
    bool securesSignalling(std::string_view target) const override;
    // A SIP call's SDP carries SDES keys (RFC 4568).
    room::LegMedia media() const override { return {room::LegMedia::Kind::call, true}; }

    // A call the B2BUA answered (its ConferenceRooms::join), as leg `id` of a room; or one
    // that waits for the target of another kind it goes to (ConferenceRooms::bridgeTo), in the
    // room that dials it (Room::dialOnward), whose leg rings, answers or refuses its caller as
    // that room tells it (Leg::alert, accept, release).
    std::unique_ptr<room::Leg> answered(std::uint64_t call, room::LegId id, room::LegSink& sink);
    // Refuses such a call before it has a leg (its room could not take it): 503 for
    // Errc::too_large (no resources), else 488 (RFC 3261 §21.4.26: its offer was not usable).
    void refuse(std::uint64_t call, const Error& why);
    // What the B2BUA then reports of that call (ConferenceRooms): a new offer from its caller,
    // answered by the room; its end.
    void offered(std::uint64_t call, std::string_view offer, OfferAnswered reply);
    void digit(std::uint64_t call, char digit, std::chrono::milliseconds duration);
    // An answered call's caller asks for a full picture (ConferenceRooms::pictureUpdate).
    void pictureUpdate(std::uint64_t call);
    void ended(std::uint64_t call, std::string_view cause);

private:
    class CallLeg;
    void onEvent(room::LegId id, const OutboundCallEvent& event);
    void onOffer(room::LegId id, std::string_view offer, OfferAnswered reply);
    void onDigit(room::LegId id, char digit, std::chrono::milliseconds duration);
    void onPictureLoss(room::LegId id);

    B2bua& b2bua_;
    std::string from_;
    // The legs alive, so that a call's late events find no leg once it has gone.
    std::unordered_map<room::LegId, CallLeg*> legs_;
    std::unordered_map<std::uint64_t, room::LegId> answered_; // the answered calls' legs
};

} // namespace sb::sip
