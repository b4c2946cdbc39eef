#pragma once
// H.323 calls as legs of rooms (room/leg.hpp), the "h323" kind. A leg speaks SDP to its room
// and H.225.0/H.245 on the wire (audio_sdp.hpp between them): it takes the room's offer as the
// codecs its call proposes and where it receives, and answers the room with the audio its call
// agrees, so the room's media graph carries the audio as for any other leg.
//
// Placed calls go to an H.323 URL's host (RFC 3508: h323:user@host[:port]), or where the
// gatekeeper locates its alias. Calls that arrive are handed to whoever routes them, who gives
// each to a room (Room::adopt with adopt()'s leg: the room offers, the call answers it) or
// refuses it. With a gatekeeper (admitThrough()), each call is admitted before it is placed
// or handed on, and refused with the cause of the refusal when it is not; its bandwidth is
// told again once its audio is agreed, and it is disengaged when it ends, or when the
// gatekeeper drops it. Runs on the control loop, with the CallEndpoint whose events() it gives.

#include "h323/addresses.hpp"
#include "h323/admissions.hpp"
#include "h323/call_endpoint.hpp"
#include "room/room.hpp"

#include <cstdint>
#include <functional>
#include <string_view>
#include <unordered_map>

namespace sb::h323 {

class CallLeg;

class CallLegs final : public room::LegProvider {
public:
    // A call arrived (its Setup came): adopt it into a room, or refuse() it; one of the two,
    // now or later.
    using Arrived = std::function<void(std::uint64_t call, const h225::Setup& setup)>;
    // It must outlive its legs, and the control loop's running (its work is queued there).
    explicit CallLegs(Arrived arrived) : arrived_(std::move(arrived)) {}
    CallLegs(const CallLegs&) = delete;
    CallLegs& operator=(const CallLegs&) = delete;

    // The events to start the endpoint with, then the endpoint, which must outlive the legs.
    CallEndpoint::EventsFor events();
    void use(CallEndpoint& endpoint) { endpoint_ = &endpoint; }
    // The gatekeeper that admits each call, which must outlive the legs; none: calls go
    // straight to the hosts their URLs name.
    void admitThrough(Admissions& admissions) { admissions_ = &admissions; }
    // The gatekeeper disengaged a call (its DRQ, already confirmed): it is released.
    void dropped(const h225::Guid& callIdentifier);

    Result<std::unique_ptr<room::Leg>> place(room::LegId id, const room::Dial& dial,
                                             room::LegSink& sink) override;
    // H.235's security is not spoken: no H.323 leg is secure.
    bool securesSignalling(std::string_view) const override { return false; }

    // The arrived call as a leg of the room that adopts it: it answers the call with the
    // room's offer, at once, or with `waits` when the room says (Leg::alert: Alerting;
    // Leg::accept: Connect), as the leg it goes on to goes (Room::dialOnward).
    room::Room::MakeOffered adopt(std::uint64_t call, bool waits = false);
    // Refuses an arrived call with a Q.850 cause.
    void refuse(std::uint64_t call, std::uint8_t cause);

    std::size_t legs() const noexcept { return legs_.size() + awaiting_.size(); }
    // Calls the gatekeeper admitted that have not yet been disengaged.
    std::size_t admitted() const noexcept { return admitted_.size(); }

private:
    friend class CallLeg;
    CallLeg* legOf(std::uint64_t call) const;
    // An arrived call's admission, then its routing.
    void offered(std::uint64_t call, const h225::Setup& setup);
    // A placed leg's admission, then its call.
    void admitThenPlace(CallLeg& leg, H323Url url, LocalMedia media, h225::Tags tags);
    void agreed(std::uint64_t call, const MediaPath& path);
    void released(std::uint64_t call, std::uint8_t cause);

    Arrived arrived_;
    CallEndpoint* endpoint_ = nullptr;
    Admissions* admissions_ = nullptr;
    std::unordered_map<std::uint64_t, CallLeg*> legs_; // by call id; the room owns them
    // Legs whose admission is asked, by a number of their own (they have no call yet).
    std::unordered_map<std::uint64_t, CallLeg*> awaiting_;
    std::uint64_t nextAwaiting_ = 1;
    struct Admitted {
        CallIds ids;
        bool answering = false;
        std::uint32_t bandwidth = 0; // granted
    };
    std::unordered_map<std::uint64_t, Admitted> admitted_; // by call id
};

} // namespace sb::h323
