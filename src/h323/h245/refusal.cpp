#include "h323/h245/refusal.hpp"

#include "h323/h245/skip.hpp"

namespace sb::h323::h245::refusal {
namespace {

using per::Decoder;
using per::Encoder;

constexpr std::int64_t kChannelMax = 65535; // LogicalChannelNumber ::= INTEGER (1..65535)
constexpr std::int64_t kEntryMax = 15;      // MultiplexTableEntryNumber ::= INTEGER (1..15)
// H223Capability's maximumNestingDepth is at most 15: a deeper element list is refused rather
// than followed.
constexpr int kMostNesting = 15;

// SET SIZE (1..15) OF MultiplexTableEntryNumber
void encodeEntries(Encoder& e, const std::vector<std::uint8_t>& entries) {
    e.constrainedLength(entries.size(), 1, kEntryMax);
    for (const auto entry : entries)
        e.integer(entry, 1, kEntryMax);
}
std::vector<std::uint8_t> decodeEntries(Decoder& d) {
    const auto n = d.constrainedLength(1, kEntryMax);
    std::vector<std::uint8_t> entries;
    for (std::uint64_t i = 0; i < n && d.ok(); ++i)
        entries.push_back(static_cast<std::uint8_t>(d.integer(1, kEntryMax)));
    return entries;
}

// SET SIZE (1..15) OF SEQUENCE { multiplexTableEntryNumber, cause CHOICE { unspecifiedCause
// NULL, … (`causes` in the root), ... }, ... }, each unspecifiedCause.
void encodeRejections(Encoder& e, const std::vector<std::uint8_t>& entries, std::uint64_t causes) {
    e.constrainedLength(entries.size(), 1, kEntryMax);
    for (const auto entry : entries) {
        e.bit(false);
        e.integer(entry, 1, kEntryMax);
        e.choice(0, causes, true);
    }
}
std::vector<std::uint8_t> decodeRejections(Decoder& d, std::uint64_t causes) {
    const auto n = d.constrainedLength(1, kEntryMax);
    std::vector<std::uint8_t> entries;
    for (std::uint64_t i = 0; i < n && d.ok(); ++i) {
        Decoder::Field f(d, "rejectionDescriptions", static_cast<int>(i));
        const bool extended = d.bit();
        entries.push_back(static_cast<std::uint8_t>(d.integer(1, kEntryMax)));
        if (d.choice(causes, true).extension) skip::openType(d);
        skip::additions(d, extended);
    }
    return entries;
}

// MultiplexElement ::= SEQUENCE { type CHOICE { logicalChannelNumber INTEGER (0..65535),
// subElementList SEQUENCE SIZE (2..255) OF MultiplexElement }, repeatCount CHOICE { finite
// INTEGER (1..65535), untilClosingFlag NULL } }, neither extensible.
void skipMultiplexElement(Decoder& d, int depth) {
    if (depth > kMostNesting) return d.fail("multiplex elements nested deeper than 15");
    if (d.choice(2, false).index == 0) {
        (void)d.integer(0, 65535);
    } else {
        const auto n = d.constrainedLength(2, 255);
        for (std::uint64_t i = 0; i < n && d.ok(); ++i)
            skipMultiplexElement(d, depth + 1);
    }
    if (d.choice(2, false).index == 0) (void)d.integer(1, 65535);
}

// The type CHOICE { systemLoop NULL, mediaLoop LogicalChannelNumber, logicalChannelLoop
// LogicalChannelNumber, ... }; nullopt for an addition (read past).
std::optional<MaintenanceLoop> decodeLoop(Decoder& d) {
    Decoder::Field f(d, "type");
    const auto type = d.choice(3, true);
    if (type.extension) {
        skip::openType(d);
        return std::nullopt;
    }
    MaintenanceLoop loop;
    loop.kind = static_cast<MaintenanceLoop::Kind>(type.index);
    if (loop.kind != MaintenanceLoop::Kind::system)
        loop.channel = static_cast<std::uint16_t>(d.integer(1, kChannelMax));
    return loop;
}
void encodeLoop(Encoder& e, const MaintenanceLoop& loop) {
    e.choice(static_cast<std::uint64_t>(loop.kind), 3, true);
    if (loop.kind != MaintenanceLoop::Kind::system) e.integer(loop.channel, 1, kChannelMax);
}

} // namespace

MultiplexEntrySend decodeMultiplexEntrySend(Decoder& d) {
    MultiplexEntrySend m;
    const bool extended = d.bit();
    m.sequenceNumber = static_cast<std::uint8_t>(d.integer(0, 255));
    const auto n = d.constrainedLength(1, kEntryMax);
    for (std::uint64_t i = 0; i < n && d.ok(); ++i) {
        // MultiplexEntryDescriptor ::= SEQUENCE { multiplexTableEntryNumber, elementList
        // SEQUENCE SIZE (1..256) OF MultiplexElement OPTIONAL }, not extensible
        Decoder::Field f(d, "multiplexEntryDescriptors", static_cast<int>(i));
        const bool hasElements = d.bit();
        m.entries.push_back(static_cast<std::uint8_t>(d.integer(1, kEntryMax)));
        const auto elements = hasElements ? d.constrainedLength(1, 256) : 0;
        for (std::uint64_t k = 0; k < elements && d.ok(); ++k)
            skipMultiplexElement(d, 1);
    }
    skip::additions(d, extended);
    return m;
}

RequestMultiplexEntry decodeRequestMultiplexEntry(Decoder& d) {
    const bool extended = d.bit();
    RequestMultiplexEntry m{decodeEntries(d)};
    skip::additions(d, extended);
    return m;
}

RequestMode decodeRequestMode(Decoder& d) {
    (void)d.bit();
    return RequestMode{static_cast<std::uint8_t>(d.integer(0, 255))};
}

std::optional<MaintenanceLoopRequest> decodeMaintenanceLoopRequest(Decoder& d) {
    const bool extended = d.bit();
    auto loop = decodeLoop(d);
    skip::additions(d, extended);
    if (!loop) return std::nullopt;
    return MaintenanceLoopRequest{*loop};
}

SendTerminalCapabilitySet decodeSendTerminalCapabilitySet(Decoder& d) {
    const auto alt = d.choice(2, true);
    if (alt.extension) {
        skip::openType(d);
    } else if (alt.index == 0) {
        // specificRequest SEQUENCE { multiplexCapability BOOLEAN, capabilityTableEntryNumbers
        // SET SIZE (1..65535) OF CapabilityTableEntryNumber OPTIONAL,
        // capabilityDescriptorNumbers SET SIZE (1..256) OF CapabilityDescriptorNumber
        // OPTIONAL, ... }: we send the whole set whatever it names.
        Decoder::Field f(d, "specificRequest");
        const bool extended = d.bit();
        const auto present = d.bitmap<2>();
        (void)d.bit();
        if (present[0]) {
            const auto n = d.constrainedLength(1, 65535);
            for (std::uint64_t i = 0; i < n && d.ok(); ++i)
                (void)d.integer(1, 65535);
        }
        if (present[1]) {
            const auto n = d.constrainedLength(1, 256);
            for (std::uint64_t i = 0; i < n && d.ok(); ++i)
                (void)d.integer(0, 255);
        }
        skip::additions(d, extended);
    }
    return {};
}

void encode(Encoder& e, const MultiplexEntrySendReject& m) {
    e.bit(false);
    e.integer(m.sequenceNumber, 0, 255);
    encodeRejections(e, m.entries, 2);
}

MultiplexEntrySendReject decodeMultiplexEntrySendReject(Decoder& d) {
    MultiplexEntrySendReject m;
    const bool extended = d.bit();
    m.sequenceNumber = static_cast<std::uint8_t>(d.integer(0, 255));
    m.entries = decodeRejections(d, 2);
    skip::additions(d, extended);
    return m;
}

void encode(Encoder& e, const RequestMultiplexEntryReject& m) {
    e.bit(false);
    encodeEntries(e, m.entries);
    encodeRejections(e, m.entries, 1);
}

RequestMultiplexEntryReject decodeRequestMultiplexEntryReject(Decoder& d) {
    const bool extended = d.bit();
    RequestMultiplexEntryReject m{decodeEntries(d)};
    (void)decodeRejections(d, 1);
    skip::additions(d, extended);
    return m;
}

void encode(Encoder& e, const RequestModeReject& m) {
    e.bit(false);
    e.integer(m.sequenceNumber, 0, 255);
    e.choice(0, 3, true); // modeUnavailable
}

RequestModeReject decodeRequestModeReject(Decoder& d) {
    const bool extended = d.bit();
    RequestModeReject m{static_cast<std::uint8_t>(d.integer(0, 255))};
    if (d.choice(3, true).extension) skip::openType(d);
    skip::additions(d, extended);
    return m;
}

void encode(Encoder& e, const MaintenanceLoopReject& m) {
    e.bit(false);
    encodeLoop(e, m.loop);
    e.choice(0, 1, true); // canNotPerformLoop
}

MaintenanceLoopReject decodeMaintenanceLoopReject(Decoder& d) {
    const bool extended = d.bit();
    MaintenanceLoopReject m{decodeLoop(d).value_or(MaintenanceLoop{})};
    if (d.choice(1, true).extension) skip::openType(d);
    skip::additions(d, extended);
    return m;
}

void encode(Encoder& e, const FunctionNotSupported& m) {
    e.bit(false);
    e.bit(!m.returnedFunction.empty());
    e.choice(static_cast<std::uint64_t>(m.cause), 3, true);
    if (!m.returnedFunction.empty()) e.octetString(m.returnedFunction, 0, per::kUnbounded);
}

FunctionNotSupported decodeFunctionNotSupported(Decoder& d) {
    FunctionNotSupported m;
    const bool extended = d.bit();
    const bool returned = d.bit();
    const auto cause = d.choice(3, true);
    if (cause.extension) skip::openType(d);
    m.cause = cause.extension ? FunctionNotSupported::Cause::unknownFunction
                              : static_cast<FunctionNotSupported::Cause>(cause.index);
    if (returned) {
        Decoder::Field f(d, "returnedFunction");
        m.returnedFunction = d.octetString(0, per::kUnbounded);
    }
    skip::additions(d, extended);
    return m;
}

} // namespace sb::h323::h245::refusal
