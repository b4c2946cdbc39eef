#pragma once
// H.225.0 RAS (§7.7 ff., UDP 1719): RasMessage ::= CHOICE { gatekeeperRequest, …, 25 root
// alternatives, ... } with its aligned PER. Built one message at a time (issue 16): the
// GatekeeperRequest (GRQ) first.

#include "core/result.hpp"
#include "h323/h225/types.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace sb::h323::ras {

// GatekeeperRequest ::= SEQUENCE { requestSeqNum INTEGER (1..65535), protocolIdentifier,
// nonStandardData OPTIONAL, rasAddress TransportAddress, endpointType EndpointType,
// gatekeeperIdentifier BMPString (SIZE (1..128)) OPTIONAL, callServices OPTIONAL,
// endpointAlias SEQUENCE OF AliasAddress OPTIONAL, ..., alternateEndpoints, tokens, … }.
struct GatekeeperRequest {
    std::uint16_t requestSeqNum = 1;
    std::vector<std::uint32_t> protocolIdentifier = h225::kProtocolIdentifier;
    h225::TransportAddress rasAddress;
    h225::EndpointType endpointType;
    std::optional<std::u16string> gatekeeperIdentifier;
    std::vector<h225::AliasAddress> endpointAlias; // empty: absent
    bool operator==(const GatekeeperRequest&) const = default;
};

using RasMessage = std::variant<GatekeeperRequest>;

std::vector<std::uint8_t> encode(const RasMessage& message);
// Errc::invalid_input naming the field (per::Decoder's path), for a message that breaks its
// type or is one we do not take yet.
Result<RasMessage> decode(std::span<const std::uint8_t> bytes);

} // namespace sb::h323::ras
