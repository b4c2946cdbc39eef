#include "h323/h245/capability.hpp"

#include "h323/h245/skip.hpp"
#include "h323/per/alphabet.hpp"

#include <array>

namespace sb::h323::h245 {

using per::Decoder;
using per::Encoder;

namespace {

// AudioCapability's root alternatives (14) and the extension ones we take.
constexpr std::uint64_t kAudioRoot = 14;
constexpr std::uint64_t kG711Alaw64k = 1, kG711Ulaw64k = 3, kG722_64k = 5, kG729 = 10,
                        kG729AnnexA = 11;
constexpr std::uint64_t kGsmFullRate = 3, kGenericAudio = 6; // extension indexes
constexpr std::array<const char*, kAudioRoot> kAudioNames{"nonStandard",
                                                          "g711Alaw64k",
                                                          "g711Alaw56k",
                                                          "g711Ulaw64k",
                                                          "g711Ulaw56k",
                                                          "g722-64k",
                                                          "g722-56k",
                                                          "g722-48k",
                                                          "g7231",
                                                          "g728",
                                                          "g729",
                                                          "g729AnnexA",
                                                          "is11172AudioCapability",
                                                          "is13818AudioCapability"};
constexpr std::array<const char*, 11> kAudioExtensionNames{"g729wAnnexB",
                                                           "g729AnnexAwAnnexB",
                                                           "g7231AnnexCCapability",
                                                           "gsmFullRate",
                                                           "gsmHalfRate",
                                                           "gsmEnhancedFullRate",
                                                           "genericAudioCapability",
                                                           "g729Extensions",
                                                           "vbd",
                                                           "audioTelephonyEvent",
                                                           "audioTone"};

// Capability's root alternatives (12); 4, 5 and 6 are the audio ones.
constexpr std::uint64_t kCapabilityRoot = 12, kReceiveAudio = 4;
constexpr std::array<const char*, kCapabilityRoot> kCapabilityNames{
    "nonStandard",
    "receiveVideoCapability",
    "transmitVideoCapability",
    "receiveAndTransmitVideoCapability",
    "receiveAudioCapability",
    "transmitAudioCapability",
    "receiveAndTransmitAudioCapability",
    "receiveDataApplicationCapability",
    "transmitDataApplicationCapability",
    "receiveAndTransmitDataApplicationCapability",
    "h233EncryptionTransmitCapability",
    "h233EncryptionReceiveCapability"};
constexpr std::array<const char*, 17> kCapabilityExtensionNames{
    "conferenceCapability",
    "h235SecurityCapability",
    "maxPendingReplacementFor",
    "receiveUserInputCapability",
    "transmitUserInputCapability",
    "receiveAndTransmitUserInputCapability",
    "genericControlCapability",
    "receiveMultiplexedStreamCapability",
    "transmitMultiplexedStreamCapability",
    "receiveAndTransmitMultiplexedStreamCapability",
    "receiveRTPAudioTelephonyEventCapability",
    "receiveRTPAudioToneCapability",
    "depFecCapability",
    "multiplePayloadStreamCapability",
    "fecCapability",
    "redundancyEncodingCap",
    "oneOfCapabilities"};

template <std::size_t N>
std::string nameOf(const std::array<const char*, N>& names, std::uint64_t index) {
    return index < N ? names[index] : "an extension unknown to H.245 v15";
}

// The value ranges of ParameterValue's numeric alternatives, in order of Kind.
constexpr std::array<std::int64_t, 6> kParameterMax{0, 255, 65535, 65535, 4294967295, 4294967295};
constexpr std::size_t kParameterValueRoot = 8;

void encode(Encoder& e, const GenericParameter& p) {
    e.bit(false);            // no extension additions
    e.bit(false);            // supersedes absent
    e.choice(0, 4, true);    // parameterIdentifier: standard
    e.integer(p.id, 0, 127); //
    const auto kind = static_cast<std::size_t>(p.kind);
    e.choice(kind, kParameterValueRoot, true);
    if (kind != 0) e.integer(p.value, 0, kParameterMax[kind]);
}

void encodeParameters(Encoder& e, const std::vector<GenericParameter>& params) {
    e.items(params.size(), [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i)
            encode(e, params[i]);
    });
}

// Skips a ParameterIdentifier, giving false when it is not a standard one (whose number goes
// to `id`).
bool decodeParameterIdentifier(Decoder& d, std::uint8_t& id) {
    // ParameterIdentifier ::= CHOICE { standard INTEGER (0..127), h221NonStandard, uuid OCTET
    // STRING (SIZE (16)), domainBased IA5String (SIZE (1..64)), ... }
    const auto alt = d.choice(4, true);
    if (alt.extension) {
        skip::openType(d);
        return false;
    }
    switch (alt.index) {
    case 0:
        id = static_cast<std::uint8_t>(d.integer(0, 127));
        return true;
    case 1:
        skipNonStandardParameter(d);
        return false;
    case 2:
        (void)d.octetString(16, 16);
        return false;
    default:
        (void)d.characterString(per::kIa5, 1, 64);
        return false;
    }
}

constexpr int kMostParameterDepth = 4; // genericParameter values nest; a peer's do not go deep

// GenericParameter; appended to `out` when it is one we keep (standard, numeric).
void decodeParameter(Decoder& d, std::vector<GenericParameter>& out, int depth);

void decodeParameters(Decoder& d, std::vector<GenericParameter>& out, int depth) {
    if (depth > kMostParameterDepth) return d.fail("generic parameters nest too deep");
    // Each parameter takes at least 6 bits (its bits, an identifier and a value index).
    (void)d.items(per::kUnbounded, 6, [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count && d.ok(); ++i) {
            Decoder::Field f(d, "parameter", static_cast<int>(i));
            decodeParameter(d, out, depth);
        }
    });
}

void decodeParameter(Decoder& d, std::vector<GenericParameter>& out, int depth) {
    const bool extended = d.bit();
    const bool hasSupersedes = d.bit();
    GenericParameter p;
    const bool standard = decodeParameterIdentifier(d, p.id);
    const auto value = d.choice(kParameterValueRoot, true);
    bool numeric = false;
    if (value.extension) {
        skip::openType(d);
    } else if (value.index == 6) {
        (void)d.octetString(0, per::kUnbounded);
    } else if (value.index == 7) {
        std::vector<GenericParameter> nested;
        decodeParameters(d, nested, depth + 1);
    } else {
        numeric = true;
        p.kind = static_cast<GenericParameter::Kind>(value.index);
        if (value.index != 0)
            p.value = static_cast<std::uint32_t>(d.integer(0, kParameterMax[value.index]));
    }
    if (hasSupersedes)
        (void)d.items(per::kUnbounded, 3, [&](std::uint64_t first, std::uint64_t count) {
            std::uint8_t unused = 0;
            for (std::uint64_t i = first; i < first + count && d.ok(); ++i)
                (void)decodeParameterIdentifier(d, unused);
        });
    skip::additions(d, extended);
    if (standard && numeric) out.push_back(p);
}

void encode(Encoder& e, const GenericCapability& c) {
    e.bit(false); // no extension additions
    for (bool present :
         {c.maxBitRate.has_value(), !c.collapsing.empty(), !c.nonCollapsing.empty(), false, false})
        e.bit(present);   // maxBitRate, collapsing, nonCollapsing, nonCollapsingRaw, transport
    e.choice(0, 4, true); // capabilityIdentifier: standard
    e.objectIdentifier(c.identifier);
    if (c.maxBitRate) e.integer(*c.maxBitRate, 0, 4294967295);
    if (!c.collapsing.empty()) encodeParameters(e, c.collapsing);
    if (!c.nonCollapsing.empty()) encodeParameters(e, c.nonCollapsing);
}

// False when the capability's identifier is not a standard one (read past all the same).
bool decodeGenericCapability(Decoder& d, GenericCapability& c) {
    const bool extended = d.bit();
    std::array<bool, 5> present{};
    for (bool& p : present)
        p = d.bit();
    const auto id = d.choice(4, true);
    bool standard = false;
    if (id.extension) {
        skip::openType(d);
    } else if (id.index == 0) {
        c.identifier = d.objectIdentifierOrEmpty();
        standard = !c.identifier.empty(); // one too long to keep is left out
    } else if (id.index == 1) {
        skipNonStandardParameter(d);
    } else if (id.index == 2) {
        (void)d.octetString(16, 16);
    } else {
        (void)d.characterString(per::kIa5, 1, 64);
    }
    if (present[0]) c.maxBitRate = static_cast<std::uint32_t>(d.integer(0, 4294967295));
    if (present[1]) {
        Decoder::Field f(d, "collapsing");
        decodeParameters(d, c.collapsing, 0);
    }
    if (present[2]) {
        Decoder::Field f(d, "nonCollapsing");
        decodeParameters(d, c.nonCollapsing, 0);
    }
    if (present[3]) (void)d.octetString(0, per::kUnbounded);
    if (present[4]) skip::dataProtocolCapability(d);
    skip::additions(d, extended);
    return standard;
}

// GSMAudioCapability ::= SEQUENCE { audioUnitSize INTEGER (1..256), comfortNoise BOOLEAN,
// scrambled BOOLEAN, ... }
void encodeGsm(Encoder& e, const AudioCapability& c) {
    e.bit(false);
    e.integer(c.frames, 1, 256);
    e.bit(c.comfortNoise);
    e.bit(c.scrambled);
}

void decodeGsm(Decoder& d, AudioCapability& c) {
    const bool extended = d.bit();
    c.frames = static_cast<std::uint16_t>(d.integer(1, 256));
    c.comfortNoise = d.bit();
    c.scrambled = d.bit();
    skip::additions(d, extended);
}

} // namespace

void encode(Encoder& e, const UnicastAddress& a) {
    e.choice(0, 2, true); // unicastAddress
    e.choice(0, 5, true); // iPAddress
    e.bit(false);         // no extension additions
    e.octetString(a.ip, 4, 4);
    e.integer(a.port, 0, 65535);
}

UnicastAddress decodeUnicastAddress(Decoder& d) {
    UnicastAddress a;
    const auto kind = d.choice(2, true);
    const auto unicast =
        kind.extension || kind.index != 0 ? Decoder::Alternative{1, true} : d.choice(5, true);
    if (unicast.extension || unicast.index != 0) {
        d.fail("only a unicast iPAddress is taken");
        return a;
    }
    const bool extended = d.bit();
    d.fixedOctetString(a.ip);
    a.port = static_cast<std::uint16_t>(d.integer(0, 65535));
    skip::additions(d, extended);
    return a;
}

void skipNonStandardParameter(Decoder& d) {
    Decoder::Field f(d, "nonStandard");
    if (d.choice(2, false).index == 0) {
        (void)d.objectIdentifierOrEmpty();
    } else {
        (void)d.integer(0, 255);
        (void)d.integer(0, 255);
        (void)d.integer(0, 65535);
    }
    (void)d.octetString(0, per::kUnbounded);
}

void encode(Encoder& e, const AudioCapability& c) {
    switch (c.codec) {
    case AudioCodec::g711Alaw64k:
        e.choice(kG711Alaw64k, kAudioRoot, true);
        break;
    case AudioCodec::g711Ulaw64k:
        e.choice(kG711Ulaw64k, kAudioRoot, true);
        break;
    case AudioCodec::g722_64k:
        e.choice(kG722_64k, kAudioRoot, true);
        break;
    case AudioCodec::g729:
        e.choice(kG729, kAudioRoot, true);
        break;
    case AudioCodec::g729AnnexA:
        e.choice(kG729AnnexA, kAudioRoot, true);
        break;
    case AudioCodec::gsmFullRate:
        e.choiceExtension(kGsmFullRate);
        return e.openType([&](Encoder& inner) { encodeGsm(inner, c); });
    case AudioCodec::generic:
        e.choiceExtension(kGenericAudio);
        return e.openType([&](Encoder& inner) { encode(inner, c.generic); });
    }
    e.integer(c.frames, 1, 256);
}

bool decodeAudioCapability(Decoder& d, AudioCapability& c, std::string& other) {
    const auto alt = d.choice(kAudioRoot, true);
    if (alt.extension) {
        std::vector<std::uint8_t> storage;
        const auto value = d.openType(storage);
        if (alt.index != kGsmFullRate && alt.index != kGenericAudio) {
            other = nameOf(kAudioExtensionNames, alt.index);
            return false;
        }
        Decoder::Field f(d, kAudioExtensionNames[alt.index]);
        auto inner = d.nested(value);
        bool standard = true;
        if (alt.index == kGsmFullRate) {
            c.codec = AudioCodec::gsmFullRate;
            decodeGsm(inner, c);
        } else {
            c.codec = AudioCodec::generic;
            standard = decodeGenericCapability(inner, c.generic);
        }
        d.absorb(inner);
        if (!standard) {
            other = "genericAudioCapability (not standard)";
            return false;
        }
        return true;
    }
    switch (alt.index) {
    case kG711Alaw64k:
        c.codec = AudioCodec::g711Alaw64k;
        break;
    case kG711Ulaw64k:
        c.codec = AudioCodec::g711Ulaw64k;
        break;
    case kG722_64k:
        c.codec = AudioCodec::g722_64k;
        break;
    case kG729:
        c.codec = AudioCodec::g729;
        break;
    case kG729AnnexA:
        c.codec = AudioCodec::g729AnnexA;
        break;
    default:
        other = kAudioNames[alt.index];
        skip::audioAlternative(d, alt.index);
        return false;
    }
    Decoder::Field f(d, kAudioNames[alt.index]);
    c.frames = static_cast<std::uint16_t>(d.integer(1, 256));
    return true;
}

void encode(Encoder& e, const Capability& c) {
    e.choice(kReceiveAudio + static_cast<std::uint64_t>(c.kind), kCapabilityRoot, true);
    encode(e, c.audio);
}

void decodeCapability(Decoder& d, Capability& c) {
    c.kind = Capability::Kind::other;
    const auto alt = d.choice(kCapabilityRoot, true);
    if (alt.extension) {
        skip::openType(d);
        c.other = nameOf(kCapabilityExtensionNames, alt.index);
        return;
    }
    if (alt.index >= kReceiveAudio && alt.index < kReceiveAudio + 3) {
        Decoder::Field f(d, kCapabilityNames[alt.index]);
        std::string which;
        if (decodeAudioCapability(d, c.audio, which)) {
            c.kind = static_cast<Capability::Kind>(alt.index - kReceiveAudio);
        } else {
            c.other = std::string(kCapabilityNames[alt.index]) + "." + which;
        }
        return;
    }
    c.other = kCapabilityNames[alt.index];
    switch (alt.index) {
    case 0:
        skipNonStandardParameter(d);
        break;
    case 1:
    case 2:
    case 3:
        c.other += "." + skip::videoCapability(d);
        break;
    case 7:
    case 8:
    case 9:
        c.other += "." + skip::dataApplicationCapability(d);
        break;
    case 10:
        (void)d.bit();
        break;
    default: { // SEQUENCE { h233IVResponseTime INTEGER (0..255), ... }
        const bool extended = d.bit();
        (void)d.integer(0, 255);
        skip::additions(d, extended);
    }
    }
}

void encode(Encoder& e, const DataType& t) {
    if (t.kind == DataType::Kind::null) return e.choice(1, 6, true);
    e.choice(3, 6, true); // audioData
    encode(e, t.audio);
}

void decodeDataType(Decoder& d, DataType& t) {
    t.kind = DataType::Kind::other;
    const auto alt = d.choice(6, true);
    if (alt.extension) {
        skip::openType(d);
        t.other = "dataTypeExtension";
        return;
    }
    switch (alt.index) {
    case 0:
        skipNonStandardParameter(d);
        t.other = "nonStandard";
        break;
    case 1:
        t.kind = DataType::Kind::null;
        break;
    case 2:
        t.other = "videoData." + skip::videoCapability(d);
        break;
    case 3: {
        Decoder::Field f(d, "audioData");
        std::string which;
        if (decodeAudioCapability(d, t.audio, which)) {
            t.kind = DataType::Kind::audio;
        } else {
            t.other = "audioData." + which;
        }
        break;
    }
    case 4:
        t.other = "data." + skip::dataApplicationCapability(d);
        break;
    default:
        t.other = skip::encryptionMode(d);
    }
}

} // namespace sb::h323::h245
