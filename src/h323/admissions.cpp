#include "h323/admissions.hpp"

namespace sb::h323 {

std::uint8_t causeOfRefusal(const RasClient::Admission& refused) noexcept {
    using R = ras::AdmissionRejectReason;
    if (refused.unanswered || !refused.reason) return 102; // recovery on timer expiry
    // H.225.0 names the reasons, Q.850 the causes; the pairs are ours, each the cause whose
    // meaning is nearest, so that RFC 3398 gives the SIP side the status it expects.
    switch (*refused.reason) {
    case R::calledPartyNotRegistered:
        return 20; // subscriber absent (480)
    case R::unallocatedNumber:
        return 1; // unallocated number (404)
    case R::noRouteToDestination:
        return 3; // no route to destination (404)
    case R::incompleteAddress:
        return 28; // invalid number format (484)
    case R::invalidPermission:
    case R::requestDenied:
    case R::securityDenial:
    case R::securityDHmismatch:
        return 21; // call rejected (403)
    case R::resourceUnavailable:
    case R::exceedsCallCapacity:
        return 47; // resource unavailable (503)
    case R::callerNotRegistered:
    case R::invalidEndpointIdentifier:
        return 41; // temporary failure (503): we register again
    default:
        return 127; // interworking (500)
    }
}

std::uint32_t bandwidthOf(const h245::AudioCapability& codec) noexcept {
    using C = h245::AudioCodec;
    std::uint32_t oneWay = 640; // 64 kbit/s: G.711, G.722 (ITU-T G.711, G.722)
    switch (codec.codec) {
    case C::g729:
    case C::g729AnnexA:
        oneWay = 80;
        break; // 8 kbit/s (ITU-T G.729)
    case C::gsmFullRate:
        oneWay = 130;
        break;       // 13 kbit/s (GSM 06.10)
    case C::generic: // H.245's maxBitRate is in the same units
        oneWay = codec.generic.maxBitRate.value_or(640);
        break;
    default:
        break;
    }
    return 2 * oneWay;
}

} // namespace sb::h323
