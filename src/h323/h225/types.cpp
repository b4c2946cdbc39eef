#include "h323/h225/types.hpp"

namespace sb::h323::h225 {

using per::Decoder;
using per::Encoder;

void skipExtensions(Decoder& d, bool extended) {
    if (!extended) return;
    for (bool present : d.extensionPresence()) {
        if (!d.ok()) return;
        if (present) (void)d.openType();
    }
}

void encode(Encoder& e, const TransportAddress& a) {
    e.choice(0, 7, true); // ipAddress
    e.octetString(a.ip, 4, 4);
    e.integer(a.port, 0, 65535);
}

TransportAddress decodeTransportAddress(Decoder& d) {
    TransportAddress a;
    const auto alt = d.choice(7, true);
    if (alt.extension || alt.index != 0) {
        d.fail("only ipAddress is taken");
        return a;
    }
    Decoder::Field f(d, "ipAddress");
    const auto ip = d.octetString(4, 4);
    if (ip.size() == 4) std::copy(ip.begin(), ip.end(), a.ip.begin());
    a.port = static_cast<std::uint16_t>(d.integer(0, 65535));
    return a;
}

void encode(Encoder& e, const AliasAddress& alias) {
    if (const auto* digits = std::get_if<DialedDigits>(&alias)) {
        e.choice(0, 2, true);
        return e.characterString(digits->digits, per::kDialedDigits, 1, 128);
    }
    e.choice(1, 2, true);
    e.bmpString(std::get<H323Id>(alias).name, 1, 256);
}

AliasAddress decodeAliasAddress(Decoder& d) {
    const auto alt = d.choice(2, true);
    if (alt.extension) {
        d.fail("only dialedDigits and h323-ID are taken");
        return DialedDigits{};
    }
    if (alt.index == 0) {
        Decoder::Field f(d, "dialedDigits");
        return DialedDigits{d.characterString(per::kDialedDigits, 1, 128)};
    }
    Decoder::Field f(d, "h323-ID");
    return H323Id{d.bmpString(1, 256)};
}

void encode(Encoder& e, const EndpointType& t) {
    e.bit(false); // no extension additions
    // nonStandardData, vendor, gatekeeper, gateway, mcu, terminal
    for (bool present : {false, false, false, t.gateway, false, t.terminal})
        e.bit(present);
    if (t.gateway) { // GatewayInfo ::= SEQUENCE { protocol … OPTIONAL, nonStandardData OPTIONAL,
                     // ... }
        e.bit(false);
        e.bit(false);
        e.bit(false);
    }
    if (t.terminal) { // TerminalInfo ::= SEQUENCE { nonStandardData OPTIONAL, ... }
        e.bit(false);
        e.bit(false);
    }
    e.bit(t.mc);
    e.bit(t.undefinedNode);
}

EndpointType decodeEndpointType(Decoder& d) {
    EndpointType t;
    const bool extended = d.bit();
    bool present[6];
    for (bool& p : present)
        p = d.bit();
    if (present[0] || present[1] || present[2] || present[4]) {
        d.fail("nonStandardData, vendor, gatekeeper and mcu are not taken");
        return t;
    }
    t.gateway = present[3];
    t.terminal = present[5];
    if (t.gateway) {
        Decoder::Field f(d, "gateway");
        const bool ext = d.bit();
        if (d.bit() || d.bit()) d.fail("protocol and nonStandardData are not taken");
        skipExtensions(d, ext);
    }
    if (t.terminal) {
        Decoder::Field f(d, "terminal");
        const bool ext = d.bit();
        if (d.bit()) d.fail("nonStandardData is not taken");
        skipExtensions(d, ext);
    }
    t.mc = d.bit();
    t.undefinedNode = d.bit();
    skipExtensions(d, extended);
    return t;
}

} // namespace sb::h323::h225
