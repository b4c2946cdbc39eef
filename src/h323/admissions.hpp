#pragma once
// A call's admission by a gatekeeper (H.323 §8.1.2–8.1.4; H.225.0 §7.10–7.11): an endpoint
// that a gatekeeper serves asks it (ARQ) before it places a call or answers one, and goes on
// only when admitted, to the call signalling address the gatekeeper gives; it says when the
// call's bandwidth changes (BRQ, H.323 §8.4.1) and when the call is over (DRQ, §8.5). The H.323
// legs ask through this; RasEndpoint speaks it to a gatekeeper, ours or another.

#include "h323/call.hpp"
#include "h323/h245/capability.hpp"
#include "h323/ras_client.hpp"

#include <cstdint>
#include <functional>

namespace sb::h323 {

class Admissions {
public:
    using Admitted = std::function<void(const RasClient::Admission&)>;
    // ARQ for the call (`answering`: one that arrived) to `destination`'s aliases, and its
    // `address` if the caller knows it, asking for `bandwidth`; `done` hears the answer once,
    // or that none came.
    virtual void admit(const CallIds& call, ras::Aliases destination,
                       std::optional<ras::TransportAddress> address, bool answering,
                       std::uint32_t bandwidth, Admitted done) = 0;
    virtual void changeBandwidth(const CallIds& call, bool answering, std::uint32_t bandwidth) = 0;
    virtual void disengage(const CallIds& call, bool answering) = 0;

protected:
    ~Admissions() = default;
};

// The Q.850 cause a call is released with when admission is refused, or when the gatekeeper
// does not answer (102, recovery on timer expiry: RFC 3398 makes it 504).
std::uint8_t causeOfRefusal(const RasClient::Admission& refused) noexcept;

// The bandwidth of a call whose audio is `codec` both ways, in H.225.0's units of 100 bit/s
// (BandWidth ::= INTEGER (0..4294967295)): the codec's rate, twice.
std::uint32_t bandwidthOf(const h245::AudioCapability& codec) noexcept;

} // namespace sb::h323
