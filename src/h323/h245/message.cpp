#include "h323/h245/message.hpp"

#include "h323/h245/refusal.hpp"
#include "h323/h245/skip.hpp"
#include "h323/per/additions.hpp"

#include <algorithm>
#include <array>

namespace sb::h323::h245 {
namespace {

using per::Decoder;
using per::Encoder;
using refusal::encode;
using Category = Unknown::Category;

// The root alternatives of MultimediaSystemControlMessage and of each category's CHOICE.
constexpr std::uint64_t kCategories = 4;
constexpr std::array<std::uint64_t, 4> kRootCount{11, 19, 7, 14};

// Where each message we model sits: its category and its index among the root alternatives.
struct Place {
    Category category;
    std::uint64_t index;
};
constexpr Place placeOf(const MasterSlaveDetermination&) {
    return {Category::request, 1};
}
constexpr Place placeOf(const TerminalCapabilitySet&) {
    return {Category::request, 2};
}
constexpr Place placeOf(const OpenLogicalChannel&) {
    return {Category::request, 3};
}
constexpr Place placeOf(const CloseLogicalChannel&) {
    return {Category::request, 4};
}
constexpr Place placeOf(const RequestChannelClose&) {
    return {Category::request, 5};
}
constexpr Place placeOf(const RoundTripDelayRequest&) {
    return {Category::request, 9};
}
constexpr Place placeOf(const MultiplexEntrySend&) {
    return {Category::request, 6};
}
constexpr Place placeOf(const RequestMultiplexEntry&) {
    return {Category::request, 7};
}
constexpr Place placeOf(const RequestMode&) {
    return {Category::request, 8};
}
constexpr Place placeOf(const MaintenanceLoopRequest&) {
    return {Category::request, 10};
}
constexpr Place placeOf(const MultiplexEntrySendReject&) {
    return {Category::response, 11};
}
constexpr Place placeOf(const RequestMultiplexEntryReject&) {
    return {Category::response, 13};
}
constexpr Place placeOf(const RequestModeReject&) {
    return {Category::response, 15};
}
constexpr Place placeOf(const MaintenanceLoopReject&) {
    return {Category::response, 18};
}
constexpr Place placeOf(const MasterSlaveDeterminationAck&) {
    return {Category::response, 1};
}
constexpr Place placeOf(const MasterSlaveDeterminationReject&) {
    return {Category::response, 2};
}
constexpr Place placeOf(const TerminalCapabilitySetAck&) {
    return {Category::response, 3};
}
constexpr Place placeOf(const TerminalCapabilitySetReject&) {
    return {Category::response, 4};
}
constexpr Place placeOf(const OpenLogicalChannelAck&) {
    return {Category::response, 5};
}
constexpr Place placeOf(const OpenLogicalChannelReject&) {
    return {Category::response, 6};
}
constexpr Place placeOf(const CloseLogicalChannelAck&) {
    return {Category::response, 7};
}
constexpr Place placeOf(const RequestChannelCloseAck&) {
    return {Category::response, 8};
}
constexpr Place placeOf(const RequestChannelCloseReject&) {
    return {Category::response, 9};
}
constexpr Place placeOf(const RoundTripDelayResponse&) {
    return {Category::response, 16};
}
constexpr Place placeOf(const EndSessionCommand&) {
    return {Category::command, 5};
}
constexpr Place placeOf(const SendTerminalCapabilitySet&) {
    return {Category::command, 2};
}
constexpr Place placeOf(const FunctionNotUnderstood&) {
    return {Category::indication, 1};
}
constexpr Place placeOf(const UserInputIndication&) {
    return {Category::indication, 13};
}
constexpr Place placeOf(const FunctionNotSupported&) {
    return {Category::indication, 0}; // the index is an addition's (kFunctionNotSupported)
}
// IndicationMessage's additions: h2250MaximumSkewIndication, mcLocationIndication,
// conferenceIndication, vendorIdentification, functionNotSupported, …
constexpr std::uint64_t kFunctionNotSupported = 4;

// What we read, to answer it, but never send (not sendable()): no encoder.
template <class M>
constexpr bool kReadOnly =
    std::is_same_v<M, MultiplexEntrySend> || std::is_same_v<M, RequestMultiplexEntry> ||
    std::is_same_v<M, RequestMode> || std::is_same_v<M, MaintenanceLoopRequest> ||
    std::is_same_v<M, SendTerminalCapabilitySet>;

// A SEQUENCE { number INTEGER (1..65535) or (0..255), ... } with nothing else we send.
void encodeNumberOnly(Encoder& e, std::uint16_t number, std::int64_t lb, std::int64_t ub) {
    e.bit(false);
    e.integer(number, lb, ub);
}

std::int64_t decodeNumberOnly(Decoder& d, const char* name, std::int64_t lb, std::int64_t ub) {
    const bool extended = d.bit();
    std::int64_t n = 0;
    {
        Decoder::Field f(d, name);
        n = d.integer(lb, ub);
    }
    skip::additions(d, extended);
    return n;
}

constexpr std::int64_t kChannelMax = 65535; // LogicalChannelNumber ::= INTEGER (1..65535)

// --- TerminalCapabilitySet ---

// H2250Capability ::= SEQUENCE { maximumAudioDelayJitter INTEGER (0..1023), three
// MultipointCapability, mcCapability SEQUENCE { centralizedConferenceMC,
// decentralizedConferenceMC BOOLEAN, ... }, rtcpVideoControlCapability BOOLEAN,
// mediaPacketizationCapability SEQUENCE { h261aVideoPacketization BOOLEAN, ..., … }, ..., … }
// with MultipointCapability ::= SEQUENCE { multicastCapability, multiUniCastConference
// BOOLEAN, mediaDistributionCapability SEQUENCE OF …, ... }: ours, a point-to-point audio
// endpoint's.
void encodeH2250Capability(Encoder& e) {
    e.bit(false);
    e.integer(60, 0, 1023); // the jitter we absorb, in ms (our jitter buffer's depth)
    for (int i = 0; i < 3; ++i) {
        e.bit(false);
        e.bit(false); // multicastCapability
        e.bit(false); // multiUniCastConference
        e.items(0, [](std::uint64_t, std::uint64_t) {});
    }
    e.bit(false);
    e.bit(false); // centralizedConferenceMC
    e.bit(false); // decentralizedConferenceMC
    e.bit(false); // rtcpVideoControlCapability
    e.bit(false);
    e.bit(false); // h261aVideoPacketization
}

void encode(Encoder& e, const TerminalCapabilitySet& m) {
    e.bit(false);
    e.bit(m.h2250Capability);
    e.bit(!m.table.empty());
    e.bit(!m.descriptors.empty());
    e.integer(m.sequenceNumber, 0, 255);
    e.objectIdentifier(m.protocolIdentifier);
    if (m.h2250Capability) {
        e.choiceExtension(0); // MultiplexCapability: h2250Capability
        e.openType([](Encoder& inner) { encodeH2250Capability(inner); });
    }
    if (!m.table.empty()) {
        e.constrainedLength(m.table.size(), 1, 256);
        for (const auto& entry : m.table) {
            e.bit(entry.capability.has_value());
            e.integer(entry.number, 1, 65535);
            if (entry.capability) encode(e, *entry.capability);
        }
    }
    if (!m.descriptors.empty()) {
        e.constrainedLength(m.descriptors.size(), 1, 256);
        for (const auto& descriptor : m.descriptors) {
            e.bit(!descriptor.simultaneous.empty());
            e.integer(descriptor.number, 0, 255);
            if (descriptor.simultaneous.empty()) continue;
            e.constrainedLength(descriptor.simultaneous.size(), 1, 256);
            for (const auto& alternatives : descriptor.simultaneous) {
                e.constrainedLength(alternatives.size(), 1, 256);
                for (auto number : alternatives)
                    e.integer(number, 1, 65535);
            }
        }
    }
}

TerminalCapabilitySet decodeTerminalCapabilitySet(Decoder& d) {
    TerminalCapabilitySet m;
    const bool extended = d.bit();
    m.h2250Capability = d.bit();
    const bool hasTable = d.bit(), hasDescriptors = d.bit();
    m.sequenceNumber = static_cast<std::uint8_t>(d.integer(0, 255));
    m.protocolIdentifier = d.objectIdentifier();
    if (m.h2250Capability) {
        Decoder::Field f(d, "multiplexCapability");
        const auto alt = d.choice(4, true);
        if (!alt.extension) return d.fail("only H.225.0's (h2250Capability) is taken"), m;
        skip::openType(d); // what the peer can mix and packetize: we need none of it
        m.h2250Capability = alt.index == 0;
    }
    if (hasTable) {
        const auto n = d.constrainedLength(1, 256);
        m.table.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n && d.ok(); ++i) {
            Decoder::Field f(d, "capabilityTable", static_cast<int>(i));
            auto& entry = m.table.emplace_back(); // decoded in place: a Capability is large
            const bool hasCapability = d.bit();
            entry.number = static_cast<std::uint16_t>(d.integer(1, 65535));
            if (hasCapability) decodeCapability(d, entry.capability.emplace());
        }
    }
    if (hasDescriptors) {
        const auto n = d.constrainedLength(1, 256);
        m.descriptors.reserve(static_cast<std::size_t>(n));
        for (std::uint64_t i = 0; i < n && d.ok(); ++i) {
            Decoder::Field f(d, "capabilityDescriptors", static_cast<int>(i));
            auto& descriptor = m.descriptors.emplace_back();
            const bool hasSimultaneous = d.bit();
            descriptor.number = static_cast<std::uint8_t>(d.integer(0, 255));
            const auto sets = hasSimultaneous ? d.constrainedLength(1, 256) : 0;
            descriptor.simultaneous.reserve(static_cast<std::size_t>(sets));
            for (std::uint64_t s = 0; s < sets && d.ok(); ++s) {
                const auto count = d.constrainedLength(1, 256);
                auto& alternatives = descriptor.simultaneous.emplace_back();
                alternatives.reserve(static_cast<std::size_t>(count));
                for (std::uint64_t a = 0; a < count && d.ok(); ++a)
                    alternatives.push_back(static_cast<std::uint16_t>(d.integer(1, 65535)));
            }
        }
    }
    skip::additions(d, extended);
    return m;
}

// --- OpenLogicalChannel ---

void encode(Encoder& e, const H2250Parameters& p) {
    e.bit(false);
    // nonStandard, associatedSessionID, mediaChannel, mediaGuaranteedDelivery,
    // mediaControlChannel, mediaControlGuaranteedDelivery, silenceSuppression, destination,
    // dynamicRTPPayloadType, mediaPacketization
    for (bool present :
         {false, false, p.mediaChannel.has_value(), false, p.mediaControlChannel.has_value(), false,
          p.silenceSuppression.has_value(), false, p.dynamicRTPPayloadType.has_value(), false})
        e.bit(present);
    e.integer(p.sessionID, 0, 255);
    if (p.mediaChannel) encode(e, *p.mediaChannel);
    if (p.mediaControlChannel) encode(e, *p.mediaControlChannel);
    if (p.silenceSuppression) e.bit(*p.silenceSuppression);
    if (p.dynamicRTPPayloadType) e.integer(*p.dynamicRTPPayloadType, 96, 127);
}

H2250Parameters decodeH2250Parameters(Decoder& d) {
    H2250Parameters p;
    const bool extended = d.bit();
    const auto present = d.bitmap<10>();
    if (present[0])
        (void)d.items(per::kUnbounded, 10, [&](std::uint64_t first, std::uint64_t count) {
            for (std::uint64_t i = first; i < first + count && d.ok(); ++i)
                skipNonStandardParameter(d);
        });
    p.sessionID = static_cast<std::uint8_t>(d.integer(0, 255));
    if (present[1]) (void)d.integer(1, 255); // associatedSessionID
    if (present[2]) {
        Decoder::Field f(d, "mediaChannel");
        p.mediaChannel = decodeUnicastAddress(d);
    }
    if (present[3]) (void)d.bit(); // mediaGuaranteedDelivery
    if (present[4]) {
        Decoder::Field f(d, "mediaControlChannel");
        p.mediaControlChannel = decodeUnicastAddress(d);
    }
    if (present[5]) (void)d.bit(); // mediaControlGuaranteedDelivery
    if (present[6]) p.silenceSuppression = d.bit();
    if (present[7]) { // destination TerminalLabel ::= SEQUENCE { mcuNumber, terminalNumber
                      // INTEGER (0..192), ... }
        const bool labelExtended = d.bit();
        (void)d.integer(0, 192);
        (void)d.integer(0, 192);
        skip::additions(d, labelExtended);
    }
    if (present[8]) p.dynamicRTPPayloadType = static_cast<std::uint8_t>(d.integer(96, 127));
    if (present[9]) { // mediaPacketization CHOICE { h261aVideoPacketization NULL, ..., … }
        if (d.choice(1, true).extension) skip::openType(d);
    }
    skip::additions(d, extended);
    return p;
}

void encode(Encoder& e, const OpenLogicalChannel& m) {
    e.bit(false);
    e.bit(m.reverse.has_value());
    e.integer(m.number, 1, kChannelMax);
    e.bit(false); // forwardLogicalChannelParameters: no extension additions
    e.bit(false); // portNumber
    encode(e, m.forward.dataType);
    if (m.forward.h2250) {
        e.choiceExtension(0); // h2250LogicalChannelParameters
        e.openType([&](Encoder& inner) { encode(inner, *m.forward.h2250); });
    } else {
        e.choiceExtension(1); // none
        e.openType([](Encoder&) {});
    }
    if (m.reverse) {
        e.bit(false);
        e.bit(m.reverse->h2250.has_value());
        encode(e, m.reverse->dataType);
        if (m.reverse->h2250) {
            e.choiceExtension(0);
            e.openType([&](Encoder& inner) { encode(inner, *m.reverse->h2250); });
        }
    }
}

// An open type's H2250LogicalChannelParameters, read by a decoder of its own.
H2250Parameters decodeH2250ParametersOpenType(Decoder& d) {
    Decoder::Field f(d, "h2250LogicalChannelParameters");
    std::vector<std::uint8_t> storage;
    auto inner = d.nested(d.openType(storage));
    auto p = decodeH2250Parameters(inner);
    d.absorb(inner);
    return p;
}

OpenLogicalChannel decodeOpenLogicalChannel(Decoder& d) {
    OpenLogicalChannel m;
    const bool extended = d.bit();
    const bool hasReverse = d.bit();
    m.number = static_cast<std::uint16_t>(d.integer(1, kChannelMax));
    {
        Decoder::Field f(d, "forwardLogicalChannelParameters");
        const bool forwardExtended = d.bit();
        if (d.bit()) (void)d.integer(0, 65535); // portNumber
        {
            Decoder::Field g(d, "dataType");
            decodeDataType(d, m.forward.dataType);
        }
        const auto mux = d.choice(3, true);
        if (!mux.extension) return d.fail("only H.225.0's multiplexParameters are taken"), m;
        if (mux.index == 0)
            m.forward.h2250 = decodeH2250ParametersOpenType(d);
        else
            skip::openType(d); // none, or one unknown to v15
        skip::additions(d, forwardExtended);
    }
    if (hasReverse) {
        Decoder::Field f(d, "reverseLogicalChannelParameters");
        auto& reverse = m.reverse.emplace(); // in place: a DataType is large
        const bool reverseExtended = d.bit();
        const bool hasMux = d.bit();
        {
            Decoder::Field g(d, "dataType");
            decodeDataType(d, reverse.dataType);
        }
        if (hasMux) {
            const auto mux = d.choice(2, true);
            if (!mux.extension) return d.fail("only H.225.0's multiplexParameters are taken"), m;
            if (mux.index == 0)
                reverse.h2250 = decodeH2250ParametersOpenType(d);
            else
                skip::openType(d);
        }
        skip::additions(d, reverseExtended);
    }
    skip::additions(d, extended);
    return m;
}

void encode(Encoder& e, const H2250AckParameters& p) {
    e.bit(true); // its one mandatory addition, flowControlToZero, follows
    for (bool present : {false, p.sessionID.has_value(), p.mediaChannel.has_value(),
                         p.mediaControlChannel.has_value(), p.dynamicRTPPayloadType.has_value()})
        e.bit(present); // nonStandard, sessionID, mediaChannel, mediaControlChannel, payload type
    if (p.sessionID) e.integer(*p.sessionID, 1, 255);
    if (p.mediaChannel) encode(e, *p.mediaChannel);
    if (p.mediaControlChannel) encode(e, *p.mediaControlChannel);
    if (p.dynamicRTPPayloadType) e.integer(*p.dynamicRTPPayloadType, 96, 127);
    // flowControlToZero BOOLEAN, portNumber OPTIONAL
    constexpr std::array<bool, 2> kAdditions{true, false};
    per::writeAdditions(e, kAdditions, [](std::size_t, Encoder& inner) { inner.bit(false); });
}

H2250AckParameters decodeH2250AckParameters(Decoder& d) {
    H2250AckParameters p;
    const bool extended = d.bit();
    const auto present = d.bitmap<5>();
    if (present[0])
        (void)d.items(per::kUnbounded, 10, [&](std::uint64_t first, std::uint64_t count) {
            for (std::uint64_t i = first; i < first + count && d.ok(); ++i)
                skipNonStandardParameter(d);
        });
    if (present[1]) p.sessionID = static_cast<std::uint8_t>(d.integer(1, 255));
    if (present[2]) {
        Decoder::Field f(d, "mediaChannel");
        p.mediaChannel = decodeUnicastAddress(d);
    }
    if (present[3]) {
        Decoder::Field f(d, "mediaControlChannel");
        p.mediaControlChannel = decodeUnicastAddress(d);
    }
    if (present[4]) p.dynamicRTPPayloadType = static_cast<std::uint8_t>(d.integer(96, 127));
    skip::additions(d, extended);
    return p;
}

void encode(Encoder& e, const OpenLogicalChannelAck& m) {
    const std::array<bool, 4> additions{false, m.ack.has_value(), false, false};
    e.bit(per::anyPresent(additions));
    e.bit(false); // reverseLogicalChannelParameters: ours are unidirectional
    e.integer(m.number, 1, kChannelMax);
    if (!m.ack) return;
    // separateStack, forwardMultiplexAckParameters, encryptionSync, genericInformation
    per::writeAdditions(e, additions, [&](std::size_t, Encoder& inner) {
        inner.choice(0, 1, true); // h2250LogicalChannelAckParameters
        encode(inner, *m.ack);
    });
}

OpenLogicalChannelAck decodeOpenLogicalChannelAck(Decoder& d) {
    OpenLogicalChannelAck m;
    const bool extended = d.bit();
    const bool hasReverse = d.bit();
    m.number = static_cast<std::uint16_t>(d.integer(1, kChannelMax));
    if (hasReverse) {
        Decoder::Field f(d, "reverseLogicalChannelParameters");
        const bool reverseExtended = d.bit();
        const bool hasPort = d.bit(), hasMux = d.bit();
        (void)d.integer(1, kChannelMax);
        if (hasPort) (void)d.integer(0, 65535);
        if (hasMux) {
            const auto mux = d.choice(1, true);
            if (!mux.extension) return d.fail("only H.225.0's multiplexParameters are taken"), m;
            skip::openType(d);
        }
        skip::additions(d, reverseExtended);
    }
    if (extended)
        per::readAdditions(d, [&](std::size_t i, Decoder& inner) {
            if (i != 1) return false;
            Decoder::Field f(inner, "forwardMultiplexAckParameters");
            const auto alt = inner.choice(1, true);
            if (alt.extension) return false;
            m.ack = decodeH2250AckParameters(inner);
            return true;
        });
    return m;
}

// --- the others ---

void encode(Encoder& e, const MasterSlaveDetermination& m) {
    e.bit(false);
    e.integer(m.terminalType, 0, 255);
    e.integer(m.statusDeterminationNumber, 0, 16777215);
}

void encode(Encoder& e, const CloseLogicalChannel& m) {
    e.bit(false);
    e.integer(m.number, 1, kChannelMax);
    e.choice(m.byUser ? 0 : 1, 2, false);
}

void encode(Encoder& e, const MasterSlaveDeterminationAck& m) {
    e.bit(false);
    e.choice(m.master ? 0 : 1, 2, false);
}

void encode(Encoder& e, const MasterSlaveDeterminationReject&) {
    e.bit(false);
    e.choice(0, 1, true); // identicalNumbers
}

void encode(Encoder& e, const TerminalCapabilitySetReject& m) {
    e.bit(false);
    e.integer(m.sequenceNumber, 0, 255);
    e.choice(static_cast<std::uint64_t>(m.cause), 4, true);
    if (m.cause != TerminalCapabilitySetReject::Cause::tableEntryCapacityExceeded) return;
    e.choice(m.highestEntryNumberProcessed ? 0 : 1, 2, false);
    if (m.highestEntryNumberProcessed) e.integer(*m.highestEntryNumberProcessed, 1, 65535);
}

void encode(Encoder& e, const OpenLogicalChannelReject& m) {
    e.bit(false);
    e.integer(m.number, 1, kChannelMax);
    const auto cause = static_cast<std::uint64_t>(m.cause);
    constexpr std::uint64_t kRoot = 6;
    if (cause < kRoot) return e.choice(cause, kRoot, true);
    e.choiceExtension(cause - kRoot);
    e.openType([](Encoder&) {}); // NULL
}

void encode(Encoder& e, const RequestChannelCloseReject& m) {
    e.bit(false);
    e.integer(m.number, 1, kChannelMax);
    e.choice(0, 1, true); // unspecified
}

void encode(Encoder& e, const EndSessionCommand&) {
    e.choice(1, 3, true); // disconnect
}

const per::Alphabet kSignalChars{"!#*0123456789ABCD"};

void encode(Encoder& e, const UserInputIndication& m) {
    if (m.kind == UserInputIndication::Kind::alphanumeric) {
        e.choice(1, 2, true);
        // GeneralString, a character string without a known multiplier: its length in octets
        // and the octets (X.691 §31.4 … §31.6), the way an unbounded OCTET STRING goes.
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(m.alphanumeric.data());
        return e.octetString({bytes, m.alphanumeric.size()}, 0, per::kUnbounded);
    }
    e.choiceExtension(1); // signal
    e.openType([&](Encoder& inner) {
        inner.bit(false);
        inner.bit(m.duration.has_value());
        inner.bit(false); // rtp
        inner.characterString({&m.signal, 1}, kSignalChars, 1, 1);
        if (m.duration) inner.integer(*m.duration, 1, 65535);
    });
}

UserInputIndication decodeUserInput(Decoder& d) {
    UserInputIndication m;
    m.kind = UserInputIndication::Kind::other;
    const auto alt = d.choice(2, true);
    if (!alt.extension) {
        if (alt.index == 0) {
            skipNonStandardParameter(d);
            return m;
        }
        Decoder::Field f(d, "alphanumeric");
        const auto text = d.octetString(0, per::kUnbounded);
        m.kind = UserInputIndication::Kind::alphanumeric;
        m.alphanumeric.assign(text.begin(), text.end());
        return m;
    }
    std::vector<std::uint8_t> storage;
    const auto value = d.openType(storage);
    if (alt.index != 1) return m;
    Decoder::Field f(d, "signal");
    auto inner = d.nested(value);
    const bool extended = inner.bit();
    const bool hasDuration = inner.bit(), hasRtp = inner.bit();
    const auto signal = inner.characterString(kSignalChars, 1, 1);
    m.kind = UserInputIndication::Kind::signal;
    m.signal = signal.empty() ? '0' : signal[0];
    if (hasDuration) m.duration = static_cast<std::uint16_t>(inner.integer(1, 65535));
    if (hasRtp) { // rtp SEQUENCE { timestamp, expirationTime OPTIONAL, logicalChannelNumber,
                  // ... }
        const bool rtpExtended = inner.bit();
        const bool hasTimestamp = inner.bit(), hasExpiration = inner.bit();
        if (hasTimestamp) (void)inner.integer(0, 4294967295);
        if (hasExpiration) (void)inner.integer(0, 4294967295);
        (void)inner.integer(1, kChannelMax);
        skip::additions(inner, rtpExtended);
    }
    skip::additions(inner, extended);
    d.absorb(inner);
    return m;
}

// --- the message's frame ---

void encode(Encoder& e, const TerminalCapabilitySetAck& m) {
    encodeNumberOnly(e, m.sequenceNumber, 0, 255);
}
void encode(Encoder& e, const RoundTripDelayRequest& m) {
    encodeNumberOnly(e, m.sequenceNumber, 0, 255);
}
void encode(Encoder& e, const RoundTripDelayResponse& m) {
    encodeNumberOnly(e, m.sequenceNumber, 0, 255);
}
void encode(Encoder& e, const RequestChannelClose& m) {
    encodeNumberOnly(e, m.number, 1, kChannelMax);
}
void encode(Encoder& e, const CloseLogicalChannelAck& m) {
    encodeNumberOnly(e, m.number, 1, kChannelMax);
}
void encode(Encoder& e, const RequestChannelCloseAck& m) {
    encodeNumberOnly(e, m.number, 1, kChannelMax);
}

Category categoryOf(const Message& message) {
    return std::visit(
        [](const auto& m) {
            if constexpr (std::is_same_v<std::decay_t<decltype(m)>, Unknown>)
                return m.category;
            else
                return placeOf(m).category;
        },
        message);
}

// The message within its category's CHOICE: the alternative, then the value.
void encodeInCategory(Encoder& e, const Message& message);

void encode(Encoder& e, const FunctionNotUnderstood& m) {
    // FunctionNotUnderstood ::= CHOICE { request, response, command }: the message sent back,
    // framed as it came less MultimediaSystemControlMessage's CHOICE.
    e.choice(static_cast<std::uint64_t>(categoryOf(*m.what())), 3, false);
    encodeInCategory(e, *m.what());
}

void encodeInCategory(Encoder& e, const Message& message) {
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, Unknown>) {
                e.choiceExtension(m.index);
                e.openTypeOctets(m.value);
            } else if constexpr (std::is_same_v<M, FunctionNotSupported>) {
                e.choiceExtension(kFunctionNotSupported);
                e.openType([&](Encoder& inner) { encode(inner, m); });
            } else if constexpr (!kReadOnly<M>) {
                const auto place = placeOf(m);
                e.choice(place.index, kRootCount[static_cast<std::size_t>(place.category)], true);
                encode(e, m);
            }
        },
        message);
}

// Reads the message within its category's CHOICE. A root alternative we do not model is
// Unknown, read no further (`whole` is then false: its octets are not accounted for).
Message decodeInCategory(Decoder& d, Category category, bool& whole) {
    const auto cat = static_cast<std::size_t>(category);
    static constexpr std::array<const char*, 4> kNames{"request", "response", "command",
                                                       "indication"};
    Decoder::Field f(d, kNames[cat]);
    const auto alt = d.choice(kRootCount[cat], true);
    if (alt.extension && category == Category::indication && alt.index == kFunctionNotSupported) {
        Decoder::Field g(d, "functionNotSupported");
        std::vector<std::uint8_t> storage;
        auto inner = d.nested(d.openType(storage));
        auto m = refusal::decodeFunctionNotSupported(inner);
        d.absorb(inner);
        return m;
    }
    if (alt.extension) {
        Unknown u{category, true, alt.index, d.openType()};
        return u;
    }
    switch (category) {
    case Category::request:
        switch (alt.index) {
        case 1: {
            Decoder::Field g(d, "masterSlaveDetermination");
            MasterSlaveDetermination m;
            const bool extended = d.bit();
            m.terminalType = static_cast<std::uint8_t>(d.integer(0, 255));
            m.statusDeterminationNumber = static_cast<std::uint32_t>(d.integer(0, 16777215));
            skip::additions(d, extended);
            return m;
        }
        case 2: {
            Decoder::Field g(d, "terminalCapabilitySet");
            return decodeTerminalCapabilitySet(d);
        }
        case 3: {
            Decoder::Field g(d, "openLogicalChannel");
            return decodeOpenLogicalChannel(d);
        }
        case 4: {
            Decoder::Field g(d, "closeLogicalChannel");
            CloseLogicalChannel m;
            const bool extended = d.bit();
            m.number = static_cast<std::uint16_t>(d.integer(1, kChannelMax));
            m.byUser = d.choice(2, false).index == 0;
            skip::additions(d, extended);
            return m;
        }
        case 5:
            return RequestChannelClose{static_cast<std::uint16_t>(
                decodeNumberOnly(d, "requestChannelClose", 1, kChannelMax))};
        case 6: {
            Decoder::Field g(d, "multiplexEntrySend");
            return refusal::decodeMultiplexEntrySend(d);
        }
        case 7: {
            Decoder::Field g(d, "requestMultiplexEntry");
            return refusal::decodeRequestMultiplexEntry(d);
        }
        case 8: {
            Decoder::Field g(d, "requestMode");
            whole = false; // the modes are not read
            return refusal::decodeRequestMode(d);
        }
        case 10: {
            Decoder::Field g(d, "maintenanceLoopRequest");
            if (auto m = refusal::decodeMaintenanceLoopRequest(d)) return *m;
            return Unknown{category, false, alt.index, {}};
        }
        case 9:
            return RoundTripDelayRequest{
                static_cast<std::uint8_t>(decodeNumberOnly(d, "roundTripDelayRequest", 0, 255))};
        default:
            break;
        }
        break;
    case Category::response:
        switch (alt.index) {
        case 1: {
            Decoder::Field g(d, "masterSlaveDeterminationAck");
            const bool extended = d.bit();
            MasterSlaveDeterminationAck m{d.choice(2, false).index == 0};
            skip::additions(d, extended);
            return m;
        }
        case 2: {
            Decoder::Field g(d, "masterSlaveDeterminationReject");
            const bool extended = d.bit();
            if (d.choice(1, true).extension) skip::openType(d);
            skip::additions(d, extended);
            return MasterSlaveDeterminationReject{};
        }
        case 3:
            return TerminalCapabilitySetAck{
                static_cast<std::uint8_t>(decodeNumberOnly(d, "terminalCapabilitySetAck", 0, 255))};
        case 4: {
            Decoder::Field g(d, "terminalCapabilitySetReject");
            TerminalCapabilitySetReject m;
            const bool extended = d.bit();
            m.sequenceNumber = static_cast<std::uint8_t>(d.integer(0, 255));
            const auto cause = d.choice(4, true);
            if (cause.extension) {
                skip::openType(d);
            } else {
                m.cause = static_cast<TerminalCapabilitySetReject::Cause>(cause.index);
                if (cause.index == 3 && d.choice(2, false).index == 0)
                    m.highestEntryNumberProcessed = static_cast<std::uint16_t>(d.integer(1, 65535));
            }
            skip::additions(d, extended);
            return m;
        }
        case 5: {
            Decoder::Field g(d, "openLogicalChannelAck");
            return decodeOpenLogicalChannelAck(d);
        }
        case 6: {
            Decoder::Field g(d, "openLogicalChannelReject");
            OpenLogicalChannelReject m;
            const bool extended = d.bit();
            m.number = static_cast<std::uint16_t>(d.integer(1, kChannelMax));
            const auto cause = d.choice(6, true);
            if (cause.extension) skip::openType(d);
            const auto index = cause.extension ? cause.index + 6 : cause.index;
            m.cause =
                static_cast<OpenLogicalChannelReject::Cause>(std::min<std::uint64_t>(index, 15));
            skip::additions(d, extended);
            return m;
        }
        case 7:
            return CloseLogicalChannelAck{static_cast<std::uint16_t>(
                decodeNumberOnly(d, "closeLogicalChannelAck", 1, kChannelMax))};
        case 8:
            return RequestChannelCloseAck{static_cast<std::uint16_t>(
                decodeNumberOnly(d, "requestChannelCloseAck", 1, kChannelMax))};
        case 9: {
            Decoder::Field g(d, "requestChannelCloseReject");
            const bool extended = d.bit();
            RequestChannelCloseReject m{static_cast<std::uint16_t>(d.integer(1, kChannelMax))};
            if (d.choice(1, true).extension) skip::openType(d);
            skip::additions(d, extended);
            return m;
        }
        case 11: {
            Decoder::Field g(d, "multiplexEntrySendReject");
            return refusal::decodeMultiplexEntrySendReject(d);
        }
        case 13: {
            Decoder::Field g(d, "requestMultiplexEntryReject");
            return refusal::decodeRequestMultiplexEntryReject(d);
        }
        case 15: {
            Decoder::Field g(d, "requestModeReject");
            return refusal::decodeRequestModeReject(d);
        }
        case 16:
            return RoundTripDelayResponse{
                static_cast<std::uint8_t>(decodeNumberOnly(d, "roundTripDelayResponse", 0, 255))};
        case 18: {
            Decoder::Field g(d, "maintenanceLoopReject");
            return refusal::decodeMaintenanceLoopReject(d);
        }
        default:
            break;
        }
        break;
    case Category::command:
        if (alt.index == 2) {
            Decoder::Field g(d, "sendTerminalCapabilitySet");
            return refusal::decodeSendTerminalCapabilitySet(d);
        }
        if (alt.index == 5) { // any EndSessionCommand ends the session
            Decoder::Field g(d, "endSessionCommand");
            const auto end = d.choice(3, true);
            if (!end.extension && end.index == 0)
                skipNonStandardParameter(d);
            else if (end.extension || (end.index == 2 && d.choice(5, true).extension))
                skip::openType(d); // an addition, or gstnOptions' extension
            return EndSessionCommand{};
        }
        break;
    case Category::indication:
        if (alt.index == 1) {
            Decoder::Field g(d, "functionNotUnderstood");
            const auto what = d.choice(3, false);
            return FunctionNotUnderstood(
                decodeInCategory(d, static_cast<Category>(what.index), whole));
        }
        if (alt.index == 13) {
            Decoder::Field g(d, "userInput");
            return decodeUserInput(d);
        }
        break;
    }
    whole = false;
    return Unknown{category, false, alt.index, {}};
}

} // namespace

bool FunctionNotUnderstood::operator==(const FunctionNotUnderstood& other) const {
    if (!what_ || !other.what_) return what_ == other.what_;
    return *what_ == *other.what_;
}

bool sendable(const Message& message) {
    const auto known = [](const DataType& t) { return t.kind != DataType::Kind::other; };
    return std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, Unknown>) {
                return m.extension;
            } else if constexpr (kReadOnly<M>) {
                return false;
            } else if constexpr (std::is_same_v<M, FunctionNotUnderstood>) {
                return m.what() != nullptr && sendable(*m.what());
            } else if constexpr (std::is_same_v<M, TerminalCapabilitySet>) {
                return std::all_of(m.table.begin(), m.table.end(), [](const auto& entry) {
                    return !entry.capability || entry.capability->kind != Capability::Kind::other;
                });
            } else if constexpr (std::is_same_v<M, OpenLogicalChannel>) {
                return known(m.forward.dataType) && (!m.reverse || known(m.reverse->dataType));
            } else if constexpr (std::is_same_v<M, UserInputIndication>) {
                return m.kind != UserInputIndication::Kind::other;
            } else {
                return true;
            }
        },
        message);
}

std::vector<std::uint8_t> encode(const Message& message) {
    if (!sendable(message)) return {};
    Encoder e;
    e.choice(static_cast<std::uint64_t>(categoryOf(message)), kCategories, true);
    encodeInCategory(e, message);
    return e.finish();
}

Result<Message> decode(std::span<const std::uint8_t> bytes) {
    Decoder d(bytes);
    const auto category = d.choice(kCategories, true);
    if (category.extension) d.fail("an extension of MultimediaSystemControlMessage unknown to v15");
    if (!d.ok()) return fail(d.finish().error());
    bool whole = true;
    auto message = decodeInCategory(d, static_cast<Category>(category.index), whole);
    if (!d.ok() || whole)
        if (auto done = d.finish(); !done) return fail(done.error());
    return message;
}

std::vector<std::uint8_t> encodeFastStart(const OpenLogicalChannel& channel) {
    Encoder e;
    encode(e, channel);
    return e.finish();
}

Result<OpenLogicalChannel> decodeFastStart(std::span<const std::uint8_t> bytes) {
    Decoder d(bytes);
    Decoder::Field f(d, "fastStart");
    auto channel = decodeOpenLogicalChannel(d);
    if (auto done = d.finish(); !done) return fail(done.error());
    return channel;
}

} // namespace sb::h323::h245
