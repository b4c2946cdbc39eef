#pragma once
// H.225.0's GenericData (v4 and later), the extensible way to carry what a message has no field
// for, and with it the tags an escalation's calls carry end to end (room::Dial::tags: the trace
// id, the expert's and the escalation's ids). Switchboard's tags go in the H323-UU-PDU's
// genericData of the Setup: one GenericData whose id is Switchboard's own GloballyUniqueID
// (kTagsIdentifier), with a parameter for each tag whose id is its position (standard 1, 2, …)
// and whose content is the text "Name=value" (the SIP side's X-IF-Name: value).
// docs/features/h323.md shows them as tshark reads them.
//
// GenericData ::= SEQUENCE { id GenericIdentifier, parameters SEQUENCE (SIZE (1..512)) OF
//   EnumeratedParameter OPTIONAL, ... }
// GenericIdentifier ::= CHOICE { standard INTEGER (0..16383, ...), oid OBJECT IDENTIFIER,
//   nonStandard GloballyUniqueID, ... }
// EnumeratedParameter ::= SEQUENCE { id GenericIdentifier, content Content OPTIONAL, ... }
// Content ::= CHOICE { raw OCTET STRING, text IA5String, unicode BMPString, bool BOOLEAN,
//   number8 INTEGER (0..255), number16 INTEGER (0..65535), number32 INTEGER (0..4294967295),
//   id GenericIdentifier, alias AliasAddress, transport TransportAddress, compound SEQUENCE
//   (SIZE (1..512)) OF EnumeratedParameter, nested SEQUENCE (SIZE (1..16)) OF GenericData, ... }
// A peer's content other than text is read past and kept as absent.

#include "h323/h225/types.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sb::h323::h225 {

struct GenericIdentifier {
    enum class Kind : std::uint8_t { standard, oid, nonStandard, other } kind = Kind::standard;
    std::uint32_t standard = 0; // kind standard: 0..16383 (larger only as an extension)
    per::ObjectIdentifier oid;  // kind oid
    Guid nonStandard{};         // kind nonStandard
    // kind other: a later version's alternative, kept as it came (its index among the
    // extensions and its open type's octets) and sent back so.
    std::uint64_t extension = 0;
    std::vector<std::uint8_t> extensionValue;
    bool operator==(const GenericIdentifier&) const = default;
};

struct EnumeratedParameter {
    GenericIdentifier id;
    std::optional<std::string> text; // content text; nullopt: none, or of another kind
    bool operator==(const EnumeratedParameter&) const = default;
};

struct GenericData {
    GenericIdentifier id;
    std::vector<EnumeratedParameter> parameters; // empty: absent
    bool operator==(const GenericData&) const = default;
};

void encode(per::Encoder& e, const GenericData& data);
GenericData decodeGenericData(per::Decoder& d);
// SEQUENCE OF GenericData.
void encode(per::Encoder& e, const std::vector<GenericData>& list);
std::vector<GenericData> decodeGenericDataList(per::Decoder& d);

// Switchboard's GenericData identifier: a GloballyUniqueID of its own (a random UUID, RFC 9562
// version 4, 6f1c54e2-8a3d-4b7e-9c11-5d0a7e3b2f48).
inline constexpr Guid kTagsIdentifier{0x6f, 0x1c, 0x54, 0xe2, 0x8a, 0x3d, 0x4b, 0x7e,
                                      0x9c, 0x11, 0x5d, 0x0a, 0x7e, 0x3b, 0x2f, 0x48};
using Tags = std::vector<std::pair<std::string, std::string>>;
// The tags as Switchboard's GenericData; a tag that is not IA5 text (ASCII) or has '=' in its
// name is left out. Empty tags: nullopt.
std::optional<GenericData> tagsData(const Tags& tags);
// The tags in a message's genericData (Switchboard's GenericData; others are not tags).
Tags tagsOf(const std::vector<GenericData>& list);

} // namespace sb::h323::h225
