#include "h323/h225/types.hpp"

#include "h323/per/additions.hpp"

namespace sb::h323::h225 {

using per::Decoder;
using per::Encoder;

void skipExtensions(Decoder& d, bool extended) {
    if (extended) per::readAdditions(d, [](std::size_t, Decoder&) { return false; });
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
    d.fixedOctetString(a.ip);
    a.port = static_cast<std::uint16_t>(d.integer(0, 65535));
    return a;
}

void encode(Encoder& e, const AliasAddress& alias) {
    if (const auto* digits = std::get_if<DialedDigits>(&alias)) {
        e.choice(0, 2, true);
        return e.characterString(digits->digits, per::kDialedDigits, 1, 128);
    }
    if (const auto* other = std::get_if<OtherAlias>(&alias)) {
        e.choiceExtension(other->extension);
        return e.openTypeOctets(other->value);
    }
    e.choice(1, 2, true);
    e.bmpString(std::get<H323Id>(alias).name, 1, 256);
}

AliasAddress decodeAliasAddress(Decoder& d) {
    const auto alt = d.choice(2, true);
    if (alt.extension) return OtherAlias{alt.index, d.openType()};
    if (alt.index == 0) {
        Decoder::Field f(d, "dialedDigits");
        return DialedDigits{d.characterString(per::kDialedDigits, 1, 128)};
    }
    Decoder::Field f(d, "h323-ID");
    return H323Id{d.bmpString(1, 256)};
}

void encode(Encoder& e, const std::vector<AliasAddress>& aliases) {
    e.items(aliases.size(), [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i)
            encode(e, aliases[i]);
    });
}

std::vector<AliasAddress> decodeAliases(Decoder& d, const char* name) {
    std::vector<AliasAddress> aliases;
    (void)d.items(per::kUnbounded, 9, [&](std::uint64_t first, std::uint64_t count) {
        aliases.reserve(static_cast<std::size_t>(first + count)); // items() checked the count
        for (std::uint64_t i = first; i < first + count && d.ok(); ++i) {
            Decoder::Field f(d, name, static_cast<int>(i));
            aliases.push_back(decodeAliasAddress(d));
        }
    });
    return aliases;
}

void skipNonStandardParameter(Decoder& d) {
    Decoder::Field f(d, "nonStandardData");
    const auto id = d.choice(2, true);
    if (id.extension) {
        (void)d.openType();
    } else if (id.index == 0) {
        (void)d.objectIdentifierOrEmpty();
    } else { // H221NonStandard ::= SEQUENCE { t35CountryCode, t35Extension, manufacturerCode, ... }
        const bool extended = d.bit();
        (void)d.integer(0, 255);
        (void)d.integer(0, 255);
        (void)d.integer(0, 65535);
        skipExtensions(d, extended);
    }
    (void)d.octetString(0, per::kUnbounded);
}

namespace {

// GatekeeperInfo, TerminalInfo, McuInfo ::= SEQUENCE { nonStandardData OPTIONAL, ..., … }, and
// each of SupportedProtocols' H310Caps … T120OnlyCaps likewise: written empty, read past.
void encodeEmptyInfo(Encoder& e) {
    e.bit(false);
    e.bit(false);
}

void skipInfo(Decoder& d) {
    const bool extended = d.bit();
    if (d.bit()) skipNonStandardParameter(d);
    skipExtensions(d, extended);
}

// SupportedProtocols ::= CHOICE { nonStandardData, h310 H310Caps, …, t120-only T120OnlyCaps,
// ..., … }
void skipSupportedProtocols(Decoder& d) {
    const auto alt = d.choice(9, true);
    if (alt.extension)
        (void)d.openType();
    else if (alt.index == 0)
        skipNonStandardParameter(d);
    else
        skipInfo(d);
}

} // namespace

void encode(Encoder& e, const Vendor& v) {
    e.bit(false);
    e.bit(!v.productId.empty());
    e.bit(!v.versionId.empty());
    e.bit(false); // H221NonStandard: no extension additions
    e.integer(v.t35CountryCode, 0, 255);
    e.integer(v.t35Extension, 0, 255);
    e.integer(v.manufacturerCode, 0, 65535);
    for (const auto* text : {&v.productId, &v.versionId})
        if (!text->empty())
            e.octetString({reinterpret_cast<const std::uint8_t*>(text->data()), text->size()}, 1,
                          256);
}

Vendor decodeVendor(Decoder& d) {
    Vendor v;
    const bool extended = d.bit();
    const bool hasProduct = d.bit(), hasVersion = d.bit();
    const bool vendorExtended = d.bit();
    v.t35CountryCode = static_cast<std::uint8_t>(d.integer(0, 255));
    v.t35Extension = static_cast<std::uint8_t>(d.integer(0, 255));
    v.manufacturerCode = static_cast<std::uint16_t>(d.integer(0, 65535));
    skipExtensions(d, vendorExtended);
    const auto text = [&] {
        const auto bytes = d.octetString(1, 256);
        return std::string(bytes.begin(), bytes.end());
    };
    if (hasProduct) v.productId = text();
    if (hasVersion) v.versionId = text();
    skipExtensions(d, extended);
    return v;
}

void encode(Encoder& e, const EndpointType& t) {
    e.bit(false); // no extension additions
    // nonStandardData, vendor, gatekeeper, gateway, mcu, terminal
    for (bool present : {false, t.vendor.has_value(), t.gatekeeper, t.gateway, t.mcu, t.terminal})
        e.bit(present);
    if (t.vendor) encode(e, *t.vendor);
    if (t.gatekeeper) encodeEmptyInfo(e);
    if (t.gateway) { // GatewayInfo ::= SEQUENCE { protocol OPTIONAL, nonStandardData OPTIONAL, ...
                     // }
        e.bit(false);
        e.bit(false);
        e.bit(false);
    }
    if (t.mcu) encodeEmptyInfo(e);
    if (t.terminal) encodeEmptyInfo(e);
    e.bit(t.mc);
    e.bit(t.undefinedNode);
}

EndpointType decodeEndpointType(Decoder& d) {
    EndpointType t;
    const bool extended = d.bit();
    const auto present = d.bitmap<6>();
    if (present[0]) skipNonStandardParameter(d);
    if (present[1]) {
        Decoder::Field f(d, "vendor");
        t.vendor = decodeVendor(d);
    }
    t.gatekeeper = present[2];
    t.gateway = present[3];
    t.mcu = present[4];
    t.terminal = present[5];
    if (t.gatekeeper) skipInfo(d);
    if (t.gateway) {
        Decoder::Field f(d, "gateway");
        const bool ext = d.bit();
        const bool hasProtocol = d.bit(), hasNonStandard = d.bit();
        if (hasProtocol)
            (void)d.items(per::kUnbounded, 5, [&](std::uint64_t first, std::uint64_t count) {
                for (std::uint64_t i = first; i < first + count && d.ok(); ++i)
                    skipSupportedProtocols(d);
            });
        if (hasNonStandard) skipNonStandardParameter(d);
        skipExtensions(d, ext);
    }
    if (t.mcu) skipInfo(d);
    if (t.terminal) skipInfo(d);
    t.mc = d.bit();
    t.undefinedNode = d.bit();
    skipExtensions(d, extended);
    return t;
}

void encodeGuid(Encoder& e, const Guid& guid) {
    e.octetString(guid, 16, 16);
}

Guid decodeGuid(Decoder& d) {
    Guid guid{};
    d.fixedOctetString(guid);
    return guid;
}

void encodeCallIdentifier(Encoder& e, const Guid& guid) {
    e.bit(false);
    encodeGuid(e, guid);
}

Guid decodeCallIdentifier(Decoder& d) {
    Decoder::Field f(d, "callIdentifier");
    const bool extended = d.bit();
    const auto guid = decodeGuid(d);
    skipExtensions(d, extended);
    return guid;
}

} // namespace sb::h323::h225
