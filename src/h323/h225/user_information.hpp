#pragma once
// H.225.0 (v7) H323-UserInformation, the User-user element of every call signalling message
// (Q.931 over TPKT, §7.2): its H323-UU-PDU's message body (the UUIE of Setup, CallProceeding,
// Alerting, Connect, ReleaseComplete, Facility, Progress, Information, Status, StatusInquiry, or
// empty), with H.245 tunnelling (h245Tunneling, h245Control), fastStart and the call's
// identifiers, and their aligned PER. What a peer adds that we do not take (non-standard data,
// Q-series options, the extra call info, user-data, …) is read past; tokens for H.235 security
// are refused by name.

#include "core/result.hpp"
#include "h323/h225/generic_data.hpp"
#include "h323/h225/types.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace sb::h323::h225 {

// An encoded H.245 message (an OpenLogicalChannel in fastStart, any in h245Control).
using Octets = std::vector<std::uint8_t>;

// Setup-UUIE ::= SEQUENCE { protocolIdentifier, h245Address OPTIONAL, sourceAddress SEQUENCE OF
// AliasAddress OPTIONAL, sourceInfo EndpointType, destinationAddress OPTIONAL,
// destCallSignalAddress OPTIONAL, destExtraCallInfo OPTIONAL, destExtraCRV OPTIONAL, activeMC
// BOOLEAN, conferenceID, conferenceGoal CHOICE { create, join, invite, ..., … }, callServices
// OPTIONAL, callType CHOICE { pointToPoint, … }, ..., sourceCallSignalAddress OPTIONAL,
// remoteExtensionAddress, callIdentifier, …, fastStart SEQUENCE OF OCTET STRING OPTIONAL,
// mediaWaitForConnect, canOverlapSend BOOLEAN, endpointIdentifier, multipleCalls,
// maintainConnection BOOLEAN, … (28 additions in v7) }
struct Setup {
    enum class Goal : std::uint8_t {
        create,
        join,
        invite,
        capabilityNegotiation,
        callIndependentSupplementaryService
    };
    per::ObjectIdentifier protocolIdentifier = kProtocolIdentifier;
    std::optional<TransportAddress> h245Address;
    std::vector<AliasAddress> sourceAddress; // empty: absent
    EndpointType sourceInfo;
    std::vector<AliasAddress> destinationAddress;
    std::optional<TransportAddress> destCallSignalAddress;
    bool activeMC = false;
    Guid conferenceID{};
    Goal conferenceGoal = Goal::create;
    std::optional<TransportAddress> sourceCallSignalAddress;
    Guid callIdentifier{};
    std::vector<Octets> fastStart; // empty: absent
    bool mediaWaitForConnect = false, canOverlapSend = false;
    bool multipleCalls = false, maintainConnection = false;
    bool operator==(const Setup&) const = default;
};

// What CallProceeding-, Alerting-, Progress- and Connect-UUIE say of the called side:
// protocolIdentifier, destinationInfo, h245Address OPTIONAL, callIdentifier, fastStart OPTIONAL,
// multipleCalls, maintainConnection, and fastConnectRefused NULL OPTIONAL (in a different
// order and root/extension split in each).
struct CalledSide {
    per::ObjectIdentifier protocolIdentifier = kProtocolIdentifier;
    EndpointType destinationInfo;
    std::optional<TransportAddress> h245Address;
    Guid callIdentifier{};
    std::vector<Octets> fastStart;
    bool multipleCalls = false, maintainConnection = false;
    bool fastConnectRefused = false;
    bool operator==(const CalledSide&) const = default;
};
struct CallProceeding : CalledSide {
    bool operator==(const CallProceeding&) const = default;
};
struct Alerting : CalledSide {
    bool operator==(const Alerting&) const = default;
};
struct Progress : CalledSide {
    bool operator==(const Progress&) const = default;
};
// Connect-UUIE adds conferenceID.
struct Connect : CalledSide {
    Guid conferenceID{};
    bool operator==(const Connect&) const = default;
};

// ReleaseCompleteReason ::= CHOICE { noBandwidth, …, undefinedReason (12 NULLs), ...,
// facilityCallDeflection, …, hopCountExceeded }: the NULL alternatives, in order. A peer's
// nonStandardReason and replaceWithConferenceInvite read as undefinedReason, securityError as
// securityDenied.
enum class ReleaseReason : std::uint8_t {
    noBandwidth,
    gatekeeperResources,
    unreachableDestination,
    destinationRejection,
    invalidRevision,
    noPermission,
    unreachableGatekeeper,
    gatewayResources,
    badFormatAddress,
    adaptiveBusy,
    inConf,
    undefinedReason,
    // the extension alternatives that are NULL
    facilityCallDeflection,
    securityDenied,
    calledPartyNotRegistered,
    callerNotRegistered,
    newConnectionNeeded,
    genericDataReason,
    neededFeatureNotSupported,
    tunnelledSignallingRejected,
    invalidCID,
    hopCountExceeded,
};
// ReleaseComplete-UUIE ::= SEQUENCE { protocolIdentifier, reason ReleaseCompleteReason
// OPTIONAL, ..., callIdentifier, … (11 additions) }
struct ReleaseComplete {
    per::ObjectIdentifier protocolIdentifier = kProtocolIdentifier;
    std::optional<ReleaseReason> reason;
    Guid callIdentifier{};
    bool operator==(const ReleaseComplete&) const = default;
};

// FacilityReason ::= CHOICE { routeCallToGatekeeper, callForwarded, routeCallToMC,
// undefinedReason, ..., conferenceListChoice, startH245, noH245, newTokens, featureSetUpdate,
// forwardedElements, transportedInformation }
enum class FacilityReason : std::uint8_t {
    routeCallToGatekeeper,
    callForwarded,
    routeCallToMC,
    undefinedReason,
    conferenceListChoice,
    startH245,
    noH245,
    newTokens,
    featureSetUpdate,
    forwardedElements,
    transportedInformation,
};
// Facility-UUIE ::= SEQUENCE { protocolIdentifier, alternativeAddress OPTIONAL,
// alternativeAliasAddress OPTIONAL, conferenceID OPTIONAL, reason FacilityReason, ...,
// callIdentifier, …, h245Address, fastStart, multipleCalls, maintainConnection,
// fastConnectRefused, … (16 additions) }
struct Facility {
    per::ObjectIdentifier protocolIdentifier = kProtocolIdentifier;
    std::optional<TransportAddress> alternativeAddress;
    std::vector<AliasAddress> alternativeAliasAddress;
    std::optional<Guid> conferenceID;
    FacilityReason reason = FacilityReason::undefinedReason;
    Guid callIdentifier{};
    std::optional<TransportAddress> h245Address;
    std::vector<Octets> fastStart;
    bool multipleCalls = false, maintainConnection = false;
    bool fastConnectRefused = false;
    bool operator==(const Facility&) const = default;
};

// Information-, Status- and StatusInquiry-UUIE: protocolIdentifier and callIdentifier (the
// first has them root and extension, the others both in the root, with tokens OPTIONAL).
struct CallOnly {
    per::ObjectIdentifier protocolIdentifier = kProtocolIdentifier;
    Guid callIdentifier{};
    bool operator==(const CallOnly&) const = default;
};
struct Information : CallOnly {
    bool operator==(const Information&) const = default;
};
struct Status : CallOnly {
    bool operator==(const Status&) const = default;
};
struct StatusInquiry : CallOnly {
    bool operator==(const StatusInquiry&) const = default;
};
// `empty NULL`: a Facility that carries only tunnelled H.245.
struct Empty {
    bool operator==(const Empty&) const = default;
};

using MessageBody = std::variant<Setup, CallProceeding, Connect, Alerting, Information,
                                 ReleaseComplete, Facility, Progress, Empty, Status, StatusInquiry>;

// H323-UserInformation ::= SEQUENCE { h323-uu-pdu H323-UU-PDU, user-data OPTIONAL, ... } with
// H323-UU-PDU ::= SEQUENCE { h323-message-body CHOICE { … }, nonStandardData OPTIONAL, ...,
// h4501SupplementaryService, h245Tunneling BOOLEAN, h245Control SEQUENCE OF OCTET STRING
// OPTIONAL, …, genericData SEQUENCE OF GenericData OPTIONAL (the 9th addition) }
struct UserInformation {
    MessageBody body;
    bool h245Tunnelling = false;
    std::vector<Octets> h245Control;        // empty: absent
    std::vector<GenericData> genericData{}; // empty: absent (generic_data.hpp: our tags)
    bool operator==(const UserInformation&) const = default;
};

std::vector<std::uint8_t> encode(const UserInformation& information);
// Errc::invalid_input naming the field, for one that breaks its type or that we do not take
// (a message body unknown to v7, setupAcknowledge, notify, H.235 tokens).
Result<UserInformation> decodeUserInformation(std::span<const std::uint8_t> bytes);

} // namespace sb::h323::h225
