#include "h323/h225/user_information.hpp"

#include "h323/per/additions.hpp"

#include <array>

namespace sb::h323::h225 {
namespace {

using per::Decoder;
using per::Encoder;

// --- pieces every UUIE shares ---

void encodeOctetsList(Encoder& e, const std::vector<Octets>& list) {
    e.items(list.size(), [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i)
            e.octetString(list[i], 0, per::kUnbounded);
    });
}

std::vector<Octets> decodeOctetsList(Decoder& d, const char* name) {
    std::vector<Octets> list;
    (void)d.items(per::kUnbounded, 8, [&](std::uint64_t first, std::uint64_t count) {
        list.reserve(static_cast<std::size_t>(first + count)); // items() checked the count
        for (std::uint64_t i = first; i < first + count && d.ok(); ++i) {
            Decoder::Field f(d, name, static_cast<int>(i));
            list.push_back(d.octetString(0, per::kUnbounded));
        }
    });
    return list;
}

per::ObjectIdentifier decodeProtocolIdentifier(Decoder& d) {
    Decoder::Field f(d, "protocolIdentifier");
    return d.objectIdentifier();
}

void refuseTokens(Decoder& d, bool present) {
    if (present) d.fail("tokens and H.235 security are not taken");
}

// Where a UUIE keeps, among its extension additions, the fields of CalledSide and Facility (−1:
// not an addition of this UUIE), and how many additions it has in v7.
struct Layout {
    std::size_t count;
    int callIdentifier, h245Address, fastStart, multipleCalls, maintainConnection,
        fastConnectRefused;
};
constexpr Layout kCallProceeding{9, 0, -1, 4, 5, 6, 7};
constexpr Layout kAlerting{15, 0, -1, 4, 5, 6, 10};
constexpr Layout kConnect{16, 0, -1, 4, 5, 6, 11};
constexpr Layout kProgress{3, -1, -1, -1, 0, 1, 2};
constexpr Layout kFacility{16, 0, 6, 7, 8, 9, 10};
constexpr std::size_t kMostAdditions = 28; // Setup-UUIE's

// The additions of `layout` that `side` fills: the bitmap, then each value.
template <class Side>
void encodeAdditions(Encoder& e, const Side& side, const Layout& layout) {
    std::array<bool, kMostAdditions> present{};
    const auto mark = [&](int at, bool is) {
        if (at >= 0) present[static_cast<std::size_t>(at)] = is;
    };
    mark(layout.callIdentifier, true);
    mark(layout.h245Address, side.h245Address.has_value());
    mark(layout.fastStart, !side.fastStart.empty());
    mark(layout.multipleCalls, true);
    mark(layout.maintainConnection, true);
    mark(layout.fastConnectRefused, side.fastConnectRefused);
    per::writeAdditions(e, std::span<const bool>(present.data(), layout.count),
                        [&](std::size_t i, Encoder& inner) {
                            const auto at = static_cast<int>(i);
                            if (at == layout.callIdentifier)
                                encodeCallIdentifier(inner, side.callIdentifier);
                            else if (at == layout.h245Address)
                                encode(inner, *side.h245Address);
                            else if (at == layout.fastStart)
                                encodeOctetsList(inner, side.fastStart);
                            else if (at == layout.multipleCalls)
                                inner.bit(side.multipleCalls);
                            else if (at == layout.maintainConnection)
                                inner.bit(side.maintainConnection);
                            // fastConnectRefused NULL: nothing (an empty open type)
                        });
}

template <class Side>
void decodeAdditions(Decoder& d, bool extended, Side& side, const Layout& layout) {
    if (!extended) return;
    per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
        const auto at = static_cast<int>(i);
        if (at == layout.callIdentifier)
            side.callIdentifier = decodeCallIdentifier(inner);
        else if (at == layout.h245Address)
            side.h245Address = decodeTransportAddress(inner);
        else if (at == layout.fastStart)
            side.fastStart = decodeOctetsList(inner, "fastStart");
        else if (at == layout.multipleCalls)
            side.multipleCalls = inner.bit();
        else if (at == layout.maintainConnection)
            side.maintainConnection = inner.bit();
        else if (at == layout.fastConnectRefused)
            side.fastConnectRefused = true;
        else
            return false;
        return true;
    });
}

// --- Setup ---

void encode(Encoder& e, const Setup& m) {
    e.bit(true); // callIdentifier and the other mandatory additions follow
    // h245Address, sourceAddress, destinationAddress, destCallSignalAddress,
    // destExtraCallInfo, destExtraCRV, callServices
    for (bool present :
         {m.h245Address.has_value(), !m.sourceAddress.empty(), !m.destinationAddress.empty(),
          m.destCallSignalAddress.has_value(), false, false, false})
        e.bit(present);
    e.objectIdentifier(m.protocolIdentifier);
    if (m.h245Address) encode(e, *m.h245Address);
    if (!m.sourceAddress.empty()) encode(e, m.sourceAddress);
    encode(e, m.sourceInfo);
    if (!m.destinationAddress.empty()) encode(e, m.destinationAddress);
    if (m.destCallSignalAddress) encode(e, *m.destCallSignalAddress);
    e.bit(m.activeMC);
    encodeGuid(e, m.conferenceID);
    const auto goal = static_cast<std::uint64_t>(m.conferenceGoal);
    if (goal < 3) {
        e.choice(goal, 3, true);
    } else {
        e.choiceExtension(goal - 3);
        e.openType([](Encoder&) {});
    }
    e.choice(0, 4, true); // callType: pointToPoint
    // sourceCallSignalAddress (0), callIdentifier (2), fastStart (6), mediaWaitForConnect (7),
    // canOverlapSend (8), multipleCalls (10), maintainConnection (11) of the 28
    std::array<bool, kMostAdditions> present{};
    present[0] = m.sourceCallSignalAddress.has_value();
    present[6] = !m.fastStart.empty();
    for (std::size_t i : {2, 7, 8, 10, 11})
        present[i] = true;
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        switch (i) {
        case 0:
            return encode(inner, *m.sourceCallSignalAddress);
        case 2:
            return encodeCallIdentifier(inner, m.callIdentifier);
        case 6:
            return encodeOctetsList(inner, m.fastStart);
        case 7:
            return inner.bit(m.mediaWaitForConnect);
        case 8:
            return inner.bit(m.canOverlapSend);
        case 10:
            return inner.bit(m.multipleCalls);
        default:
            return inner.bit(m.maintainConnection);
        }
    });
}

// QseriesOptions ::= SEQUENCE { seven BOOLEANs, q954Info Q954Details ::= SEQUENCE {
// conferenceCalling, threePartyService BOOLEAN, ... }, ... }: read past.
void skipQseriesOptions(Decoder& d) {
    const bool extended = d.bit();
    (void)d.bits(7);
    const bool detailsExtended = d.bit();
    (void)d.bits(2);
    skipExtensions(d, detailsExtended);
    skipExtensions(d, extended);
}

Setup decodeSetup(Decoder& d) {
    Setup m;
    const bool extended = d.bit();
    const auto present = d.bitmap<7>();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    if (present[0]) {
        Decoder::Field f(d, "h245Address");
        m.h245Address = decodeTransportAddress(d);
    }
    if (present[1]) m.sourceAddress = decodeAliases(d, "sourceAddress");
    {
        Decoder::Field f(d, "sourceInfo");
        m.sourceInfo = decodeEndpointType(d);
    }
    if (present[2]) m.destinationAddress = decodeAliases(d, "destinationAddress");
    if (present[3]) {
        Decoder::Field f(d, "destCallSignalAddress");
        m.destCallSignalAddress = decodeTransportAddress(d);
    }
    if (present[4]) (void)decodeAliases(d, "destExtraCallInfo");
    if (present[5]) // destExtraCRV SEQUENCE OF CallReferenceValue INTEGER (0..65535)
        (void)d.items(per::kUnbounded, 16, [&](std::uint64_t first, std::uint64_t count) {
            for (std::uint64_t i = first; i < first + count && d.ok(); ++i)
                (void)d.integer(0, 65535);
        });
    m.activeMC = d.bit();
    {
        Decoder::Field f(d, "conferenceID");
        m.conferenceID = decodeGuid(d);
    }
    const auto goal = d.choice(3, true);
    if (goal.extension) {
        (void)d.openType();
        if (goal.index > 1) d.fail("conferenceGoal: an alternative unknown to v7");
    }
    m.conferenceGoal = static_cast<Setup::Goal>(goal.extension ? goal.index + 3 : goal.index);
    if (present[6]) skipQseriesOptions(d);
    if (d.choice(4, true).extension) (void)d.openType(); // callType: any is a call to us
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            switch (i) {
            case 0:
                m.sourceCallSignalAddress = decodeTransportAddress(inner);
                return true;
            case 2:
                m.callIdentifier = decodeCallIdentifier(inner);
                return true;
            case 6:
                m.fastStart = decodeOctetsList(inner, "fastStart");
                return true;
            case 7:
                m.mediaWaitForConnect = inner.bit();
                return true;
            case 8:
                m.canOverlapSend = inner.bit();
                return true;
            case 10:
                m.multipleCalls = inner.bit();
                return true;
            case 11:
                m.maintainConnection = inner.bit();
                return true;
            default:
                return false;
            }
        });
    return m;
}

// --- the called side's answers ---

// CallProceeding- and Alerting-UUIE ::= SEQUENCE { protocolIdentifier, destinationInfo,
// h245Address OPTIONAL, ..., … }
void encodeProceedingOrAlerting(Encoder& e, const CalledSide& m, const Layout& layout) {
    e.bit(true);
    e.bit(m.h245Address.has_value());
    e.objectIdentifier(m.protocolIdentifier);
    encode(e, m.destinationInfo);
    if (m.h245Address) encode(e, *m.h245Address);
    encodeAdditions(e, m, layout);
}

template <class Side>
Side decodeProceedingOrAlerting(Decoder& d, const Layout& layout) {
    Side m;
    const bool extended = d.bit();
    const bool hasH245 = d.bit();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    {
        Decoder::Field f(d, "destinationInfo");
        m.destinationInfo = decodeEndpointType(d);
    }
    if (hasH245) {
        Decoder::Field f(d, "h245Address");
        m.h245Address = decodeTransportAddress(d);
    }
    decodeAdditions(d, extended, m, layout);
    return m;
}

// Connect-UUIE ::= SEQUENCE { protocolIdentifier, h245Address OPTIONAL, destinationInfo,
// conferenceID, ..., … }
void encode(Encoder& e, const Connect& m) {
    e.bit(true);
    e.bit(m.h245Address.has_value());
    e.objectIdentifier(m.protocolIdentifier);
    if (m.h245Address) encode(e, *m.h245Address);
    encode(e, m.destinationInfo);
    encodeGuid(e, m.conferenceID);
    encodeAdditions(e, m, kConnect);
}

Connect decodeConnect(Decoder& d) {
    Connect m;
    const bool extended = d.bit();
    const bool hasH245 = d.bit();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    if (hasH245) {
        Decoder::Field f(d, "h245Address");
        m.h245Address = decodeTransportAddress(d);
    }
    {
        Decoder::Field f(d, "destinationInfo");
        m.destinationInfo = decodeEndpointType(d);
    }
    {
        Decoder::Field f(d, "conferenceID");
        m.conferenceID = decodeGuid(d);
    }
    decodeAdditions(d, extended, m, kConnect);
    return m;
}

// Progress-UUIE ::= SEQUENCE { protocolIdentifier, destinationInfo, h245Address OPTIONAL,
// callIdentifier, h245SecurityMode OPTIONAL, tokens OPTIONAL, cryptoTokens OPTIONAL, fastStart
// OPTIONAL, ..., multipleCalls, maintainConnection, fastConnectRefused }
void encode(Encoder& e, const Progress& m) {
    e.bit(true);
    for (bool present : {m.h245Address.has_value(), false, false, false, !m.fastStart.empty()})
        e.bit(present);
    e.objectIdentifier(m.protocolIdentifier);
    encode(e, m.destinationInfo);
    if (m.h245Address) encode(e, *m.h245Address);
    encodeCallIdentifier(e, m.callIdentifier);
    if (!m.fastStart.empty()) encodeOctetsList(e, m.fastStart);
    encodeAdditions(e, m, kProgress);
}

Progress decodeProgress(Decoder& d) {
    Progress m;
    const bool extended = d.bit();
    std::array<bool, 5> present{};
    for (bool& p : present)
        p = d.bit();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    {
        Decoder::Field f(d, "destinationInfo");
        m.destinationInfo = decodeEndpointType(d);
    }
    if (present[0]) {
        Decoder::Field f(d, "h245Address");
        m.h245Address = decodeTransportAddress(d);
    }
    m.callIdentifier = decodeCallIdentifier(d);
    refuseTokens(d, present[1] || present[2] || present[3]);
    if (present[4]) m.fastStart = decodeOctetsList(d, "fastStart");
    decodeAdditions(d, extended, m, kProgress);
    return m;
}

// --- ReleaseComplete, Facility, and the call-only ones ---

// The ReleaseCompleteReason extension alternatives' indexes of ReleaseReason's values from
// facilityCallDeflection on.
constexpr std::array<std::uint8_t, 10> kReleaseExtensions{0, 1, 2, 3, 4, 7, 8, 9, 10, 12};
constexpr std::uint64_t kReleaseRoot = 12;

void encode(Encoder& e, const ReleaseComplete& m) {
    e.bit(true);
    e.bit(m.reason.has_value());
    e.objectIdentifier(m.protocolIdentifier);
    if (m.reason) {
        const auto reason = static_cast<std::uint64_t>(*m.reason);
        if (reason < kReleaseRoot) {
            e.choice(reason, kReleaseRoot, true);
        } else {
            e.choiceExtension(kReleaseExtensions[reason - kReleaseRoot]);
            e.openType([](Encoder&) {});
        }
    }
    std::array<bool, 11> present{};
    present[0] = true; // callIdentifier
    per::writeAdditions(e, present, [&](std::size_t, Encoder& inner) {
        encodeCallIdentifier(inner, m.callIdentifier);
    });
}

ReleaseReason decodeReleaseReason(Decoder& d) {
    Decoder::Field f(d, "reason");
    const auto alt = d.choice(kReleaseRoot, true);
    if (!alt.extension) return static_cast<ReleaseReason>(alt.index);
    (void)d.openType();
    for (std::size_t i = 0; i < kReleaseExtensions.size(); ++i)
        if (kReleaseExtensions[i] == alt.index) return static_cast<ReleaseReason>(kReleaseRoot + i);
    return alt.index == 11 ? ReleaseReason::securityDenied : ReleaseReason::undefinedReason;
}

ReleaseComplete decodeReleaseComplete(Decoder& d) {
    ReleaseComplete m;
    const bool extended = d.bit();
    const bool hasReason = d.bit();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    if (hasReason) m.reason = decodeReleaseReason(d);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i != 0) return false;
            m.callIdentifier = decodeCallIdentifier(inner);
            return true;
        });
    return m;
}

void encode(Encoder& e, const Facility& m) {
    e.bit(true);
    for (bool present : {m.alternativeAddress.has_value(), !m.alternativeAliasAddress.empty(),
                         m.conferenceID.has_value()})
        e.bit(present);
    e.objectIdentifier(m.protocolIdentifier);
    if (m.alternativeAddress) encode(e, *m.alternativeAddress);
    if (!m.alternativeAliasAddress.empty()) encode(e, m.alternativeAliasAddress);
    if (m.conferenceID) encodeGuid(e, *m.conferenceID);
    const auto reason = static_cast<std::uint64_t>(m.reason);
    if (reason < 4) {
        e.choice(reason, 4, true);
    } else {
        e.choiceExtension(reason - 4);
        e.openType([](Encoder&) {});
    }
    encodeAdditions(e, m, kFacility);
}

Facility decodeFacility(Decoder& d) {
    Facility m;
    const bool extended = d.bit();
    std::array<bool, 3> present{};
    for (bool& p : present)
        p = d.bit();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    if (present[0]) {
        Decoder::Field f(d, "alternativeAddress");
        m.alternativeAddress = decodeTransportAddress(d);
    }
    if (present[1]) m.alternativeAliasAddress = decodeAliases(d, "alternativeAliasAddress");
    if (present[2]) {
        Decoder::Field f(d, "conferenceID");
        m.conferenceID = decodeGuid(d);
    }
    const auto reason = d.choice(4, true);
    if (reason.extension) {
        (void)d.openType();
        if (reason.index > 6) d.fail("reason: an alternative unknown to v7");
    }
    m.reason = static_cast<FacilityReason>(reason.extension ? reason.index + 4 : reason.index);
    decodeAdditions(d, extended, m, kFacility);
    return m;
}

// Information-UUIE ::= SEQUENCE { protocolIdentifier, ..., callIdentifier, … (6 additions) }
void encode(Encoder& e, const Information& m) {
    e.bit(true);
    e.objectIdentifier(m.protocolIdentifier);
    std::array<bool, 6> present{};
    present[0] = true;
    per::writeAdditions(e, present, [&](std::size_t, Encoder& inner) {
        encodeCallIdentifier(inner, m.callIdentifier);
    });
}

Information decodeInformation(Decoder& d) {
    Information m;
    const bool extended = d.bit();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i != 0) return false;
            m.callIdentifier = decodeCallIdentifier(inner);
            return true;
        });
    return m;
}

// Status-UUIE, StatusInquiry-UUIE ::= SEQUENCE { protocolIdentifier, callIdentifier, tokens
// OPTIONAL, cryptoTokens OPTIONAL, ... }
void encodeCallOnly(Encoder& e, const CallOnly& m) {
    e.bit(false);
    e.bit(false);
    e.bit(false);
    e.objectIdentifier(m.protocolIdentifier);
    encodeCallIdentifier(e, m.callIdentifier);
}

template <class M>
M decodeCallOnly(Decoder& d) {
    M m;
    const bool extended = d.bit();
    const bool hasTokens = d.bit(), hasCryptoTokens = d.bit();
    m.protocolIdentifier = decodeProtocolIdentifier(d);
    m.callIdentifier = decodeCallIdentifier(d);
    refuseTokens(d, hasTokens || hasCryptoTokens);
    skipExtensions(d, extended);
    return m;
}

// --- H323-UU-PDU ---

// h323-message-body: its 7 root alternatives, then progress, empty, status, statusInquiry as
// extensions 0 to 3.
constexpr std::uint64_t kBodyRoot = 7;

void encodeBody(Encoder& e, const MessageBody& body) {
    const auto index = body.index();
    const auto write = [&](Encoder& out) {
        std::visit(
            [&](const auto& m) {
                using M = std::decay_t<decltype(m)>;
                if constexpr (std::is_same_v<M, CallProceeding>)
                    encodeProceedingOrAlerting(out, m, kCallProceeding);
                else if constexpr (std::is_same_v<M, Alerting>)
                    encodeProceedingOrAlerting(out, m, kAlerting);
                else if constexpr (std::is_same_v<M, Status> || std::is_same_v<M, StatusInquiry>)
                    encodeCallOnly(out, m);
                else if constexpr (!std::is_same_v<M, Empty>)
                    encode(out, m);
            },
            body);
    };
    if (index < kBodyRoot) {
        e.choice(index, kBodyRoot, true);
        return write(e);
    }
    e.choiceExtension(index - kBodyRoot);
    e.openType(write);
}

MessageBody decodeBody(Decoder& d, std::uint64_t index) {
    switch (index) {
    case 0: {
        Decoder::Field f(d, "setup");
        return decodeSetup(d);
    }
    case 1: {
        Decoder::Field f(d, "callProceeding");
        return decodeProceedingOrAlerting<CallProceeding>(d, kCallProceeding);
    }
    case 2: {
        Decoder::Field f(d, "connect");
        return decodeConnect(d);
    }
    case 3: {
        Decoder::Field f(d, "alerting");
        return decodeProceedingOrAlerting<Alerting>(d, kAlerting);
    }
    case 4: {
        Decoder::Field f(d, "information");
        return decodeInformation(d);
    }
    case 5: {
        Decoder::Field f(d, "releaseComplete");
        return decodeReleaseComplete(d);
    }
    case 6: {
        Decoder::Field f(d, "facility");
        return decodeFacility(d);
    }
    case 7: {
        Decoder::Field f(d, "progress");
        return decodeProgress(d);
    }
    case 8:
        return Empty{};
    case 9: {
        Decoder::Field f(d, "status");
        return decodeCallOnly<Status>(d);
    }
    case 10: {
        Decoder::Field f(d, "statusInquiry");
        return decodeCallOnly<StatusInquiry>(d);
    }
    default:
        d.fail("h323-message-body: setupAcknowledge, notify and later ones are not taken");
        return Empty{};
    }
}

// H323-UU-PDU's additions in v7: h4501SupplementaryService, h245Tunneling (1), h245Control (2),
// nonStandardControl, callLinkage, tunnelledSignallingMessage, provisionalRespToH245Tunneling,
// stimulusControl, genericData.
constexpr std::size_t kPduAdditions = 9;

} // namespace

std::vector<std::uint8_t> encode(const UserInformation& information) {
    Encoder e;
    e.bit(false); // H323-UserInformation: no extension additions
    e.bit(false); // user-data
    e.bit(true);  // H323-UU-PDU: h245Tunneling follows among the additions
    e.bit(false); // nonStandardData
    encodeBody(e, information.body);
    std::array<bool, kPduAdditions> present{};
    present[1] = true;
    present[2] = !information.h245Control.empty();
    present[8] = !information.genericData.empty();
    per::writeAdditions(e, present, [&](std::size_t i, Encoder& inner) {
        if (i == 1)
            inner.bit(information.h245Tunnelling);
        else if (i == 2)
            encodeOctetsList(inner, information.h245Control);
        else
            encode(inner, information.genericData);
    });
    return e.finish();
}

Result<UserInformation> decodeUserInformation(std::span<const std::uint8_t> bytes) {
    Decoder d(bytes);
    UserInformation information;
    const bool extended = d.bit();
    const bool hasUserData = d.bit();
    {
        Decoder::Field f(d, "h323-uu-pdu");
        const bool pduExtended = d.bit();
        const bool hasNonStandard = d.bit();
        const auto body = d.choice(kBodyRoot, true);
        if (!body.extension) {
            information.body = decodeBody(d, body.index);
        } else {
            std::vector<std::uint8_t> storage;
            auto inner = d.nested(d.openType(storage));
            if (d.ok()) information.body = decodeBody(inner, kBodyRoot + body.index);
            d.absorb(inner);
        }
        if (hasNonStandard) skipNonStandardParameter(d);
        if (pduExtended)
            per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
                if (i == 1)
                    information.h245Tunnelling = inner.bit();
                else if (i == 2)
                    information.h245Control = decodeOctetsList(inner, "h245Control");
                else if (i == 8)
                    information.genericData = decodeGenericDataList(inner);
                else
                    return false;
                return true;
            });
    }
    if (hasUserData) { // SEQUENCE { protocol-discriminator INTEGER (0..255), user-information
                       // OCTET STRING (SIZE (1..131)), ... }
        Decoder::Field f(d, "user-data");
        const bool userExtended = d.bit();
        (void)d.integer(0, 255);
        (void)d.octetString(1, 131);
        skipExtensions(d, userExtended);
    }
    skipExtensions(d, extended);
    if (auto done = d.finish(); !done) return fail(done.error());
    return information;
}

} // namespace sb::h323::h225
