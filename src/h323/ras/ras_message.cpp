#include "h323/ras/ras_message.hpp"

#include "h323/per/additions.hpp"

#include <array>

namespace sb::h323::ras {
namespace {

using per::Decoder;
using per::Encoder;

constexpr std::uint64_t kRootAlternatives = 25; // gatekeeperRequest … unknownMessageResponse
constexpr std::uint64_t kNonStandardMessage = 23, kInfoRequestResponse = 22,
                        kUnknownMessageResponse = 24;

// Each root alternative's count of OPTIONAL root components, whose presence bits come before
// its first component, the requestSeqNum (InfoRequestResponse's comes after a nonStandardData
// of its own).
constexpr std::array<unsigned, kRootAlternatives> kPresenceBits{
    4, 2, 2, 3, 3, 2, 3, 1, 1, 7, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 2, 3, 0, 0};

// --- the pieces most messages share ---

void encodeSeq(Encoder& e, std::uint16_t seq) {
    e.integer(seq, 1, 65535);
}

std::uint16_t decodeSeq(Decoder& d) {
    Decoder::Field f(d, "requestSeqNum");
    return static_cast<std::uint16_t>(d.integer(1, 65535));
}

per::ObjectIdentifier decodeProtocolIdentifier(Decoder& d) {
    Decoder::Field f(d, "protocolIdentifier");
    return d.objectIdentifier();
}

void encodeIdentifier(Encoder& e, const Identifier& id) {
    e.bmpString(id, 1, 128);
}

Identifier decodeIdentifier(Decoder& d, const char* name) {
    Decoder::Field f(d, name);
    return d.bmpString(1, 128);
}

void encode(Encoder& e, const Addresses& addresses) {
    e.items(addresses.size(), [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i)
            h225::encode(e, addresses[i]);
    });
}

Addresses decodeAddresses(Decoder& d, const char* name) {
    Addresses addresses;
    // Each takes at least 3 bits (a choice index) and 6 octets.
    (void)d.items(per::kUnbounded, 51, [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count && d.ok(); ++i) {
            Decoder::Field f(d, name, static_cast<int>(i));
            addresses.push_back(h225::decodeTransportAddress(d));
        }
    });
    return addresses;
}

TransportAddress decodeAddress(Decoder& d, const char* name) {
    Decoder::Field f(d, name);
    return h225::decodeTransportAddress(d);
}

Guid decodeGuid(Decoder& d, const char* name) {
    Decoder::Field f(d, name);
    return h225::decodeGuid(d);
}

void encodeBandWidth(Encoder& e, std::uint32_t bandWidth) {
    e.integer(bandWidth, 0, 4294967295);
}

std::uint32_t decodeBandWidth(Decoder& d) {
    return static_cast<std::uint32_t>(d.integer(0, 4294967295));
}

void skipNonStandard(Decoder& d, bool present) {
    if (present) h225::skipNonStandardParameter(d);
}

// A reason CHOICE of NULLs: its root alternatives, then its extension ones as open types.
// `extensionOf` maps an enum value past the root to its index among the additions.
template <class Reason>
void encodeReason(Encoder& e, Reason reason, std::uint64_t root,
                  std::span<const std::uint8_t> extensionOf) {
    const auto value = static_cast<std::uint64_t>(reason);
    if (value < root) return e.choice(value, root, true);
    e.choiceExtension(extensionOf[value - root]);
    e.openType([](Encoder&) {});
}

// The mirror. An extension alternative with content reads as a NULL one: securityError (at
// `securityError` among the additions) as securityDenial, any other (or one unknown to v7) as
// `otherwise`; its open type is skipped.
template <class Reason>
Reason decodeReason(Decoder& d, std::uint64_t root, std::span<const std::uint8_t> extensionOf,
                    std::uint64_t securityError, Reason securityDenial, Reason otherwise) {
    Decoder::Field f(d, "rejectReason");
    const auto alt = d.choice(root, true);
    if (!alt.extension) return static_cast<Reason>(alt.index);
    (void)d.openType();
    for (std::size_t i = 0; i < extensionOf.size(); ++i)
        if (extensionOf[i] == alt.index) return static_cast<Reason>(root + i);
    return alt.index == securityError ? securityDenial : otherwise;
}

// --- discovery and registration ---

void encode(Encoder& e, const GatekeeperRequest& m) {
    e.bit(false);
    for (bool present :
         {false, m.gatekeeperIdentifier.has_value(), false, !m.endpointAlias.empty()})
        e.bit(present); // nonStandardData, gatekeeperIdentifier, callServices, endpointAlias
    encodeSeq(e, m.requestSeqNum);
    e.objectIdentifier(m.protocolIdentifier);
    h225::encode(e, m.rasAddress);
    h225::encode(e, m.endpointType);
    if (m.gatekeeperIdentifier) encodeIdentifier(e, *m.gatekeeperIdentifier);
    if (!m.endpointAlias.empty()) h225::encode(e, m.endpointAlias);
}

GatekeeperRequest decodeGrq(Decoder& d) {
    GatekeeperRequest m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasGatekeeper = d.bit(), hasServices = d.bit(),
               hasAlias = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    skipNonStandard(d, hasNonStandard);
    m.rasAddress = decodeAddress(d, "rasAddress");
    {
        Decoder::Field f(d, "endpointType");
        m.endpointType = h225::decodeEndpointType(d);
    }
    if (hasGatekeeper) m.gatekeeperIdentifier = decodeIdentifier(d, "gatekeeperIdentifier");
    if (hasServices) { // QseriesOptions: seven BOOLEANs, Q954Details { two BOOLEANs, ... }, ...
        const bool servicesExtended = d.bit();
        (void)d.bits(7);
        const bool detailsExtended = d.bit();
        (void)d.bits(2);
        h225::skipExtensions(d, detailsExtended);
        h225::skipExtensions(d, servicesExtended);
    }
    if (hasAlias) m.endpointAlias = h225::decodeAliases(d, "endpointAlias");
    h225::skipExtensions(d, extended);
    return m;
}

void encode(Encoder& e, const GatekeeperConfirm& m) {
    e.bit(false);
    e.bit(false); // nonStandardData
    e.bit(m.gatekeeperIdentifier.has_value());
    encodeSeq(e, m.requestSeqNum);
    e.objectIdentifier(m.protocolIdentifier);
    if (m.gatekeeperIdentifier) encodeIdentifier(e, *m.gatekeeperIdentifier);
    h225::encode(e, m.rasAddress);
}

GatekeeperConfirm decodeGcf(Decoder& d) {
    GatekeeperConfirm m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasGatekeeper = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    skipNonStandard(d, hasNonStandard);
    if (hasGatekeeper) m.gatekeeperIdentifier = decodeIdentifier(d, "gatekeeperIdentifier");
    m.rasAddress = decodeAddress(d, "rasAddress");
    h225::skipExtensions(d, extended);
    return m;
}

constexpr std::array<std::uint8_t, 3> kGatekeeperRejectExtensions{0, 1, 2};

void encode(Encoder& e, const GatekeeperReject& m) {
    e.bit(false);
    e.bit(false);
    e.bit(m.gatekeeperIdentifier.has_value());
    encodeSeq(e, m.requestSeqNum);
    e.objectIdentifier(m.protocolIdentifier);
    if (m.gatekeeperIdentifier) encodeIdentifier(e, *m.gatekeeperIdentifier);
    encodeReason(e, m.rejectReason, 4, kGatekeeperRejectExtensions);
}

GatekeeperReject decodeGrj(Decoder& d) {
    GatekeeperReject m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasGatekeeper = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    skipNonStandard(d, hasNonStandard);
    if (hasGatekeeper) m.gatekeeperIdentifier = decodeIdentifier(d, "gatekeeperIdentifier");
    m.rejectReason =
        decodeReason(d, 4, kGatekeeperRejectExtensions, 3, GatekeeperRejectReason::securityDenial,
                     GatekeeperRejectReason::undefinedReason);
    h225::skipExtensions(d, extended);
    return m;
}

// RegistrationRequest's additions we send or read: timeToLive (1), keepAlive (5),
// endpointIdentifier (6), willSupplyUUIEs (7), maintainConnection (8), supportsAssignedGK (23).
constexpr std::size_t kRrqAdditions = 27;

void encode(Encoder& e, const RegistrationRequest& m) {
    e.bit(true);
    for (bool present : {false, !m.terminalAlias.empty(), m.gatekeeperIdentifier.has_value()})
        e.bit(present); // nonStandardData, terminalAlias, gatekeeperIdentifier
    encodeSeq(e, m.requestSeqNum);
    e.objectIdentifier(m.protocolIdentifier);
    e.bit(m.discoveryComplete);
    encode(e, m.callSignalAddress);
    encode(e, m.rasAddress);
    h225::encode(e, m.terminalType);
    if (!m.terminalAlias.empty()) h225::encode(e, m.terminalAlias);
    if (m.gatekeeperIdentifier) encodeIdentifier(e, *m.gatekeeperIdentifier);
    h225::encode(e, m.endpointVendor);
    std::array<bool, kRrqAdditions> present{};
    present[1] = m.timeToLive.has_value();
    present[6] = m.endpointIdentifier.has_value();
    for (std::size_t i : {5, 7, 8, 23})
        present[i] = true;
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        switch (i) {
        case 1:
            return inner.integer(*m.timeToLive, 1, 4294967295);
        case 5:
            return inner.bit(m.keepAlive);
        case 6:
            return encodeIdentifier(inner, *m.endpointIdentifier);
        case 7:
            return inner.bit(m.willSupplyUUIEs);
        case 8:
            return inner.bit(m.maintainConnection);
        default:
            return inner.bit(m.supportsAssignedGK);
        }
    });
}

RegistrationRequest decodeRrq(Decoder& d) {
    RegistrationRequest m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasAlias = d.bit(), hasGatekeeper = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    skipNonStandard(d, hasNonStandard);
    m.discoveryComplete = d.bit();
    m.callSignalAddress = decodeAddresses(d, "callSignalAddress");
    m.rasAddress = decodeAddresses(d, "rasAddress");
    {
        Decoder::Field f(d, "terminalType");
        m.terminalType = h225::decodeEndpointType(d);
    }
    if (hasAlias) m.terminalAlias = h225::decodeAliases(d, "terminalAlias");
    if (hasGatekeeper) m.gatekeeperIdentifier = decodeIdentifier(d, "gatekeeperIdentifier");
    {
        Decoder::Field f(d, "endpointVendor");
        m.endpointVendor = h225::decodeVendor(d);
    }
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            switch (i) {
            case 1:
                m.timeToLive = static_cast<std::uint32_t>(inner.integer(1, 4294967295));
                break;
            case 5:
                m.keepAlive = inner.bit();
                break;
            case 6:
                m.endpointIdentifier = decodeIdentifier(inner, "endpointIdentifier");
                break;
            case 7:
                m.willSupplyUUIEs = inner.bit();
                break;
            case 8:
                m.maintainConnection = inner.bit();
                break;
            case 23:
                m.supportsAssignedGK = inner.bit();
                break;
            default:
                return false;
            }
            return true;
        });
    return m;
}

// RegistrationConfirm's: timeToLive (1), willRespondToIRR (5), maintainConnection (7).
constexpr std::size_t kRcfAdditions = 21;

void encode(Encoder& e, const RegistrationConfirm& m) {
    e.bit(true);
    for (bool present : {false, !m.terminalAlias.empty(), m.gatekeeperIdentifier.has_value()})
        e.bit(present);
    encodeSeq(e, m.requestSeqNum);
    e.objectIdentifier(m.protocolIdentifier);
    encode(e, m.callSignalAddress);
    if (!m.terminalAlias.empty()) h225::encode(e, m.terminalAlias);
    if (m.gatekeeperIdentifier) encodeIdentifier(e, *m.gatekeeperIdentifier);
    encodeIdentifier(e, m.endpointIdentifier);
    std::array<bool, kRcfAdditions> present{};
    present[1] = m.timeToLive.has_value();
    present[5] = present[7] = true;
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 1) return inner.integer(*m.timeToLive, 1, 4294967295);
        inner.bit(i == 5 ? m.willRespondToIRR : m.maintainConnection);
    });
}

RegistrationConfirm decodeRcf(Decoder& d) {
    RegistrationConfirm m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasAlias = d.bit(), hasGatekeeper = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    skipNonStandard(d, hasNonStandard);
    m.callSignalAddress = decodeAddresses(d, "callSignalAddress");
    if (hasAlias) m.terminalAlias = h225::decodeAliases(d, "terminalAlias");
    if (hasGatekeeper) m.gatekeeperIdentifier = decodeIdentifier(d, "gatekeeperIdentifier");
    m.endpointIdentifier = decodeIdentifier(d, "endpointIdentifier");
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            switch (i) {
            case 1:
                m.timeToLive = static_cast<std::uint32_t>(inner.integer(1, 4294967295));
                break;
            case 5:
                m.willRespondToIRR = inner.bit();
                break;
            case 7:
                m.maintainConnection = inner.bit();
                break;
            default:
                return false;
            }
            return true;
        });
    return m;
}

// RegistrationRejectReason's additions by our enum past the root: invalidTerminalAliases (6)
// and securityError (9) have content and are read as invalidAlias and securityDenial.
constexpr std::array<std::uint8_t, 9> kRegistrationRejectExtensions{0, 1, 2, 3, 4, 5, 7, 8, 10};
constexpr std::uint64_t kRegistrationRejectRoot = 8, kDuplicateAlias = 4;

void encode(Encoder& e, const RegistrationReject& m) {
    e.bit(false);
    e.bit(false);
    e.bit(m.gatekeeperIdentifier.has_value());
    encodeSeq(e, m.requestSeqNum);
    e.objectIdentifier(m.protocolIdentifier);
    encodeReason(e, m.rejectReason, kRegistrationRejectRoot, kRegistrationRejectExtensions);
    if (m.rejectReason == RegistrationRejectReason::duplicateAlias)
        h225::encode(e, m.duplicateAlias);
    if (m.gatekeeperIdentifier) encodeIdentifier(e, *m.gatekeeperIdentifier);
}

RegistrationReject decodeRrj(Decoder& d) {
    RegistrationReject m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasGatekeeper = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    skipNonStandard(d, hasNonStandard);
    {
        Decoder::Field f(d, "rejectReason");
        const auto alt = d.choice(kRegistrationRejectRoot, true);
        if (!alt.extension) {
            m.rejectReason = static_cast<RegistrationRejectReason>(alt.index);
            if (alt.index == kDuplicateAlias)
                m.duplicateAlias = h225::decodeAliases(d, "duplicateAlias");
        } else {
            (void)d.openType();
            m.rejectReason = alt.index == 6 ? RegistrationRejectReason::invalidAlias
                                            : RegistrationRejectReason::securityDenial;
            for (std::size_t i = 0; i < kRegistrationRejectExtensions.size(); ++i)
                if (kRegistrationRejectExtensions[i] == alt.index)
                    m.rejectReason =
                        static_cast<RegistrationRejectReason>(kRegistrationRejectRoot + i);
        }
    }
    if (hasGatekeeper) m.gatekeeperIdentifier = decodeIdentifier(d, "gatekeeperIdentifier");
    h225::skipExtensions(d, extended);
    return m;
}

// UnregRequestReason past the root: maintenance (0), registerWithAssignedGK (2).
constexpr std::array<std::uint8_t, 2> kUnregistrationExtensions{0, 2};
constexpr std::size_t kUrqAdditions = 11;

void encode(Encoder& e, const UnregistrationRequest& m) {
    const bool extended = m.gatekeeperIdentifier.has_value() || m.reason.has_value();
    e.bit(extended);
    for (bool present : {!m.endpointAlias.empty(), false, m.endpointIdentifier.has_value()})
        e.bit(present); // endpointAlias, nonStandardData, endpointIdentifier
    encodeSeq(e, m.requestSeqNum);
    encode(e, m.callSignalAddress);
    if (!m.endpointAlias.empty()) h225::encode(e, m.endpointAlias);
    if (m.endpointIdentifier) encodeIdentifier(e, *m.endpointIdentifier);
    if (!extended) return;
    std::array<bool, kUrqAdditions> present{};
    present[1] = m.gatekeeperIdentifier.has_value();
    present[5] = m.reason.has_value();
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 1) return encodeIdentifier(inner, *m.gatekeeperIdentifier);
        encodeReason(inner, *m.reason, 4, kUnregistrationExtensions);
    });
}

UnregistrationRequest decodeUrq(Decoder& d) {
    UnregistrationRequest m;
    const bool extended = d.bit();
    const bool hasAlias = d.bit(), hasNonStandard = d.bit(), hasEndpoint = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.callSignalAddress = decodeAddresses(d, "callSignalAddress");
    if (hasAlias) m.endpointAlias = h225::decodeAliases(d, "endpointAlias");
    skipNonStandard(d, hasNonStandard);
    if (hasEndpoint) m.endpointIdentifier = decodeIdentifier(d, "endpointIdentifier");
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i == 1)
                m.gatekeeperIdentifier = decodeIdentifier(inner, "gatekeeperIdentifier");
            else if (i == 5)
                m.reason = decodeReason(inner, 4, kUnregistrationExtensions, 1,
                                        UnregistrationReason::securityDenial,
                                        UnregistrationReason::undefinedReason);
            else
                return false;
            return true;
        });
    return m;
}

// SEQUENCE { requestSeqNum, nonStandardData OPTIONAL, ..., … }: UCF and DCF.
void encodeSeqOnly(Encoder& e, std::uint16_t seq) {
    e.bit(false);
    e.bit(false);
    encodeSeq(e, seq);
}

std::uint16_t decodeSeqOnly(Decoder& d) {
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit();
    const auto seq = decodeSeq(d);
    skipNonStandard(d, hasNonStandard);
    h225::skipExtensions(d, extended);
    return seq;
}

// SEQUENCE { requestSeqNum, rejectReason, nonStandardData OPTIONAL, ..., … }: URJ, ARJ, DRJ,
// LRJ (BRJ has allowedBandWidth between).
template <class Reason, std::size_t N>
void encodeReject(Encoder& e, std::uint16_t seq, Reason reason, std::uint64_t root,
                  const std::array<std::uint8_t, N>& extensionOf) {
    e.bit(false);
    e.bit(false);
    encodeSeq(e, seq);
    encodeReason(e, reason, root, extensionOf);
}

template <class Message, class Reason, std::size_t N>
Message decodeReject(Decoder& d, std::uint64_t root, const std::array<std::uint8_t, N>& extensionOf,
                     std::uint64_t securityError, Reason securityDenial, Reason otherwise) {
    Message m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.rejectReason = decodeReason(d, root, extensionOf, securityError, securityDenial, otherwise);
    skipNonStandard(d, hasNonStandard);
    h225::skipExtensions(d, extended);
    return m;
}

constexpr std::array<std::uint8_t, 2> kUnregistrationRejectExtensions{0, 1};

// --- admission, bandwidth, disengage ---

constexpr std::size_t kArqAdditions = 19;

void encode(Encoder& e, const AdmissionRequest& m) {
    e.bit(true);
    // callModel, destinationInfo, destCallSignalAddress, destExtraCallInfo,
    // srcCallSignalAddress, nonStandardData, callServices
    for (bool present :
         {m.callModel.has_value(), !m.destinationInfo.empty(), m.destCallSignalAddress.has_value(),
          false, m.srcCallSignalAddress.has_value(), false, false})
        e.bit(present);
    encodeSeq(e, m.requestSeqNum);
    e.choice(0, 4, true); // callType: pointToPoint
    if (m.callModel) e.choice(static_cast<std::uint64_t>(*m.callModel), 2, true);
    encodeIdentifier(e, m.endpointIdentifier);
    if (!m.destinationInfo.empty()) h225::encode(e, m.destinationInfo);
    if (m.destCallSignalAddress) h225::encode(e, *m.destCallSignalAddress);
    h225::encode(e, m.srcInfo);
    if (m.srcCallSignalAddress) h225::encode(e, *m.srcCallSignalAddress);
    encodeBandWidth(e, m.bandWidth);
    e.integer(m.callReferenceValue, 0, 65535);
    h225::encodeGuid(e, m.conferenceID);
    e.bit(m.activeMC);
    e.bit(m.answerCall);
    std::array<bool, kArqAdditions> present{};
    present[4] = m.gatekeeperIdentifier.has_value();
    for (std::size_t i : {0, 1, 9, 18})
        present[i] = true;
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        switch (i) {
        case 0:
            return inner.bit(m.canMapAlias);
        case 1:
            return h225::encodeCallIdentifier(inner, m.callIdentifier);
        case 4:
            return encodeIdentifier(inner, *m.gatekeeperIdentifier);
        case 9:
            return inner.bit(m.willSupplyUUIEs);
        default:
            return inner.bit(m.canMapSrcAlias);
        }
    });
}

CallModel decodeCallModel(Decoder& d) {
    Decoder::Field f(d, "callModel");
    const auto alt = d.choice(2, true);
    if (alt.extension) d.fail("a call model unknown to v7");
    return static_cast<CallModel>(alt.index);
}

void skipCallType(Decoder& d) {
    if (d.choice(4, true).extension) (void)d.openType();
}

AdmissionRequest decodeArq(Decoder& d) {
    AdmissionRequest m;
    const bool extended = d.bit();
    std::array<bool, 7> present{};
    for (bool& p : present)
        p = d.bit();
    m.requestSeqNum = decodeSeq(d);
    skipCallType(d);
    if (present[0]) m.callModel = decodeCallModel(d);
    m.endpointIdentifier = decodeIdentifier(d, "endpointIdentifier");
    if (present[1]) m.destinationInfo = h225::decodeAliases(d, "destinationInfo");
    if (present[2]) m.destCallSignalAddress = decodeAddress(d, "destCallSignalAddress");
    if (present[3]) (void)h225::decodeAliases(d, "destExtraCallInfo");
    m.srcInfo = h225::decodeAliases(d, "srcInfo");
    if (present[4]) m.srcCallSignalAddress = decodeAddress(d, "srcCallSignalAddress");
    m.bandWidth = decodeBandWidth(d);
    m.callReferenceValue = static_cast<std::uint16_t>(d.integer(0, 65535));
    skipNonStandard(d, present[5]);
    if (present[6]) d.fail("callServices are not taken in an ARQ");
    m.conferenceID = decodeGuid(d, "conferenceID");
    m.activeMC = d.bit();
    m.answerCall = d.bit();
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            switch (i) {
            case 0:
                m.canMapAlias = inner.bit();
                break;
            case 1:
                m.callIdentifier = h225::decodeCallIdentifier(inner);
                break;
            case 4:
                m.gatekeeperIdentifier = decodeIdentifier(inner, "gatekeeperIdentifier");
                break;
            case 9:
                m.willSupplyUUIEs = inner.bit();
                break;
            case 18:
                m.canMapSrcAlias = inner.bit();
                break;
            default:
                return false;
            }
            return true;
        });
    return m;
}

constexpr std::size_t kAcfAdditions = 23;

// UUIEsRequested ::= SEQUENCE { nine BOOLEANs (setup … empty), ..., … }: none asked for.
void encodeNoUuiesRequested(Encoder& e) {
    e.bit(false);
    e.bits(0, 9);
}

void encode(Encoder& e, const AdmissionConfirm& m) {
    e.bit(true);
    e.bit(m.irrFrequency.has_value());
    e.bit(false); // nonStandardData
    encodeSeq(e, m.requestSeqNum);
    encodeBandWidth(e, m.bandWidth);
    e.choice(static_cast<std::uint64_t>(m.callModel), 2, true);
    h225::encode(e, m.destCallSignalAddress);
    if (m.irrFrequency) e.integer(*m.irrFrequency, 1, 65535);
    std::array<bool, kAcfAdditions> present{};
    present[0] = !m.destinationInfo.empty();
    present[9] = present[10] = true;
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 0) return h225::encode(inner, m.destinationInfo);
        if (i == 9) return inner.bit(m.willRespondToIRR);
        encodeNoUuiesRequested(inner);
    });
}

AdmissionConfirm decodeAcf(Decoder& d) {
    AdmissionConfirm m;
    const bool extended = d.bit();
    const bool hasIrr = d.bit(), hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.bandWidth = decodeBandWidth(d);
    m.callModel = decodeCallModel(d);
    m.destCallSignalAddress = decodeAddress(d, "destCallSignalAddress");
    if (hasIrr) m.irrFrequency = static_cast<std::uint16_t>(d.integer(1, 65535));
    skipNonStandard(d, hasNonStandard);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i == 0)
                m.destinationInfo = h225::decodeAliases(inner, "destinationInfo");
            else if (i == 9)
                m.willRespondToIRR = inner.bit();
            else
                return false;
            return true;
        });
    return m;
}

// AdmissionRejectReason past the root, by our enum: routeCallToSCN (4) and securityErrors (10)
// have content and read as requestDenied and securityDenial.
constexpr std::array<std::uint8_t, 13> kAdmissionRejectExtensions{0, 1, 2,  3,  5,  6, 7,
                                                                  8, 9, 11, 12, 13, 14};

constexpr std::size_t kBrqAdditions = 12;

void encode(Encoder& e, const BandwidthRequest& m) {
    e.bit(true);
    e.bit(false); // callType
    e.bit(false); // nonStandardData
    encodeSeq(e, m.requestSeqNum);
    encodeIdentifier(e, m.endpointIdentifier);
    h225::encodeGuid(e, m.conferenceID);
    e.integer(m.callReferenceValue, 0, 65535);
    encodeBandWidth(e, m.bandWidth);
    std::array<bool, kBrqAdditions> present{};
    present[0] = present[5] = true;
    present[1] = m.gatekeeperIdentifier.has_value();
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 0) return h225::encodeCallIdentifier(inner, m.callIdentifier);
        if (i == 1) return encodeIdentifier(inner, *m.gatekeeperIdentifier);
        inner.bit(m.answeredCall);
    });
}

BandwidthRequest decodeBrq(Decoder& d) {
    BandwidthRequest m;
    const bool extended = d.bit();
    const bool hasCallType = d.bit(), hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.endpointIdentifier = decodeIdentifier(d, "endpointIdentifier");
    m.conferenceID = decodeGuid(d, "conferenceID");
    m.callReferenceValue = static_cast<std::uint16_t>(d.integer(0, 65535));
    if (hasCallType) skipCallType(d);
    m.bandWidth = decodeBandWidth(d);
    skipNonStandard(d, hasNonStandard);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i == 0)
                m.callIdentifier = h225::decodeCallIdentifier(inner);
            else if (i == 1)
                m.gatekeeperIdentifier = decodeIdentifier(inner, "gatekeeperIdentifier");
            else if (i == 5)
                m.answeredCall = inner.bit();
            else
                return false;
            return true;
        });
    return m;
}

void encode(Encoder& e, const BandwidthConfirm& m) {
    e.bit(false);
    e.bit(false);
    encodeSeq(e, m.requestSeqNum);
    encodeBandWidth(e, m.bandWidth);
}

BandwidthConfirm decodeBcf(Decoder& d) {
    BandwidthConfirm m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.bandWidth = decodeBandWidth(d);
    skipNonStandard(d, hasNonStandard);
    h225::skipExtensions(d, extended);
    return m;
}

constexpr std::array<std::uint8_t, 1> kBandwidthRejectExtensions{0};

void encode(Encoder& e, const BandwidthReject& m) {
    e.bit(false);
    e.bit(false);
    encodeSeq(e, m.requestSeqNum);
    encodeReason(e, m.rejectReason, 6, kBandwidthRejectExtensions);
    encodeBandWidth(e, m.allowedBandWidth);
}

BandwidthReject decodeBrj(Decoder& d) {
    BandwidthReject m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.rejectReason =
        decodeReason(d, 6, kBandwidthRejectExtensions, 1, BandwidthRejectReason::securityDenial,
                     BandwidthRejectReason::undefinedReason);
    m.allowedBandWidth = decodeBandWidth(d);
    skipNonStandard(d, hasNonStandard);
    h225::skipExtensions(d, extended);
    return m;
}

constexpr std::size_t kDrqAdditions = 13;

void encode(Encoder& e, const DisengageRequest& m) {
    e.bit(true);
    e.bit(false); // nonStandardData
    encodeSeq(e, m.requestSeqNum);
    encodeIdentifier(e, m.endpointIdentifier);
    h225::encodeGuid(e, m.conferenceID);
    e.integer(m.callReferenceValue, 0, 65535);
    e.choice(static_cast<std::uint64_t>(m.disengageReason), 3, true);
    std::array<bool, kDrqAdditions> present{};
    present[0] = present[5] = true;
    present[1] = m.gatekeeperIdentifier.has_value();
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 0) return h225::encodeCallIdentifier(inner, m.callIdentifier);
        if (i == 1) return encodeIdentifier(inner, *m.gatekeeperIdentifier);
        inner.bit(m.answeredCall);
    });
}

DisengageRequest decodeDrq(Decoder& d) {
    DisengageRequest m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.endpointIdentifier = decodeIdentifier(d, "endpointIdentifier");
    m.conferenceID = decodeGuid(d, "conferenceID");
    m.callReferenceValue = static_cast<std::uint16_t>(d.integer(0, 65535));
    {
        Decoder::Field f(d, "disengageReason");
        const auto reason = d.choice(3, true);
        if (reason.extension) (void)d.openType();
        m.disengageReason = reason.extension ? DisengageReason::undefinedReason
                                             : static_cast<DisengageReason>(reason.index);
    }
    skipNonStandard(d, hasNonStandard);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i == 0)
                m.callIdentifier = h225::decodeCallIdentifier(inner);
            else if (i == 1)
                m.gatekeeperIdentifier = decodeIdentifier(inner, "gatekeeperIdentifier");
            else if (i == 5)
                m.answeredCall = inner.bit();
            else
                return false;
            return true;
        });
    return m;
}

constexpr std::array<std::uint8_t, 1> kDisengageRejectExtensions{0};

// --- location ---

constexpr std::size_t kLrqAdditions = 17;

void encode(Encoder& e, const LocationRequest& m) {
    e.bit(true);
    e.bit(m.endpointIdentifier.has_value());
    e.bit(false); // nonStandardData
    encodeSeq(e, m.requestSeqNum);
    if (m.endpointIdentifier) encodeIdentifier(e, *m.endpointIdentifier);
    h225::encode(e, m.destinationInfo);
    h225::encode(e, m.replyAddress);
    std::array<bool, kLrqAdditions> present{};
    present[0] = !m.sourceInfo.empty();
    present[1] = present[15] = true;
    present[2] = m.gatekeeperIdentifier.has_value();
    present[10] = m.hopCount.has_value();
    present[12] = m.callIdentifier.has_value();
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        switch (i) {
        case 0:
            return h225::encode(inner, m.sourceInfo);
        case 1:
            return inner.bit(m.canMapAlias);
        case 2:
            return encodeIdentifier(inner, *m.gatekeeperIdentifier);
        case 10:
            return inner.integer(*m.hopCount, 1, 255);
        case 12:
            return h225::encodeCallIdentifier(inner, *m.callIdentifier);
        default:
            return inner.bit(m.canMapSrcAlias);
        }
    });
}

LocationRequest decodeLrq(Decoder& d) {
    LocationRequest m;
    const bool extended = d.bit();
    const bool hasEndpoint = d.bit(), hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    if (hasEndpoint) m.endpointIdentifier = decodeIdentifier(d, "endpointIdentifier");
    m.destinationInfo = h225::decodeAliases(d, "destinationInfo");
    skipNonStandard(d, hasNonStandard);
    m.replyAddress = decodeAddress(d, "replyAddress");
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            switch (i) {
            case 0:
                m.sourceInfo = h225::decodeAliases(inner, "sourceInfo");
                break;
            case 1:
                m.canMapAlias = inner.bit();
                break;
            case 2:
                m.gatekeeperIdentifier = decodeIdentifier(inner, "gatekeeperIdentifier");
                break;
            case 10:
                m.hopCount = static_cast<std::uint8_t>(inner.integer(1, 255));
                break;
            case 12:
                m.callIdentifier = h225::decodeCallIdentifier(inner);
                break;
            case 15:
                m.canMapSrcAlias = inner.bit();
                break;
            default:
                return false;
            }
            return true;
        });
    return m;
}

constexpr std::size_t kLcfAdditions = 18;

void encode(Encoder& e, const LocationConfirm& m) {
    const bool extended = !m.destinationInfo.empty() || m.destinationType.has_value();
    e.bit(extended);
    e.bit(false); // nonStandardData
    encodeSeq(e, m.requestSeqNum);
    h225::encode(e, m.callSignalAddress);
    h225::encode(e, m.rasAddress);
    if (!extended) return;
    std::array<bool, kLcfAdditions> present{};
    present[0] = !m.destinationInfo.empty();
    present[2] = m.destinationType.has_value();
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 0) return h225::encode(inner, m.destinationInfo);
        h225::encode(inner, *m.destinationType);
    });
}

LocationConfirm decodeLcf(Decoder& d) {
    LocationConfirm m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.callSignalAddress = decodeAddress(d, "callSignalAddress");
    m.rasAddress = decodeAddress(d, "rasAddress");
    skipNonStandard(d, hasNonStandard);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i == 0)
                m.destinationInfo = h225::decodeAliases(inner, "destinationInfo");
            else if (i == 2)
                m.destinationType = h225::decodeEndpointType(inner);
            else
                return false;
            return true;
        });
    return m;
}

// LocationRejectReason past the root, by our enum: routeCalltoSCN (2) and securityError (8)
// have content and read as requestDenied and securityDenial.
constexpr std::array<std::uint8_t, 10> kLocationRejectExtensions{0, 1, 3, 4, 5, 6, 7, 9, 10, 11};

// --- status ---

constexpr std::size_t kIrqAdditions = 12;

void encode(Encoder& e, const InfoRequest& m) {
    e.bit(true);
    e.bit(false); // nonStandardData
    e.bit(m.replyAddress.has_value());
    encodeSeq(e, m.requestSeqNum);
    e.integer(m.callReferenceValue, 0, 65535);
    if (m.replyAddress) h225::encode(e, *m.replyAddress);
    std::array<bool, kIrqAdditions> present{};
    present[0] = true;
    per::writeAdditions(e, present, [&](std::size_t, Encoder& inner) {
        h225::encodeCallIdentifier(inner, m.callIdentifier);
    });
}

InfoRequest decodeIrq(Decoder& d) {
    InfoRequest m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasReply = d.bit();
    m.requestSeqNum = decodeSeq(d);
    m.callReferenceValue = static_cast<std::uint16_t>(d.integer(0, 65535));
    skipNonStandard(d, hasNonStandard);
    if (hasReply) m.replyAddress = decodeAddress(d, "replyAddress");
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i != 0) return false;
            m.callIdentifier = h225::decodeCallIdentifier(inner);
            return true;
        });
    return m;
}

void encode(Encoder& e, const TransportChannel& c) {
    e.bit(false);
    e.bit(c.sendAddress.has_value());
    e.bit(c.recvAddress.has_value());
    if (c.sendAddress) h225::encode(e, *c.sendAddress);
    if (c.recvAddress) h225::encode(e, *c.recvAddress);
}

TransportChannel decodeTransportChannel(Decoder& d, const char* name) {
    Decoder::Field f(d, name);
    TransportChannel c;
    const bool extended = d.bit();
    const bool hasSend = d.bit(), hasRecv = d.bit();
    if (hasSend) c.sendAddress = h225::decodeTransportAddress(d);
    if (hasRecv) c.recvAddress = h225::decodeTransportAddress(d);
    h225::skipExtensions(d, extended);
    return c;
}

// RTPSession ::= SEQUENCE { rtpAddress, rtcpAddress TransportChannelInfo, cname PrintableString,
// ssrc INTEGER (1..4294967295), sessionId INTEGER (1..255), associatedSessionIds SEQUENCE OF
// INTEGER (1..255), ..., … }: a peer's, read past.
const per::Alphabet kPrintable{
    " '()+,-./0123456789:=?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"};

void skipRtpSessions(Decoder& d) {
    (void)d.items(per::kUnbounded, 16, [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count && d.ok(); ++i) {
            const bool extended = d.bit();
            (void)decodeTransportChannel(d, "rtpAddress");
            (void)decodeTransportChannel(d, "rtcpAddress");
            (void)d.characterString(kPrintable, 0, per::kUnbounded);
            (void)d.integer(1, 4294967295);
            (void)d.integer(1, 255);
            (void)d.items(per::kUnbounded, 8, [&](std::uint64_t from, std::uint64_t n) {
                for (std::uint64_t j = from; j < from + n && d.ok(); ++j)
                    (void)d.integer(1, 255);
            });
            h225::skipExtensions(d, extended);
        }
    });
}

constexpr std::size_t kCallInfoAdditions = 8;

void encode(Encoder& e, const CallInfo& c) {
    e.bit(true); // callIdentifier and substituteConfIDs follow
    // nonStandardData, originator, audio, video, data
    for (bool present : {false, c.originator.has_value(), false, false, false})
        e.bit(present);
    e.integer(c.callReferenceValue, 0, 65535);
    h225::encodeGuid(e, c.conferenceID);
    if (c.originator) e.bit(*c.originator);
    encode(e, c.h245);
    encode(e, c.callSignaling);
    e.choice(0, 4, true); // callType: pointToPoint
    encodeBandWidth(e, c.bandWidth);
    e.choice(static_cast<std::uint64_t>(c.callModel), 2, true);
    std::array<bool, kCallInfoAdditions> present{};
    present[0] = present[3] = true;
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 0) return h225::encodeCallIdentifier(inner, c.callIdentifier);
        inner.items(0, [](std::uint64_t, std::uint64_t) {}); // substituteConfIDs: none
    });
}

CallInfo decodeCallInfo(Decoder& d) {
    CallInfo c;
    const bool extended = d.bit();
    std::array<bool, 5> present{};
    for (bool& p : present)
        p = d.bit();
    skipNonStandard(d, present[0]);
    c.callReferenceValue = static_cast<std::uint16_t>(d.integer(0, 65535));
    c.conferenceID = decodeGuid(d, "conferenceID");
    if (present[1]) c.originator = d.bit();
    if (present[2]) skipRtpSessions(d);
    if (present[3]) skipRtpSessions(d);
    if (present[4])
        (void)d.items(per::kUnbounded, 3, [&](std::uint64_t first, std::uint64_t count) {
            for (std::uint64_t i = first; i < first + count && d.ok(); ++i)
                (void)decodeTransportChannel(d, "data");
        });
    c.h245 = decodeTransportChannel(d, "h245");
    c.callSignaling = decodeTransportChannel(d, "callSignaling");
    skipCallType(d);
    c.bandWidth = decodeBandWidth(d);
    c.callModel = decodeCallModel(d);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i != 0) return false;
            c.callIdentifier = h225::decodeCallIdentifier(inner);
            return true;
        });
    return c;
}

constexpr std::size_t kIrrAdditions = 8;

void encode(Encoder& e, const InfoRequestResponse& m) {
    e.bit(true);
    // nonStandardData, endpointAlias, perCallInfo
    for (bool present : {false, !m.endpointAlias.empty(), !m.perCallInfo.empty()})
        e.bit(present);
    encodeSeq(e, m.requestSeqNum);
    h225::encode(e, m.endpointType);
    encodeIdentifier(e, m.endpointIdentifier);
    h225::encode(e, m.rasAddress);
    encode(e, m.callSignalAddress);
    if (!m.endpointAlias.empty()) h225::encode(e, m.endpointAlias);
    if (!m.perCallInfo.empty())
        e.items(m.perCallInfo.size(), [&](std::uint64_t first, std::uint64_t count) {
            for (std::uint64_t i = first; i < first + count; ++i)
                encode(e, m.perCallInfo[i]);
        });
    std::array<bool, kIrrAdditions> present{};
    present[3] = present[6] = true;
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        inner.bit(i == 3 ? m.needResponse : m.unsolicited);
    });
}

InfoRequestResponse decodeIrr(Decoder& d) {
    InfoRequestResponse m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasAlias = d.bit(), hasCalls = d.bit();
    skipNonStandard(d, hasNonStandard);
    m.requestSeqNum = decodeSeq(d);
    {
        Decoder::Field f(d, "endpointType");
        m.endpointType = h225::decodeEndpointType(d);
    }
    m.endpointIdentifier = decodeIdentifier(d, "endpointIdentifier");
    m.rasAddress = decodeAddress(d, "rasAddress");
    m.callSignalAddress = decodeAddresses(d, "callSignalAddress");
    if (hasAlias) m.endpointAlias = h225::decodeAliases(d, "endpointAlias");
    if (hasCalls)
        (void)d.items(per::kUnbounded, 40, [&](std::uint64_t first, std::uint64_t count) {
            for (std::uint64_t i = first; i < first + count && d.ok(); ++i) {
                Decoder::Field f(d, "perCallInfo", static_cast<int>(i));
                m.perCallInfo.push_back(decodeCallInfo(d));
            }
        });
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i == 3)
                m.needResponse = inner.bit();
            else if (i == 6)
                m.unsolicited = inner.bit();
            else
                return false;
            return true;
        });
    return m;
}

void encode(Encoder& e, const RequestInProgress& m) {
    e.bit(false);
    e.bits(0, 4); // nonStandardData, tokens, cryptoTokens, integrityCheckValue
    encodeSeq(e, m.requestSeqNum);
    e.integer(m.delay, 1, 65535);
}

RequestInProgress decodeRip(Decoder& d) {
    RequestInProgress m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit();
    if (d.bits(3) != 0) d.fail("tokens and H.235 security are not taken");
    m.requestSeqNum = decodeSeq(d);
    skipNonStandard(d, hasNonStandard);
    m.delay = static_cast<std::uint16_t>(d.integer(1, 65535));
    h225::skipExtensions(d, extended);
    return m;
}

void encode(Encoder& e, const UnknownMessageResponse& m) {
    e.bit(true);
    encodeSeq(e, m.requestSeqNum);
    std::array<bool, 4> present{};
    present[3] = true; // messageNotUnderstood
    per::writeAdditions(e, present, [&](std::size_t, Encoder& inner) {
        inner.octetString(m.messageNotUnderstood, 0, per::kUnbounded);
    });
}

UnknownMessageResponse decodeUmr(Decoder& d) {
    UnknownMessageResponse m;
    const bool extended = d.bit();
    m.requestSeqNum = decodeSeq(d);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i != 3) return false;
            m.messageNotUnderstood = inner.octetString(0, per::kUnbounded);
            return true;
        });
    return m;
}

// The rejects that share a layout, written through encodeReject.
void encode(Encoder& e, const UnregistrationReject& m) {
    encodeReject(e, m.requestSeqNum, m.rejectReason, 3, kUnregistrationRejectExtensions);
}
void encode(Encoder& e, const AdmissionReject& m) {
    encodeReject(e, m.requestSeqNum, m.rejectReason, 8, kAdmissionRejectExtensions);
}
void encode(Encoder& e, const DisengageReject& m) {
    encodeReject(e, m.requestSeqNum, m.rejectReason, 2, kDisengageRejectExtensions);
}
void encode(Encoder& e, const LocationReject& m) {
    encodeReject(e, m.requestSeqNum, m.rejectReason, 4, kLocationRejectExtensions);
}
void encode(Encoder& e, const UnregistrationConfirm& m) {
    encodeSeqOnly(e, m.requestSeqNum);
}
void encode(Encoder& e, const DisengageConfirm& m) {
    encodeSeqOnly(e, m.requestSeqNum);
}

// RasMessage's alternative for each of the variant's, in order; requestInProgress is the first
// extension.
constexpr std::uint64_t choiceIndex(std::size_t variantIndex) {
    return variantIndex < kNonStandardMessage ? variantIndex : variantIndex + 1;
}
constexpr std::size_t kRequestInProgress = 24; // in the variant

constexpr std::array<const char*, kRootAlternatives> kNames{
    "gatekeeperRequest",     "gatekeeperConfirm",  "gatekeeperReject",      "registrationRequest",
    "registrationConfirm",   "registrationReject", "unregistrationRequest", "unregistrationConfirm",
    "unregistrationReject",  "admissionRequest",   "admissionConfirm",      "admissionReject",
    "bandwidthRequest",      "bandwidthConfirm",   "bandwidthReject",       "disengageRequest",
    "disengageConfirm",      "disengageReject",    "locationRequest",       "locationConfirm",
    "locationReject",        "infoRequest",        "infoRequestResponse",   "nonStandardMessage",
    "unknownMessageResponse"};

RasMessage decodeRoot(Decoder& d, std::uint64_t index) {
    switch (index) {
    case 0:
        return decodeGrq(d);
    case 1:
        return decodeGcf(d);
    case 2:
        return decodeGrj(d);
    case 3:
        return decodeRrq(d);
    case 4:
        return decodeRcf(d);
    case 5:
        return decodeRrj(d);
    case 6:
        return decodeUrq(d);
    case 7:
        return UnregistrationConfirm{decodeSeqOnly(d)};
    case 8:
        return decodeReject<UnregistrationReject>(d, 3, kUnregistrationRejectExtensions, 2,
                                                  UnregistrationRejectReason::securityDenial,
                                                  UnregistrationRejectReason::undefinedReason);
    case 9:
        return decodeArq(d);
    case 10:
        return decodeAcf(d);
    case 11: // routeCallToSCN reads as requestDenied
        return decodeReject<AdmissionReject>(d, 8, kAdmissionRejectExtensions, 10,
                                             AdmissionRejectReason::securityDenial,
                                             AdmissionRejectReason::requestDenied);
    case 12:
        return decodeBrq(d);
    case 13:
        return decodeBcf(d);
    case 14:
        return decodeBrj(d);
    case 15:
        return decodeDrq(d);
    case 16:
        return DisengageConfirm{decodeSeqOnly(d)};
    case 17:
        return decodeReject<DisengageReject>(d, 2, kDisengageRejectExtensions, 1,
                                             DisengageRejectReason::securityDenial,
                                             DisengageRejectReason::notRegistered);
    case 18:
        return decodeLrq(d);
    case 19:
        return decodeLcf(d);
    case 20: // routeCalltoSCN reads as requestDenied
        return decodeReject<LocationReject>(d, 4, kLocationRejectExtensions, 8,
                                            LocationRejectReason::securityDenial,
                                            LocationRejectReason::requestDenied);
    case 21:
        return decodeIrq(d);
    case 22:
        return decodeIrr(d);
    default:
        return decodeUmr(d);
    }
}

} // namespace

std::vector<std::uint8_t> encode(const RasMessage& message) {
    Encoder e;
    const auto index = message.index();
    const auto write = [&](Encoder& out) {
        std::visit([&](const auto& m) { encode(out, m); }, message);
    };
    if (index == kRequestInProgress) {
        e.choiceExtension(0);
        e.openType(write);
    } else {
        e.choice(choiceIndex(index), kRootAlternatives, true);
        write(e);
    }
    return e.finish();
}

Result<RasMessage> decode(std::span<const std::uint8_t> bytes) {
    Decoder d(bytes);
    const auto alt = d.choice(kRootAlternatives, true);
    if (!d.ok()) return fail(d.finish().error());
    if (alt.extension) {
        std::vector<std::uint8_t> storage;
        const auto value = d.openType(storage);
        if (alt.index != 0) d.fail("an extension of RasMessage that is not taken");
        if (!d.ok()) return fail(d.finish().error());
        Decoder::Field f(d, "requestInProgress");
        auto inner = d.nested(value);
        auto rip = decodeRip(inner);
        d.absorb(inner);
        if (auto done = d.finish(); !done) return fail(done.error());
        return RasMessage(rip);
    }
    if (alt.index == kNonStandardMessage) {
        d.fail("nonStandardMessage is not taken");
        return fail(d.finish().error());
    }
    Decoder::Field f(d, kNames[alt.index]);
    auto message = decodeRoot(d, alt.index);
    if (auto done = d.finish(); !done) return fail(done.error());
    return message;
}

std::optional<UnknownMessageResponse> notUnderstood(std::span<const std::uint8_t> datagram) {
    Decoder d(datagram);
    const auto alt = d.choice(kRootAlternatives, true);
    if (!d.ok() || alt.extension || alt.index == kUnknownMessageResponse) return std::nullopt;
    (void)d.bit(); // the extension bit
    const auto presence = kPresenceBits[alt.index];
    if (alt.index == kInfoRequestResponse && d.bit()) return std::nullopt; // nonStandardData first
    (void)d.bits(alt.index == kInfoRequestResponse ? presence - 1 : presence);
    const auto seq = d.integer(1, 65535);
    if (!d.ok()) return std::nullopt;
    return UnknownMessageResponse{static_cast<std::uint16_t>(seq),
                                  {datagram.begin(), datagram.end()}};
}

} // namespace sb::h323::ras
