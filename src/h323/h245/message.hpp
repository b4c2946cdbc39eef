#pragma once
// H.245 (v15) MultimediaSystemControlMessage ::= CHOICE { request, response, command,
// indication, ... }: the messages an H.323 audio call uses, with their aligned PER. A message
// whose alternative we do not model decodes to Unknown, with what the endpoint needs to answer
// it as H.245 says (FunctionNotUnderstood for a request or command, nothing for an indication).

#include "core/result.hpp"
#include "h323/h245/capability.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace sb::h323::h245 {

// --- requests ---

// MasterSlaveDetermination ::= SEQUENCE { terminalType INTEGER (0..255),
// statusDeterminationNumber INTEGER (0..16777215), ... } (§B.1.1)
struct MasterSlaveDetermination {
    std::uint8_t terminalType = 50; // H.323 Table 1: a terminal 50, a gateway 60, an MC 190…
    std::uint32_t statusDeterminationNumber = 0;
    bool operator==(const MasterSlaveDetermination&) const = default;
};

// CapabilityTableEntry ::= SEQUENCE { capabilityTableEntryNumber INTEGER (1..65535),
// capability Capability OPTIONAL }
struct CapabilityTableEntry {
    std::uint16_t number = 1;
    std::optional<Capability> capability;
    bool operator==(const CapabilityTableEntry&) const = default;
};
// CapabilityDescriptor ::= SEQUENCE { capabilityDescriptorNumber INTEGER (0..255),
// simultaneousCapabilities SET SIZE (1..256) OF AlternativeCapabilitySet OPTIONAL }, each
// AlternativeCapabilitySet a SEQUENCE SIZE (1..256) OF CapabilityTableEntryNumber.
struct CapabilityDescriptor {
    std::uint8_t number = 0;
    std::vector<std::vector<std::uint16_t>> simultaneous; // empty: absent
    bool operator==(const CapabilityDescriptor&) const = default;
};
// TerminalCapabilitySet ::= SEQUENCE { sequenceNumber INTEGER (0..255), protocolIdentifier,
// multiplexCapability OPTIONAL, capabilityTable SET SIZE (1..256) OF CapabilityTableEntry
// OPTIONAL, capabilityDescriptors SET SIZE (1..256) OF CapabilityDescriptor OPTIONAL, ..., … }.
// Ours carries an h2250Capability as multiplexCapability. Without table and descriptors it is
// the empty capability set, which puts the call on hold (H.323 §8.4.6).
struct TerminalCapabilitySet {
    std::uint8_t sequenceNumber = 1;
    per::ObjectIdentifier protocolIdentifier = kProtocolIdentifier;
    bool h2250Capability = true; // as multiplexCapability; decoded: whether the peer sent one
    std::vector<CapabilityTableEntry> table;       // empty: absent
    std::vector<CapabilityDescriptor> descriptors; // empty: absent
    bool empty() const noexcept { return table.empty() && descriptors.empty(); }
    bool operator==(const TerminalCapabilitySet&) const = default;
};

// H2250LogicalChannelParameters ::= SEQUENCE { nonStandard OPTIONAL, sessionID INTEGER
// (0..255), associatedSessionID OPTIONAL, mediaChannel TransportAddress OPTIONAL,
// mediaGuaranteedDelivery OPTIONAL, mediaControlChannel TransportAddress OPTIONAL, …,
// silenceSuppression BOOLEAN OPTIONAL, destination OPTIONAL, dynamicRTPPayloadType INTEGER
// (96..127) OPTIONAL, mediaPacketization OPTIONAL, ..., … }
struct H2250Parameters {
    std::uint8_t sessionID = 1; // 1 is audio (H.323 §6.2.8.1)
    std::optional<UnicastAddress> mediaChannel, mediaControlChannel;
    std::optional<bool> silenceSuppression;
    std::optional<std::uint8_t> dynamicRTPPayloadType;
    bool operator==(const H2250Parameters&) const = default;
};
// An OpenLogicalChannel's forward or reverse parameters: the data type, and H.225.0's
// multiplex parameters (nullopt: `none` forward, absent reverse).
struct ChannelParameters {
    DataType dataType;
    std::optional<H2250Parameters> h2250;
    bool operator==(const ChannelParameters&) const = default;
};
// OpenLogicalChannel ::= SEQUENCE { forwardLogicalChannelNumber INTEGER (1..65535),
// forwardLogicalChannelParameters SEQUENCE { portNumber OPTIONAL, dataType, multiplexParameters
// CHOICE { …, ..., h2250LogicalChannelParameters, none }, ... }, reverseLogicalChannelParameters
// SEQUENCE { dataType, multiplexParameters CHOICE { …, ..., h2250LogicalChannelParameters }
// OPTIONAL, ... } OPTIONAL, ..., … }. A fastStart proposal to receive has a nullData forward
// side and the reverse side (H.323 §8.1.7.1).
struct OpenLogicalChannel {
    std::uint16_t number = 1;
    ChannelParameters forward;
    std::optional<ChannelParameters> reverse;
    bool operator==(const OpenLogicalChannel&) const = default;
};

// CloseLogicalChannel ::= SEQUENCE { forwardLogicalChannelNumber, source CHOICE { user NULL,
// lcse NULL }, ..., reason }
struct CloseLogicalChannel {
    std::uint16_t number = 1;
    bool byUser = true; // source: user, or lcse (the signalling entity itself)
    bool operator==(const CloseLogicalChannel&) const = default;
};
// RequestChannelClose ::= SEQUENCE { forwardLogicalChannelNumber, ..., qosCapability, reason }
struct RequestChannelClose {
    std::uint16_t number = 1;
    bool operator==(const RequestChannelClose&) const = default;
};
// RoundTripDelayRequest and …Response ::= SEQUENCE { sequenceNumber INTEGER (0..255), ... }
struct RoundTripDelayRequest {
    std::uint8_t sequenceNumber = 0;
    bool operator==(const RoundTripDelayRequest&) const = default;
};

// Requests an audio endpoint on H.225.0 refuses, read for what the refusal names (we never
// send them: they are not sendable()).
//
// MultiplexEntrySend ::= SEQUENCE { sequenceNumber, multiplexEntryDescriptors SET SIZE (1..15)
// OF MultiplexEntryDescriptor, ... }, each descriptor a SEQUENCE { multiplexTableEntryNumber
// INTEGER (1..15), elementList OPTIONAL }: H.223's multiplex table (§B.4.1), which H.225.0 has
// no use for; the element lists are read past.
struct MultiplexEntrySend {
    std::uint8_t sequenceNumber = 0;
    std::vector<std::uint8_t> entries; // multiplexTableEntryNumber of each descriptor
    bool operator==(const MultiplexEntrySend&) const = default;
};
// RequestMultiplexEntry ::= SEQUENCE { entryNumbers SET SIZE (1..15) OF
// MultiplexTableEntryNumber, ... } (§B.5.1)
struct RequestMultiplexEntry {
    std::vector<std::uint8_t> entries;
    bool operator==(const RequestMultiplexEntry&) const = default;
};
// RequestMode ::= SEQUENCE { sequenceNumber, requestedModes SEQUENCE SIZE (1..256) OF
// ModeDescription, ... } (§B.6.1): the modes are not read; we transmit what the channels we
// opened carry.
struct RequestMode {
    std::uint8_t sequenceNumber = 0;
    bool operator==(const RequestMode&) const = default;
};
// The loop of MaintenanceLoopRequest ::= SEQUENCE { type CHOICE { systemLoop NULL, mediaLoop
// LogicalChannelNumber, logicalChannelLoop LogicalChannelNumber, ... }, ... } (§B.8), and of
// its Reject.
struct MaintenanceLoop {
    enum class Kind : std::uint8_t { system, media, logicalChannel };
    Kind kind = Kind::system;
    std::uint16_t channel = 0; // media and logicalChannel
    bool operator==(const MaintenanceLoop&) const = default;
};
struct MaintenanceLoopRequest {
    MaintenanceLoop loop;
    bool operator==(const MaintenanceLoopRequest&) const = default;
};

// --- responses ---

// MasterSlaveDeterminationAck ::= SEQUENCE { decision CHOICE { master NULL, slave NULL }, ... }:
// the decision for the receiver of the Ack.
struct MasterSlaveDeterminationAck {
    bool master = false;
    bool operator==(const MasterSlaveDeterminationAck&) const = default;
};
// MasterSlaveDeterminationReject ::= SEQUENCE { cause CHOICE { identicalNumbers NULL, ... },
// ... }
struct MasterSlaveDeterminationReject {
    bool operator==(const MasterSlaveDeterminationReject&) const = default;
};
// TerminalCapabilitySetAck ::= SEQUENCE { sequenceNumber, ..., genericInformation }
struct TerminalCapabilitySetAck {
    std::uint8_t sequenceNumber = 0;
    bool operator==(const TerminalCapabilitySetAck&) const = default;
};
// TerminalCapabilitySetReject ::= SEQUENCE { sequenceNumber, cause CHOICE { unspecified,
// undefinedTableEntryUsed, descriptorCapacityExceeded, tableEntryCapacityExceeded CHOICE {
// highestEntryNumberProcessed INTEGER (1..65535), noneProcessed NULL }, ... }, ..., … }
struct TerminalCapabilitySetReject {
    enum class Cause : std::uint8_t {
        unspecified,
        undefinedTableEntryUsed,
        descriptorCapacityExceeded,
        tableEntryCapacityExceeded
    };
    std::uint8_t sequenceNumber = 0;
    Cause cause = Cause::unspecified;
    std::optional<std::uint16_t> highestEntryNumberProcessed; // tableEntryCapacityExceeded
    bool operator==(const TerminalCapabilitySetReject&) const = default;
};
// H2250LogicalChannelAckParameters ::= SEQUENCE { nonStandard OPTIONAL, sessionID INTEGER
// (1..255) OPTIONAL, mediaChannel OPTIONAL, mediaControlChannel OPTIONAL, dynamicRTPPayloadType
// OPTIONAL, ..., flowControlToZero BOOLEAN, portNumber OPTIONAL }
struct H2250AckParameters {
    std::optional<std::uint8_t> sessionID;
    std::optional<UnicastAddress> mediaChannel, mediaControlChannel;
    std::optional<std::uint8_t> dynamicRTPPayloadType;
    bool operator==(const H2250AckParameters&) const = default;
};
// OpenLogicalChannelAck ::= SEQUENCE { forwardLogicalChannelNumber,
// reverseLogicalChannelParameters OPTIONAL, ..., separateStack, forwardMultiplexAckParameters
// CHOICE { h2250LogicalChannelAckParameters, ... } OPTIONAL, encryptionSync,
// genericInformation }: for a unidirectional channel, where to send its media.
struct OpenLogicalChannelAck {
    std::uint16_t number = 1;
    std::optional<H2250AckParameters> ack;
    bool operator==(const OpenLogicalChannelAck&) const = default;
};
// OpenLogicalChannelReject ::= SEQUENCE { forwardLogicalChannelNumber, cause CHOICE {
// unspecified, unsuitableReverseParameters, dataTypeNotSupported, dataTypeNotAvailable,
// unknownDataType, dataTypeALCombinationNotSupported, ..., multicastChannelNotAllowed, …
// (ten more) }, ..., … }: the cause as its index among the root's six then the additions'.
struct OpenLogicalChannelReject {
    enum class Cause : std::uint8_t {
        unspecified,
        unsuitableReverseParameters,
        dataTypeNotSupported,
        dataTypeNotAvailable,
        unknownDataType,
        dataTypeALCombinationNotSupported,
        multicastChannelNotAllowed,
        insufficientBandwidth,
        separateStackEstablishmentFailed,
        invalidSessionID,
        masterSlaveConflict,
        waitForCommunicationMode,
        invalidDependentChannel,
        replacementForRejected,
        securityDenied,
        qoSControlNotSupported
    };
    std::uint16_t number = 1;
    Cause cause = Cause::unspecified;
    bool operator==(const OpenLogicalChannelReject&) const = default;
};
// CloseLogicalChannelAck, RequestChannelCloseAck ::= SEQUENCE { forwardLogicalChannelNumber,
// ... }; RequestChannelCloseReject adds cause CHOICE { unspecified NULL, ... }.
struct CloseLogicalChannelAck {
    std::uint16_t number = 1;
    bool operator==(const CloseLogicalChannelAck&) const = default;
};
struct RequestChannelCloseAck {
    std::uint16_t number = 1;
    bool operator==(const RequestChannelCloseAck&) const = default;
};
struct RequestChannelCloseReject {
    std::uint16_t number = 1;
    bool operator==(const RequestChannelCloseReject&) const = default;
};
struct RoundTripDelayResponse {
    std::uint8_t sequenceNumber = 0;
    bool operator==(const RoundTripDelayResponse&) const = default;
};
// The refusals of the requests above, each with the first cause of its type.
// MultiplexEntrySendReject ::= SEQUENCE { sequenceNumber, rejectionDescriptions SET SIZE
// (1..15) OF SEQUENCE { multiplexTableEntryNumber, cause CHOICE { unspecifiedCause NULL,
// descriptorTooComplex NULL, ... }, ... }, ... }
struct MultiplexEntrySendReject {
    std::uint8_t sequenceNumber = 0;
    std::vector<std::uint8_t> entries; // each unspecifiedCause
    bool operator==(const MultiplexEntrySendReject&) const = default;
};
// RequestMultiplexEntryReject ::= SEQUENCE { entryNumbers SET SIZE (1..15) OF
// MultiplexTableEntryNumber, rejectionDescriptions SET SIZE (1..15) OF SEQUENCE {
// multiplexTableEntryNumber, cause CHOICE { unspecifiedCause NULL, ... }, ... }, ... }
struct RequestMultiplexEntryReject {
    std::vector<std::uint8_t> entries; // each unspecifiedCause
    bool operator==(const RequestMultiplexEntryReject&) const = default;
};
// RequestModeReject ::= SEQUENCE { sequenceNumber, cause CHOICE { modeUnavailable NULL,
// multipointConstraint NULL, requestDenied NULL, ... }, ... }: modeUnavailable.
struct RequestModeReject {
    std::uint8_t sequenceNumber = 0;
    bool operator==(const RequestModeReject&) const = default;
};
// MaintenanceLoopReject ::= SEQUENCE { type (as the request's), cause CHOICE {
// canNotPerformLoop NULL, ... }, ... }
struct MaintenanceLoopReject {
    MaintenanceLoop loop;
    bool operator==(const MaintenanceLoopReject&) const = default;
};

// --- commands and indications ---

// SendTerminalCapabilitySet ::= CHOICE { specificRequest SEQUENCE { … }, genericRequest NULL,
// ... } (§B.13): either way we send our whole capability set again. Read only.
struct SendTerminalCapabilitySet {
    bool operator==(const SendTerminalCapabilitySet&) const = default;
};

// FunctionNotSupported ::= SEQUENCE { cause CHOICE { syntaxError NULL, semanticError NULL,
// unknownFunction NULL, ... }, returnedFunction OCTET STRING OPTIONAL, ... }, an extension of
// IndicationMessage: a request or command we neither model nor can carry back in a
// FunctionNotUnderstood (a root alternative we do not read), returned as it came.
struct FunctionNotSupported {
    enum class Cause : std::uint8_t { syntaxError, semanticError, unknownFunction };
    Cause cause = Cause::unknownFunction;
    std::vector<std::uint8_t> returnedFunction; // a whole MultimediaSystemControlMessage
    bool operator==(const FunctionNotSupported&) const = default;
};

// EndSessionCommand ::= CHOICE { nonStandard, disconnect NULL, gstnOptions, ..., … }: we send
// disconnect; any of its alternatives ends the session.
struct EndSessionCommand {
    bool operator==(const EndSessionCommand&) const = default;
};

// UserInputIndication ::= CHOICE { nonStandard, alphanumeric GeneralString, ...,
// userInputSupportIndication, signal SEQUENCE { signalType IA5String (SIZE (1) ^ FROM
// ("0123456789#*ABCD!")), duration INTEGER (1..65535) OPTIONAL, rtp OPTIONAL, ..., … }, … }:
// DTMF as text, or as a signal with its duration in milliseconds.
struct UserInputIndication {
    enum class Kind : std::uint8_t { alphanumeric, signal, other };
    Kind kind = Kind::signal;
    std::string alphanumeric;
    char signal = '0';
    std::optional<std::uint16_t> duration;
    bool operator==(const UserInputIndication&) const = default;
};

// A message whose alternative we do not model. An extension alternative's value is kept as it
// came (its open type), so a FunctionNotUnderstood can carry it back.
struct Unknown {
    enum class Category : std::uint8_t { request, response, command, indication };
    Category category = Category::request;
    bool extension = false;
    std::uint64_t index = 0;         // among the root's alternatives, or the additions'
    std::vector<std::uint8_t> value; // extension: the open type's octets
    bool operator==(const Unknown&) const = default;
};

struct FunctionNotUnderstood;

using Message =
    std::variant<MasterSlaveDetermination, TerminalCapabilitySet, OpenLogicalChannel,
                 CloseLogicalChannel, RequestChannelClose, RoundTripDelayRequest,
                 MultiplexEntrySend, RequestMultiplexEntry, RequestMode, MaintenanceLoopRequest,
                 MasterSlaveDeterminationAck, MasterSlaveDeterminationReject,
                 TerminalCapabilitySetAck, TerminalCapabilitySetReject, OpenLogicalChannelAck,
                 OpenLogicalChannelReject, CloseLogicalChannelAck, RequestChannelCloseAck,
                 RequestChannelCloseReject, RoundTripDelayResponse, MultiplexEntrySendReject,
                 RequestMultiplexEntryReject, RequestModeReject, MaintenanceLoopReject,
                 EndSessionCommand, SendTerminalCapabilitySet, FunctionNotUnderstood,
                 FunctionNotSupported, UserInputIndication, Unknown>;

// FunctionNotUnderstood ::= CHOICE { request RequestMessage, response ResponseMessage, command
// CommandMessage }: the message not understood, sent back (§B.14). It holds a request, a
// response, a command, or an Unknown one of those.
struct FunctionNotUnderstood {
    FunctionNotUnderstood() = default;
    explicit FunctionNotUnderstood(Message what)
        : what_(std::make_shared<Message>(std::move(what))) {}
    const Message* what() const noexcept { return what_.get(); }
    bool operator==(const FunctionNotUnderstood& other) const;

private:
    std::shared_ptr<const Message> what_; // immutable, so sharing is copying
};

// Whether the message can be sent as it is: not when it holds what a decoder only read past
// (a capability or data type kept by name, a user input of another kind, an Unknown root
// alternative, whose value was not kept, a request we only refuse, SendTerminalCapabilitySet),
// alone or in a FunctionNotUnderstood.
bool sendable(const Message& message);
// Empty when the message is not sendable().
std::vector<std::uint8_t> encode(const Message& message);
// Errc::invalid_input naming the field, for a message that breaks its type.
Result<Message> decode(std::span<const std::uint8_t> bytes);

// A fastStart element (H.225.0's Setup-UUIE … Connect-UUIE, H.323 §8.1.7): an OpenLogicalChannel
// encoded on its own, not framed as a MultimediaSystemControlMessage.
std::vector<std::uint8_t> encodeFastStart(const OpenLogicalChannel& channel);
Result<OpenLogicalChannel> decodeFastStart(std::span<const std::uint8_t> bytes);

} // namespace sb::h323::h245
