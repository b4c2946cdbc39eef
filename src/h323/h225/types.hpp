#pragma once
// H.225.0 (v7, 12/2009) types shared by RAS and call signalling, as C++ values with their
// aligned PER encoders and decoders (h323/per). Only what we speak is modelled; the rest of a
// type that is extensible is skipped on decoding, and refused where it is a root alternative
// we do not take (the error names the field).

#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sb::h323::h225 {

// ProtocolIdentifier: itu-t(0) recommendation(0) h(8) 2250 version(0) 7 for H.225.0 v7.
inline constexpr per::ObjectIdentifier kProtocolIdentifier{0, 0, 8, 2250, 0, 7};

// TransportAddress ::= CHOICE { ipAddress SEQUENCE { ip OCTET STRING (SIZE (4)), port
// INTEGER (0..65535) }, ipSourceRoute, ipxAddress, ip6Address, netBios, nsap,
// nonStandardAddress, ... }: the IPv4 alternative.
struct TransportAddress {
    std::array<std::uint8_t, 4> ip{};
    std::uint16_t port = 0;
    bool operator==(const TransportAddress&) const = default;
};
void encode(per::Encoder& e, const TransportAddress& address);
TransportAddress decodeTransportAddress(per::Decoder& d);

// AliasAddress ::= CHOICE { dialedDigits IA5String (SIZE (1..128)) (FROM ("0123456789#*,")),
// h323-ID BMPString (SIZE (1..256)), ..., url-ID, transportID, email-ID, partyNumber, … }.
// An extension alternative (url-ID, partyNumber, …) is kept as it came and sent back so.
struct DialedDigits {
    std::string digits;
    bool operator==(const DialedDigits&) const = default;
};
struct H323Id {
    std::u16string name;
    bool operator==(const H323Id&) const = default;
};
struct OtherAlias {
    std::uint64_t extension = 0; // its index among the additions
    std::vector<std::uint8_t> value;
    bool operator==(const OtherAlias&) const = default;
};
using AliasAddress = std::variant<DialedDigits, H323Id, OtherAlias>;
void encode(per::Encoder& e, const AliasAddress& alias);
AliasAddress decodeAliasAddress(per::Decoder& d);

// VendorIdentifier ::= SEQUENCE { vendor H221NonStandard { t35CountryCode, t35Extension INTEGER
// (0..255), manufacturerCode INTEGER (0..65535), ... }, productId OCTET STRING (SIZE (1..256))
// OPTIONAL, versionId OCTET STRING (SIZE (1..256)) OPTIONAL, ..., enterpriseNumber }: who
// made a peer, for the log.
struct Vendor {
    std::uint8_t t35CountryCode = 0, t35Extension = 0;
    std::uint16_t manufacturerCode = 0;
    std::string productId, versionId; // empty: absent
    bool operator==(const Vendor&) const = default;
};
void encode(per::Encoder& e, const Vendor& vendor);
Vendor decodeVendor(per::Decoder& d);

// EndpointType ::= SEQUENCE { nonStandardData OPTIONAL, vendor VendorIdentifier OPTIONAL,
// gatekeeper GatekeeperInfo OPTIONAL, gateway GatewayInfo OPTIONAL, mcu McuInfo OPTIONAL,
// terminal TerminalInfo OPTIONAL, mc BOOLEAN, undefinedNode BOOLEAN, ..., set, … }: what kind
// of endpoint sends it. The Info types are sent empty; a peer's protocols and non-standard
// data in them are read past.
struct EndpointType {
    std::optional<Vendor> vendor;
    bool gatekeeper = false, gateway = false, mcu = false, terminal = true;
    bool mc = false, undefinedNode = false;
    bool operator==(const EndpointType&) const = default;
};
void encode(per::Encoder& e, const EndpointType& type);
EndpointType decodeEndpointType(per::Decoder& d);

// GloballyUniqueID ::= OCTET STRING (SIZE (16)): a conferenceID or a callIdentifier's guid.
using Guid = std::array<std::uint8_t, 16>;
void encodeGuid(per::Encoder& e, const Guid& guid);
Guid decodeGuid(per::Decoder& d);
// CallIdentifier ::= SEQUENCE { guid GloballyUniqueID, ... }
void encodeCallIdentifier(per::Encoder& e, const Guid& guid);
Guid decodeCallIdentifier(per::Decoder& d);

// NonStandardParameter ::= SEQUENCE { nonStandardIdentifier CHOICE { object OBJECT IDENTIFIER,
// h221NonStandard H221NonStandard, ... }, data OCTET STRING }: read past.
void skipNonStandardParameter(per::Decoder& d);

// SEQUENCE OF AliasAddress, each at least 9 bits (a choice index and a length).
void encode(per::Encoder& e, const std::vector<AliasAddress>& aliases);
std::vector<AliasAddress> decodeAliases(per::Decoder& d, const char* name);

// Skips what a SEQUENCE's extension bit announces: the presence bitmap and each present
// addition's open type (§19.9: an extension we do not know is ignored).
void skipExtensions(per::Decoder& d, bool extended);

} // namespace sb::h323::h225
