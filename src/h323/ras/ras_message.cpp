#include "h323/ras/ras_message.hpp"

namespace sb::h323::ras {
namespace {

using per::Decoder;
using per::Encoder;

constexpr std::uint64_t kRootAlternatives = 25; // gatekeeperRequest … unknownMessageResponse

void encodeGrq(Encoder& e, const GatekeeperRequest& m) {
    e.bit(false); // no extension additions
    for (bool present :
         {false, m.gatekeeperIdentifier.has_value(), false, !m.endpointAlias.empty()})
        e.bit(present); // nonStandardData, gatekeeperIdentifier, callServices, endpointAlias
    e.integer(m.requestSeqNum, 1, 65535);
    e.objectIdentifier(m.protocolIdentifier);
    h225::encode(e, m.rasAddress);
    h225::encode(e, m.endpointType);
    if (m.gatekeeperIdentifier) e.bmpString(*m.gatekeeperIdentifier, 1, 128);
    if (!m.endpointAlias.empty()) h225::encode(e, m.endpointAlias);
}

GatekeeperRequest decodeGrq(Decoder& d) {
    GatekeeperRequest m;
    const bool extended = d.bit();
    const bool hasNonStandard = d.bit(), hasGatekeeper = d.bit(), hasServices = d.bit(),
               hasAlias = d.bit();
    {
        Decoder::Field f(d, "requestSeqNum");
        m.requestSeqNum = static_cast<std::uint16_t>(d.integer(1, 65535));
    }
    {
        Decoder::Field f(d, "protocolIdentifier");
        m.protocolIdentifier = d.objectIdentifier();
    }
    if (hasNonStandard) {
        d.fail("nonStandardData is not taken");
        return m;
    }
    {
        Decoder::Field f(d, "rasAddress");
        m.rasAddress = h225::decodeTransportAddress(d);
    }
    {
        Decoder::Field f(d, "endpointType");
        m.endpointType = h225::decodeEndpointType(d);
    }
    if (hasGatekeeper) {
        Decoder::Field f(d, "gatekeeperIdentifier");
        m.gatekeeperIdentifier = d.bmpString(1, 128);
    }
    if (hasServices) {
        d.fail("callServices is not taken");
        return m;
    }
    if (hasAlias) m.endpointAlias = h225::decodeAliases(d, "endpointAlias");
    h225::skipExtensions(d, extended);
    return m;
}

} // namespace

std::vector<std::uint8_t> encode(const RasMessage& message) {
    Encoder e;
    e.choice(0, kRootAlternatives, true);
    encodeGrq(e, std::get<GatekeeperRequest>(message));
    return e.finish();
}

Result<RasMessage> decode(std::span<const std::uint8_t> bytes) {
    Decoder d(bytes);
    const auto alt = d.choice(kRootAlternatives, true);
    if (!d.ok()) return fail(d.finish().error());
    if (alt.extension || alt.index != 0) {
        d.fail("only gatekeeperRequest is taken yet");
        return fail(d.finish().error());
    }
    Decoder::Field f(d, "gatekeeperRequest");
    auto grq = decodeGrq(d);
    if (auto done = d.finish(); !done) return fail(done.error());
    return RasMessage(std::move(grq));
}

} // namespace sb::h323::ras
