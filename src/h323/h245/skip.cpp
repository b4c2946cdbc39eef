#include "h323/h245/skip.hpp"

#include "h323/h245/capability.hpp"
#include "h323/per/additions.hpp"

#include <array>

namespace sb::h323::h245::skip {

using per::Decoder;

void openType(Decoder& d) {
    std::vector<std::uint8_t> storage;
    (void)d.openType(storage);
}

void additions(Decoder& d, bool extended) {
    if (extended) per::readAdditions(d, [](std::size_t, Decoder&) { return false; });
}

namespace {

// A SEQUENCE { …, ... }'s preamble: its extension bit, then `optionals` presence bits.
template <std::size_t N>
bool preamble(Decoder& d, std::array<bool, N>& present) {
    const bool extended = d.bit();
    for (bool& p : present)
        p = d.bit();
    return extended;
}

void booleans(Decoder& d, int n) {
    (void)d.bits(static_cast<unsigned>(n));
}

// H261VideoCapability ::= SEQUENCE { qcifMPI INTEGER (1..4) OPTIONAL, cifMPI INTEGER (1..4)
// OPTIONAL, temporalSpatialTradeOffCapability BOOLEAN, maxBitRate INTEGER (1..19200),
// stillImageTransmission BOOLEAN, ..., … }
void h261(Decoder& d) {
    std::array<bool, 2> present{};
    const bool extended = preamble(d, present);
    for (bool p : present)
        if (p) (void)d.integer(1, 4);
    booleans(d, 1);
    (void)d.integer(1, 19200);
    booleans(d, 1);
    additions(d, extended);
}

// H262VideoCapability ::= SEQUENCE { eleven profileAndLevel BOOLEANs, videoBitRate INTEGER
// (0..1073741823) OPTIONAL, vbvBufferSize (0..262143) OPTIONAL, samplesPerLine (0..16383)
// OPTIONAL, linesPerFrame (0..16383) OPTIONAL, framesPerSecond (0..15) OPTIONAL,
// luminanceSampleRate (0..4294967295) OPTIONAL, ..., … }
void h262(Decoder& d) {
    std::array<bool, 6> present{};
    const bool extended = preamble(d, present);
    booleans(d, 11);
    constexpr std::array<std::int64_t, 6> ub{1073741823, 262143, 16383, 16383, 15, 4294967295};
    for (std::size_t i = 0; i < ub.size(); ++i)
        if (present[i]) (void)d.integer(0, ub[i]);
    additions(d, extended);
}

// H263VideoCapability ::= SEQUENCE { sqcifMPI, qcifMPI, cifMPI, cif4MPI, cif16MPI INTEGER
// (1..32) OPTIONAL, maxBitRate INTEGER (1..192400), five BOOLEANs, hrd-B INTEGER (0..524287)
// OPTIONAL, bppMaxKb INTEGER (0..65535) OPTIONAL, ..., … } (its H263Options are an addition)
void h263(Decoder& d) {
    std::array<bool, 7> present{};
    const bool extended = preamble(d, present);
    for (std::size_t i = 0; i < 5; ++i)
        if (present[i]) (void)d.integer(1, 32);
    (void)d.integer(1, 192400);
    booleans(d, 5);
    if (present[5]) (void)d.integer(0, 524287);
    if (present[6]) (void)d.integer(0, 65535);
    additions(d, extended);
}

// IS11172VideoCapability ::= SEQUENCE { constrainedBitstream BOOLEAN, videoBitRate (0..
// 1073741823), vbvBufferSize (0..262143), samplesPerLine (0..16383), linesPerFrame (0..16383),
// pictureRate (0..15), luminanceSampleRate (0..4294967295), each OPTIONAL, ..., … }
void is11172Video(Decoder& d) {
    std::array<bool, 6> present{};
    const bool extended = preamble(d, present);
    booleans(d, 1);
    constexpr std::array<std::int64_t, 6> ub{1073741823, 262143, 16383, 16383, 15, 4294967295};
    for (std::size_t i = 0; i < ub.size(); ++i)
        if (present[i]) (void)d.integer(0, ub[i]);
    additions(d, extended);
}

// T84Profile ::= CHOICE { t84Unrestricted NULL, t84Restricted SEQUENCE { nineteen BOOLEANs,
// ... } }
void t84Profile(Decoder& d) {
    if (d.choice(2, false).index == 0) return;
    const bool extended = d.bit();
    booleans(d, 19);
    additions(d, extended);
}

} // namespace

std::string videoCapability(Decoder& d) {
    // VideoCapability ::= CHOICE { nonStandard, h261VideoCapability, h262VideoCapability,
    // h263VideoCapability, is11172VideoCapability, ..., genericVideoCapability, … }
    const auto alt = d.choice(5, true);
    if (alt.extension) {
        openType(d);
        return alt.index == 0 ? "genericVideoCapability" : "videoCapabilityExtension";
    }
    switch (alt.index) {
    case 0:
        skipNonStandardParameter(d);
        return "nonStandard";
    case 1:
        h261(d);
        return "h261VideoCapability";
    case 2:
        h262(d);
        return "h262VideoCapability";
    case 3:
        h263(d);
        return "h263VideoCapability";
    default:
        is11172Video(d);
        return "is11172VideoCapability";
    }
}

void dataProtocolCapability(Decoder& d) {
    // DataProtocolCapability ::= CHOICE { nonStandard, v14buffered, v42lapm,
    // hdlcFrameTunnelling, h310SeparateVCStack, h310SingleVCStack, transparent (each NULL),
    // ..., … }
    const auto alt = d.choice(7, true);
    if (alt.extension) return openType(d);
    if (alt.index == 0) skipNonStandardParameter(d);
}

std::string dataApplicationCapability(Decoder& d) {
    // DataApplicationCapability ::= SEQUENCE { application CHOICE { nonStandard, t120,
    // dsm-cc, userData (each DataProtocolCapability), t84 SEQUENCE { t84Protocol, t84Profile },
    // t434, h224 (DataProtocolCapability), nlpid SEQUENCE { nlpidProtocol, nlpidData OCTET
    // STRING }, dsvdControl NULL, h222DataPartitioning, ..., t38fax, … }, maxBitRate INTEGER
    // (0..4294967295), ... }
    static constexpr std::array<const char*, 10> kNames{
        "nonStandard", "t120", "dsm-cc", "userData",    "t84",
        "t434",        "h224", "nlpid",  "dsvdControl", "h222DataPartitioning"};
    const bool extended = d.bit();
    const auto alt = d.choice(kNames.size(), true);
    std::string name = "dataExtension";
    if (alt.extension) {
        openType(d);
    } else {
        name = kNames[std::min<std::size_t>(alt.index, kNames.size() - 1)];
        switch (alt.index) {
        case 0:
            skipNonStandardParameter(d);
            break;
        case 4:
            dataProtocolCapability(d);
            t84Profile(d);
            break;
        case 7:
            dataProtocolCapability(d);
            (void)d.octetString(0, per::kUnbounded);
            break;
        case 8:
            break;
        default:
            dataProtocolCapability(d);
        }
    }
    (void)d.integer(0, 4294967295);
    additions(d, extended);
    return name;
}

void audioAlternative(Decoder& d, std::uint64_t index) {
    switch (index) {
    case 0:
        return skipNonStandardParameter(d);
    case 8: // g7231 SEQUENCE { maxAl-sduAudioFrames INTEGER (1..256), silenceSuppression }
        (void)d.integer(1, 256);
        return booleans(d, 1);
    case 12: { // IS11172AudioCapability: eight BOOLEANs, bitRate INTEGER (1..448), ...
        const bool extended = d.bit();
        booleans(d, 8);
        (void)d.integer(1, 448);
        return additions(d, extended);
    }
    case 13: { // IS13818AudioCapability: twenty BOOLEANs, bitRate INTEGER (1..1130), ...
        const bool extended = d.bit();
        booleans(d, 20);
        (void)d.integer(1, 1130);
        return additions(d, extended);
    }
    default:
        (void)d.integer(1, 256); // the INTEGER (1..256) alternatives
    }
}

std::string encryptionMode(Decoder& d) {
    // EncryptionMode ::= CHOICE { nonStandard, h233Encryption NULL, ... }
    const auto alt = d.choice(2, true);
    if (alt.extension)
        openType(d);
    else if (alt.index == 0)
        skipNonStandardParameter(d);
    return "encryptionData";
}

} // namespace sb::h323::h245::skip
