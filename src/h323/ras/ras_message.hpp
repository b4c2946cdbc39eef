#pragma once
// H.225.0 (v7) RAS (§7.7 ff., UDP 1719; discovery on 224.0.1.41:1718): RasMessage ::= CHOICE {
// gatekeeperRequest, …, unknownMessageResponse (25 root alternatives), ..., requestInProgress,
// … } with its aligned PER: every message an endpoint and a small gatekeeper exchange. Each
// keeps what the two roles use; what a peer adds beyond that is read past, and H.235 tokens
// where a message has them in its root are refused by name. A reject's reason with content
// other than a NULL reads as the nearest NULL one (named where it is).

#include "core/result.hpp"
#include "h323/h225/types.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace sb::h323::ras {

using h225::AliasAddress;
using h225::EndpointType;
using h225::Guid;
using h225::TransportAddress;
using Aliases = std::vector<AliasAddress>;
using Addresses = std::vector<TransportAddress>;
// GatekeeperIdentifier, EndpointIdentifier ::= BMPString (SIZE (1..128))
using Identifier = std::u16string;

// CallModel ::= CHOICE { direct NULL, gatekeeperRouted NULL, ... }
enum class CallModel : std::uint8_t { direct, gatekeeperRouted };

// --- discovery and registration ---

// GatekeeperRequest ::= SEQUENCE { requestSeqNum INTEGER (1..65535), protocolIdentifier,
// nonStandardData OPTIONAL, rasAddress TransportAddress, endpointType EndpointType,
// gatekeeperIdentifier OPTIONAL, callServices OPTIONAL, endpointAlias SEQUENCE OF AliasAddress
// OPTIONAL, ..., … }
struct GatekeeperRequest {
    std::uint16_t requestSeqNum = 1;
    per::ObjectIdentifier protocolIdentifier = h225::kProtocolIdentifier;
    TransportAddress rasAddress;
    EndpointType endpointType;
    std::optional<Identifier> gatekeeperIdentifier;
    Aliases endpointAlias; // empty: absent
    bool operator==(const GatekeeperRequest&) const = default;
};
// GatekeeperConfirm ::= SEQUENCE { requestSeqNum, protocolIdentifier, nonStandardData
// OPTIONAL, gatekeeperIdentifier OPTIONAL, rasAddress, ..., … (11 additions) }
struct GatekeeperConfirm {
    std::uint16_t requestSeqNum = 1;
    per::ObjectIdentifier protocolIdentifier = h225::kProtocolIdentifier;
    std::optional<Identifier> gatekeeperIdentifier;
    TransportAddress rasAddress;
    bool operator==(const GatekeeperConfirm&) const = default;
};
// GatekeeperRejectReason ::= CHOICE { resourceUnavailable, terminalExcluded, invalidRevision,
// undefinedReason, ..., securityDenial, genericDataReason, neededFeatureNotSupported,
// securityError (read as securityDenial) }
enum class GatekeeperRejectReason : std::uint8_t {
    resourceUnavailable,
    terminalExcluded,
    invalidRevision,
    undefinedReason,
    securityDenial,
    genericDataReason,
    neededFeatureNotSupported,
};
// GatekeeperReject ::= SEQUENCE { requestSeqNum, protocolIdentifier, nonStandardData OPTIONAL,
// gatekeeperIdentifier OPTIONAL, rejectReason, ..., … }
struct GatekeeperReject {
    std::uint16_t requestSeqNum = 1;
    per::ObjectIdentifier protocolIdentifier = h225::kProtocolIdentifier;
    std::optional<Identifier> gatekeeperIdentifier;
    GatekeeperRejectReason rejectReason = GatekeeperRejectReason::undefinedReason;
    bool operator==(const GatekeeperReject&) const = default;
};

// RegistrationRequest ::= SEQUENCE { requestSeqNum, protocolIdentifier, nonStandardData
// OPTIONAL, discoveryComplete BOOLEAN, callSignalAddress, rasAddress SEQUENCE OF
// TransportAddress, terminalType EndpointType, terminalAlias OPTIONAL, gatekeeperIdentifier
// OPTIONAL, endpointVendor VendorIdentifier, ..., timeToLive INTEGER (1..4294967295) OPTIONAL,
// …, keepAlive BOOLEAN, endpointIdentifier OPTIONAL, willSupplyUUIEs, maintainConnection BOOLEAN,
// …, supportsAssignedGK BOOLEAN, … (27 additions) }. A keep-alive is a lightweight RRQ:
// keepAlive set, with the endpointIdentifier and gatekeeperIdentifier it got (§7.9.1).
struct RegistrationRequest {
    std::uint16_t requestSeqNum = 1;
    per::ObjectIdentifier protocolIdentifier = h225::kProtocolIdentifier;
    bool discoveryComplete = false;
    Addresses callSignalAddress, rasAddress;
    EndpointType terminalType;
    Aliases terminalAlias;
    std::optional<Identifier> gatekeeperIdentifier;
    h225::Vendor endpointVendor;
    std::optional<std::uint32_t> timeToLive; // seconds
    bool keepAlive = false;
    std::optional<Identifier> endpointIdentifier;
    bool willSupplyUUIEs = false, maintainConnection = false, supportsAssignedGK = false;
    bool operator==(const RegistrationRequest&) const = default;
};
// RegistrationConfirm ::= SEQUENCE { requestSeqNum, protocolIdentifier, nonStandardData
// OPTIONAL, callSignalAddress SEQUENCE OF TransportAddress, terminalAlias OPTIONAL,
// gatekeeperIdentifier OPTIONAL, endpointIdentifier, ..., alternateGatekeeper, timeToLive
// OPTIONAL, …, willRespondToIRR BOOLEAN, preGrantedARQ OPTIONAL, maintainConnection BOOLEAN, …
// (21 additions) }
struct RegistrationConfirm {
    std::uint16_t requestSeqNum = 1;
    per::ObjectIdentifier protocolIdentifier = h225::kProtocolIdentifier;
    Addresses callSignalAddress;
    Aliases terminalAlias;
    std::optional<Identifier> gatekeeperIdentifier;
    Identifier endpointIdentifier = u"1";
    std::optional<std::uint32_t> timeToLive;
    bool willRespondToIRR = false, maintainConnection = false;
    bool operator==(const RegistrationConfirm&) const = default;
};
// RegistrationRejectReason ::= CHOICE { discoveryRequired, invalidRevision,
// invalidCallSignalAddress, invalidRASAddress, duplicateAlias SEQUENCE OF AliasAddress,
// invalidTerminalType, undefinedReason, transportNotSupported, ..., transportQOSNotSupported,
// resourceUnavailable, invalidAlias, securityDenial, fullRegistrationRequired,
// additiveRegistrationNotSupported, invalidTerminalAliases (read as invalidAlias),
// genericDataReason, neededFeatureNotSupported, securityError (read as securityDenial),
// registerWithAssignedGK }
enum class RegistrationRejectReason : std::uint8_t {
    discoveryRequired,
    invalidRevision,
    invalidCallSignalAddress,
    invalidRASAddress,
    duplicateAlias,
    invalidTerminalType,
    undefinedReason,
    transportNotSupported,
    transportQOSNotSupported,
    resourceUnavailable,
    invalidAlias,
    securityDenial,
    fullRegistrationRequired,
    additiveRegistrationNotSupported,
    genericDataReason,
    neededFeatureNotSupported,
    registerWithAssignedGK,
};
// RegistrationReject ::= SEQUENCE { requestSeqNum, protocolIdentifier, nonStandardData
// OPTIONAL, rejectReason, gatekeeperIdentifier OPTIONAL, ..., … }
struct RegistrationReject {
    std::uint16_t requestSeqNum = 1;
    per::ObjectIdentifier protocolIdentifier = h225::kProtocolIdentifier;
    RegistrationRejectReason rejectReason = RegistrationRejectReason::undefinedReason;
    Aliases duplicateAlias; // rejectReason == duplicateAlias
    std::optional<Identifier> gatekeeperIdentifier;
    bool operator==(const RegistrationReject&) const = default;
};

// UnregRequestReason ::= CHOICE { reregistrationRequired, ttlExpired, securityDenial,
// undefinedReason, ..., maintenance, securityError (read as securityDenial),
// registerWithAssignedGK }
enum class UnregistrationReason : std::uint8_t {
    reregistrationRequired,
    ttlExpired,
    securityDenial,
    undefinedReason,
    maintenance,
    registerWithAssignedGK,
};
// UnregistrationRequest ::= SEQUENCE { requestSeqNum, callSignalAddress SEQUENCE OF
// TransportAddress, endpointAlias OPTIONAL, nonStandardData OPTIONAL, endpointIdentifier
// OPTIONAL, ..., alternateEndpoints, gatekeeperIdentifier OPTIONAL, …, reason OPTIONAL, … (11
// additions) }
struct UnregistrationRequest {
    std::uint16_t requestSeqNum = 1;
    Addresses callSignalAddress;
    Aliases endpointAlias;
    std::optional<Identifier> endpointIdentifier, gatekeeperIdentifier;
    std::optional<UnregistrationReason> reason;
    bool operator==(const UnregistrationRequest&) const = default;
};
// UnregistrationConfirm ::= SEQUENCE { requestSeqNum, nonStandardData OPTIONAL, ..., … }
struct UnregistrationConfirm {
    std::uint16_t requestSeqNum = 1;
    bool operator==(const UnregistrationConfirm&) const = default;
};
// UnregRejectReason ::= CHOICE { notCurrentlyRegistered, callInProgress, undefinedReason, ...,
// permissionDenied, securityDenial, securityError (read as securityDenial) }
enum class UnregistrationRejectReason : std::uint8_t {
    notCurrentlyRegistered,
    callInProgress,
    undefinedReason,
    permissionDenied,
    securityDenial,
};
// UnregistrationReject ::= SEQUENCE { requestSeqNum, rejectReason, nonStandardData OPTIONAL,
// ..., … }
struct UnregistrationReject {
    std::uint16_t requestSeqNum = 1;
    UnregistrationRejectReason rejectReason = UnregistrationRejectReason::undefinedReason;
    bool operator==(const UnregistrationReject&) const = default;
};

// --- admission, bandwidth, disengage ---

// AdmissionRequest ::= SEQUENCE { requestSeqNum, callType CallType, callModel OPTIONAL,
// endpointIdentifier, destinationInfo OPTIONAL, destCallSignalAddress OPTIONAL,
// destExtraCallInfo OPTIONAL, srcInfo SEQUENCE OF AliasAddress, srcCallSignalAddress OPTIONAL,
// bandWidth INTEGER (0..4294967295) (units of 100 bit/s), callReferenceValue INTEGER
// (0..65535), nonStandardData OPTIONAL, callServices OPTIONAL, conferenceID, activeMC,
// answerCall BOOLEAN, ..., canMapAlias BOOLEAN, callIdentifier, …, gatekeeperIdentifier
// OPTIONAL, …, willSupplyUUIEs BOOLEAN, …, canMapSrcAlias BOOLEAN (19 additions) }
struct AdmissionRequest {
    std::uint16_t requestSeqNum = 1;
    std::optional<CallModel> callModel;
    Identifier endpointIdentifier = u"1";
    Aliases destinationInfo;
    std::optional<TransportAddress> destCallSignalAddress;
    Aliases srcInfo;
    std::optional<TransportAddress> srcCallSignalAddress;
    std::uint32_t bandWidth = 1280; // 128 kbit/s: two G.711 directions
    std::uint16_t callReferenceValue = 0;
    Guid conferenceID{};
    bool activeMC = false, answerCall = false;
    bool canMapAlias = false;
    Guid callIdentifier{};
    std::optional<Identifier> gatekeeperIdentifier;
    bool willSupplyUUIEs = false, canMapSrcAlias = false;
    bool operator==(const AdmissionRequest&) const = default;
};
// AdmissionConfirm ::= SEQUENCE { requestSeqNum, bandWidth, callModel, destCallSignalAddress,
// irrFrequency INTEGER (1..65535) OPTIONAL, nonStandardData OPTIONAL, ..., destinationInfo
// OPTIONAL, …, willRespondToIRR BOOLEAN, uuiesRequested UUIEsRequested, … (23 additions) }
struct AdmissionConfirm {
    std::uint16_t requestSeqNum = 1;
    std::uint32_t bandWidth = 1280;
    CallModel callModel = CallModel::direct;
    TransportAddress destCallSignalAddress;
    std::optional<std::uint16_t> irrFrequency;
    Aliases destinationInfo;
    bool willRespondToIRR = false;
    bool operator==(const AdmissionConfirm&) const = default;
};
// AdmissionRejectReason ::= CHOICE { calledPartyNotRegistered, invalidPermission,
// requestDenied, undefinedReason, callerNotRegistered, routeCallToGatekeeper,
// invalidEndpointIdentifier, resourceUnavailable, ..., securityDenial, qosControlNotSupported,
// incompleteAddress, aliasesInconsistent, routeCallToSCN (read as requestDenied),
// exceedsCallCapacity, collectDestination, collectPIN, genericDataReason,
// neededFeatureNotSupported, securityErrors (read as securityDenial), securityDHmismatch,
// noRouteToDestination, unallocatedNumber, registerWithAssignedGK }
enum class AdmissionRejectReason : std::uint8_t {
    calledPartyNotRegistered,
    invalidPermission,
    requestDenied,
    undefinedReason,
    callerNotRegistered,
    routeCallToGatekeeper,
    invalidEndpointIdentifier,
    resourceUnavailable,
    securityDenial,
    qosControlNotSupported,
    incompleteAddress,
    aliasesInconsistent,
    exceedsCallCapacity,
    collectDestination,
    collectPIN,
    genericDataReason,
    neededFeatureNotSupported,
    securityDHmismatch,
    noRouteToDestination,
    unallocatedNumber,
    registerWithAssignedGK,
};
// AdmissionReject ::= SEQUENCE { requestSeqNum, rejectReason, nonStandardData OPTIONAL, ..., … }
struct AdmissionReject {
    std::uint16_t requestSeqNum = 1;
    AdmissionRejectReason rejectReason = AdmissionRejectReason::undefinedReason;
    bool operator==(const AdmissionReject&) const = default;
};

// BandwidthRequest ::= SEQUENCE { requestSeqNum, endpointIdentifier, conferenceID,
// callReferenceValue, callType OPTIONAL, bandWidth, nonStandardData OPTIONAL, ...,
// callIdentifier, gatekeeperIdentifier OPTIONAL, …, answeredCall BOOLEAN, … (12 additions) }
struct BandwidthRequest {
    std::uint16_t requestSeqNum = 1;
    Identifier endpointIdentifier = u"1";
    Guid conferenceID{};
    std::uint16_t callReferenceValue = 0;
    std::uint32_t bandWidth = 1280;
    Guid callIdentifier{};
    std::optional<Identifier> gatekeeperIdentifier;
    bool answeredCall = false;
    bool operator==(const BandwidthRequest&) const = default;
};
// BandwidthConfirm ::= SEQUENCE { requestSeqNum, bandWidth, nonStandardData OPTIONAL, ..., … }
struct BandwidthConfirm {
    std::uint16_t requestSeqNum = 1;
    std::uint32_t bandWidth = 1280;
    bool operator==(const BandwidthConfirm&) const = default;
};
// BandRejectReason ::= CHOICE { notBound, invalidConferenceID, invalidPermission,
// insufficientResources, invalidRevision, undefinedReason, ..., securityDenial, securityError
// (read as securityDenial) }
enum class BandwidthRejectReason : std::uint8_t {
    notBound,
    invalidConferenceID,
    invalidPermission,
    insufficientResources,
    invalidRevision,
    undefinedReason,
    securityDenial,
};
// BandwidthReject ::= SEQUENCE { requestSeqNum, rejectReason, allowedBandWidth,
// nonStandardData OPTIONAL, ..., … }
struct BandwidthReject {
    std::uint16_t requestSeqNum = 1;
    BandwidthRejectReason rejectReason = BandwidthRejectReason::undefinedReason;
    std::uint32_t allowedBandWidth = 0;
    bool operator==(const BandwidthReject&) const = default;
};

// DisengageReason ::= CHOICE { forcedDrop, normalDrop, undefinedReason, ... }
enum class DisengageReason : std::uint8_t { forcedDrop, normalDrop, undefinedReason };
// DisengageRequest ::= SEQUENCE { requestSeqNum, endpointIdentifier, conferenceID,
// callReferenceValue, disengageReason, nonStandardData OPTIONAL, ..., callIdentifier,
// gatekeeperIdentifier OPTIONAL, …, answeredCall BOOLEAN, … (13 additions) }
struct DisengageRequest {
    std::uint16_t requestSeqNum = 1;
    Identifier endpointIdentifier = u"1";
    Guid conferenceID{};
    std::uint16_t callReferenceValue = 0;
    DisengageReason disengageReason = DisengageReason::normalDrop;
    Guid callIdentifier{};
    std::optional<Identifier> gatekeeperIdentifier;
    bool answeredCall = false;
    bool operator==(const DisengageRequest&) const = default;
};
// DisengageConfirm ::= SEQUENCE { requestSeqNum, nonStandardData OPTIONAL, ..., … }
struct DisengageConfirm {
    std::uint16_t requestSeqNum = 1;
    bool operator==(const DisengageConfirm&) const = default;
};
// DisengageRejectReason ::= CHOICE { notRegistered, requestToDropOther, ..., securityDenial,
// securityError (read as securityDenial) }
enum class DisengageRejectReason : std::uint8_t {
    notRegistered,
    requestToDropOther,
    securityDenial
};
// DisengageReject ::= SEQUENCE { requestSeqNum, rejectReason, nonStandardData OPTIONAL, ..., … }
struct DisengageReject {
    std::uint16_t requestSeqNum = 1;
    DisengageRejectReason rejectReason = DisengageRejectReason::notRegistered;
    bool operator==(const DisengageReject&) const = default;
};

// --- location ---

// LocationRequest ::= SEQUENCE { requestSeqNum, endpointIdentifier OPTIONAL, destinationInfo
// SEQUENCE OF AliasAddress, nonStandardData OPTIONAL, replyAddress, ..., sourceInfo OPTIONAL,
// canMapAlias BOOLEAN, gatekeeperIdentifier OPTIONAL, …, hopCount INTEGER (1..255) OPTIONAL, …,
// callIdentifier OPTIONAL, …, canMapSrcAlias BOOLEAN, … (17 additions) }
struct LocationRequest {
    std::uint16_t requestSeqNum = 1;
    std::optional<Identifier> endpointIdentifier;
    Aliases destinationInfo;
    TransportAddress replyAddress;
    Aliases sourceInfo;
    bool canMapAlias = false;
    std::optional<Identifier> gatekeeperIdentifier;
    std::optional<std::uint8_t> hopCount;
    std::optional<Guid> callIdentifier;
    bool canMapSrcAlias = false;
    bool operator==(const LocationRequest&) const = default;
};
// LocationConfirm ::= SEQUENCE { requestSeqNum, callSignalAddress, rasAddress TransportAddress,
// nonStandardData OPTIONAL, ..., destinationInfo OPTIONAL, destExtraCallInfo OPTIONAL,
// destinationType EndpointType OPTIONAL, … (18 additions) }
struct LocationConfirm {
    std::uint16_t requestSeqNum = 1;
    TransportAddress callSignalAddress, rasAddress;
    Aliases destinationInfo;
    std::optional<EndpointType> destinationType;
    bool operator==(const LocationConfirm&) const = default;
};
// LocationRejectReason ::= CHOICE { notRegistered, invalidPermission, requestDenied,
// undefinedReason, ..., securityDenial, aliasesInconsistent, routeCalltoSCN (read as
// requestDenied), resourceUnavailable, genericDataReason, neededFeatureNotSupported,
// hopCountExceeded, incompleteAddress, securityError (read as securityDenial),
// securityDHmismatch, noRouteToDestination, unallocatedNumber }
enum class LocationRejectReason : std::uint8_t {
    notRegistered,
    invalidPermission,
    requestDenied,
    undefinedReason,
    securityDenial,
    aliasesInconsistent,
    resourceUnavailable,
    genericDataReason,
    neededFeatureNotSupported,
    hopCountExceeded,
    incompleteAddress,
    securityDHmismatch,
    noRouteToDestination,
    unallocatedNumber,
};
// LocationReject ::= SEQUENCE { requestSeqNum, rejectReason, nonStandardData OPTIONAL, ..., … }
struct LocationReject {
    std::uint16_t requestSeqNum = 1;
    LocationRejectReason rejectReason = LocationRejectReason::undefinedReason;
    bool operator==(const LocationReject&) const = default;
};

// --- status ---

// InfoRequest ::= SEQUENCE { requestSeqNum, callReferenceValue, nonStandardData OPTIONAL,
// replyAddress OPTIONAL, ..., callIdentifier, … (12 additions) }: callReferenceValue 0 asks
// about every call.
struct InfoRequest {
    std::uint16_t requestSeqNum = 1;
    std::uint16_t callReferenceValue = 0;
    std::optional<TransportAddress> replyAddress;
    Guid callIdentifier{};
    bool operator==(const InfoRequest&) const = default;
};
// TransportChannelInfo ::= SEQUENCE { sendAddress OPTIONAL, recvAddress OPTIONAL, ... }
struct TransportChannel {
    std::optional<TransportAddress> sendAddress, recvAddress;
    bool operator==(const TransportChannel&) const = default;
};
// InfoRequestResponse's perCallInfo: SEQUENCE { nonStandardData OPTIONAL, callReferenceValue,
// conferenceID, originator BOOLEAN OPTIONAL, audio, video SEQUENCE OF RTPSession OPTIONAL, data
// OPTIONAL, h245, callSignaling TransportChannelInfo, callType, bandWidth, callModel, ...,
// callIdentifier, tokens, cryptoTokens, substituteConfIDs SEQUENCE OF ConferenceIdentifier, …
// (8 additions) }: the RTP sessions of a peer's are read past.
struct CallInfo {
    std::uint16_t callReferenceValue = 0;
    Guid conferenceID{};
    std::optional<bool> originator;
    TransportChannel h245, callSignaling;
    std::uint32_t bandWidth = 1280;
    CallModel callModel = CallModel::direct;
    Guid callIdentifier{};
    bool operator==(const CallInfo&) const = default;
};
// InfoRequestResponse ::= SEQUENCE { nonStandardData OPTIONAL, requestSeqNum, endpointType,
// endpointIdentifier, rasAddress, callSignalAddress, endpointAlias OPTIONAL, perCallInfo
// OPTIONAL, ..., tokens, cryptoTokens, integrityCheckValue, needResponse BOOLEAN, capacity,
// irrStatus, unsolicited BOOLEAN, genericData }
struct InfoRequestResponse {
    std::uint16_t requestSeqNum = 1;
    EndpointType endpointType;
    Identifier endpointIdentifier = u"1";
    TransportAddress rasAddress;
    Addresses callSignalAddress;
    Aliases endpointAlias;
    std::vector<CallInfo> perCallInfo;
    bool needResponse = false, unsolicited = false;
    bool operator==(const InfoRequestResponse&) const = default;
};

// RequestInProgress ::= SEQUENCE { requestSeqNum, nonStandardData, tokens, cryptoTokens,
// integrityCheckValue OPTIONAL, delay INTEGER (1..65535) (ms), ... }: an extension alternative.
struct RequestInProgress {
    std::uint16_t requestSeqNum = 1;
    std::uint16_t delay = 1000;
    bool operator==(const RequestInProgress&) const = default;
};
// UnknownMessageResponse ::= SEQUENCE { requestSeqNum, ..., tokens, cryptoTokens,
// integrityCheckValue, messageNotUnderstood OCTET STRING }: the answer to what we cannot read.
struct UnknownMessageResponse {
    std::uint16_t requestSeqNum = 1;
    std::vector<std::uint8_t> messageNotUnderstood;
    bool operator==(const UnknownMessageResponse&) const = default;
};

// In RasMessage's order, nonStandardMessage left out; RequestInProgress is its first
// extension alternative.
using RasMessage =
    std::variant<GatekeeperRequest, GatekeeperConfirm, GatekeeperReject, RegistrationRequest,
                 RegistrationConfirm, RegistrationReject, UnregistrationRequest,
                 UnregistrationConfirm, UnregistrationReject, AdmissionRequest, AdmissionConfirm,
                 AdmissionReject, BandwidthRequest, BandwidthConfirm, BandwidthReject,
                 DisengageRequest, DisengageConfirm, DisengageReject, LocationRequest,
                 LocationConfirm, LocationReject, InfoRequest, InfoRequestResponse,
                 UnknownMessageResponse, RequestInProgress>;

std::vector<std::uint8_t> encode(const RasMessage& message);
// Errc::invalid_input naming the field, for a message that breaks its type or that we do not
// take (nonStandardMessage, the extension alternatives after requestInProgress): its answer is
// an UnknownMessageResponse.
Result<RasMessage> decode(std::span<const std::uint8_t> bytes);

// The answer to a datagram that does not decode (§7.12.1): UnknownMessageResponse carrying it,
// with its requestSeqNum when that can be read (it comes first in every root message);
// nothing for an UnknownMessageResponse itself, or when not even that much can be read.
std::optional<UnknownMessageResponse> notUnderstood(std::span<const std::uint8_t> datagram);

} // namespace sb::h323::ras
