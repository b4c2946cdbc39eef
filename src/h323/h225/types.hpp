#pragma once
// H.225.0 (v7, 12/2009) types shared by RAS and call signalling, as C++ values with their
// aligned PER encoders and decoders (h323/per). Only what we speak is modelled; the rest of a
// type that is extensible is skipped on decoding, and refused where it is a root alternative
// we do not take (the error names the field).

#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace sb::h323::h225 {

// ProtocolIdentifier: itu-t(0) recommendation(0) h(8) 2250 version(0) 7 for H.225.0 v7.
inline const std::vector<std::uint32_t> kProtocolIdentifier{0, 0, 8, 2250, 0, 7};

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
struct DialedDigits {
    std::string digits;
    bool operator==(const DialedDigits&) const = default;
};
struct H323Id {
    std::u16string name;
    bool operator==(const H323Id&) const = default;
};
using AliasAddress = std::variant<DialedDigits, H323Id>;
void encode(per::Encoder& e, const AliasAddress& alias);
AliasAddress decodeAliasAddress(per::Decoder& d);

// EndpointType ::= SEQUENCE { nonStandardData OPTIONAL, vendor OPTIONAL, gatekeeper OPTIONAL,
// gateway OPTIONAL, mcu OPTIONAL, terminal TerminalInfo OPTIONAL, mc BOOLEAN, undefinedNode
// BOOLEAN, ..., set BIT STRING (SIZE (32)) OPTIONAL, … }: what kind of endpoint sends it.
// TerminalInfo and GatewayInfo are each sent empty (their nonStandardData absent).
struct EndpointType {
    bool terminal = true, gateway = false, mc = false, undefinedNode = false;
    bool operator==(const EndpointType&) const = default;
};
void encode(per::Encoder& e, const EndpointType& type);
EndpointType decodeEndpointType(per::Decoder& d);

// Skips what a SEQUENCE's extension bit announces: the presence bitmap and each present
// addition's open type (§19.9: an extension we do not know is ignored).
void skipExtensions(per::Decoder& d, bool extended);

} // namespace sb::h323::h225
