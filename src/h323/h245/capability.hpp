#pragma once
// H.245 (v15, 09/2011) capabilities as C++ values, with their aligned PER: the audio ones we
// negotiate (g711Alaw64k, g711Ulaw64k, g722-64k, g729, g729AnnexA, gsmFullRate, and a
// genericAudioCapability such as Opus), and the unicast IPv4 TransportAddress of H.225.0's
// media channels. A peer's other capabilities (video, data, non-standard, …) are read past and
// kept by name only: we answer them by leaving them out, never by refusing the peer's set.

#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::h323::h245 {

// {itu-t(0) recommendation(0) h(8) 245 version(0) 15}: the version this subset is written from.
inline constexpr per::ObjectIdentifier kProtocolIdentifier{0, 0, 8, 245, 0, 15};

// TransportAddress ::= CHOICE { unicastAddress UnicastAddress, multicastAddress, ... } with
// UnicastAddress ::= CHOICE { iPAddress SEQUENCE { network OCTET STRING (SIZE (4)),
// tsapIdentifier INTEGER (0..65535), ... }, … }: the unicast IPv4 alternative.
struct UnicastAddress {
    std::array<std::uint8_t, 4> ip{};
    std::uint16_t port = 0;
    bool operator==(const UnicastAddress&) const = default;
};
void encode(per::Encoder& e, const UnicastAddress& address);
UnicastAddress decodeUnicastAddress(per::Decoder& d);

// GenericParameter ::= SEQUENCE { parameterIdentifier CHOICE { standard INTEGER (0..127), … },
// parameterValue CHOICE { logical NULL, booleanArray INTEGER (0..255), unsignedMin, unsignedMax
// INTEGER (0..65535), unsigned32Min, unsigned32Max INTEGER (0..4294967295), … }, supersedes
// OPTIONAL, ... }: the standard identifiers with the numeric values.
struct GenericParameter {
    enum class Kind : std::uint8_t {
        logical,
        booleanArray,
        unsignedMin,
        unsignedMax,
        unsigned32Min,
        unsigned32Max
    };
    std::uint8_t id = 0; // 0..127
    Kind kind = Kind::logical;
    std::uint32_t value = 0;
    bool operator==(const GenericParameter&) const = default;
};

// GenericCapability ::= SEQUENCE { capabilityIdentifier CHOICE { standard OBJECT IDENTIFIER,
// … }, maxBitRate INTEGER (0..4294967295) OPTIONAL (units of 100 bit/s), collapsing SEQUENCE
// OF GenericParameter OPTIONAL, nonCollapsing … OPTIONAL, nonCollapsingRaw OPTIONAL, transport
// OPTIONAL, ... }.
struct GenericCapability {
    per::ObjectIdentifier identifier;
    std::optional<std::uint32_t> maxBitRate;
    std::vector<GenericParameter> collapsing;    // empty: absent
    std::vector<GenericParameter> nonCollapsing; // empty: absent
    bool operator==(const GenericCapability&) const = default;
};

// AudioCapability ::= CHOICE { nonStandard, g711Alaw64k INTEGER (1..256), …, ...,
// gsmFullRate GSMAudioCapability, …, genericAudioCapability GenericCapability, … }.
enum class AudioCodec : std::uint8_t {
    g711Alaw64k,
    g711Ulaw64k,
    g722_64k,
    g729,
    g729AnnexA,
    gsmFullRate,
    generic,
};
struct AudioCapability {
    AudioCodec codec = AudioCodec::g711Ulaw64k;
    // The frames a packet may hold (maxAl-sduAudioFrames, 1..256); for GSM its audioUnitSize
    // (octets, 1..256). Unused for a generic capability.
    std::uint16_t frames = 20;
    bool comfortNoise = false, scrambled = false; // GSMAudioCapability's
    GenericCapability generic;                    // codec == generic
    bool operator==(const AudioCapability&) const = default;
};
void encode(per::Encoder& e, const AudioCapability& capability);
// Decodes into `out` (a fresh value); false, having read past it, for an audio capability we
// do not take, whose alternative's name goes to `other`.
bool decodeAudioCapability(per::Decoder& d, AudioCapability& out, std::string& other);

// Capability ::= CHOICE { nonStandard, receiveVideoCapability, …, receiveAudioCapability,
// transmitAudioCapability, receiveAndTransmitAudioCapability, …, ... }: ours are audio; a
// peer's others are kept by the name of their alternative.
struct Capability {
    enum class Kind : std::uint8_t { receiveAudio, transmitAudio, receiveAndTransmitAudio, other };
    Kind kind = Kind::receiveAudio;
    AudioCapability audio;
    std::string other; // kind == other: e.g. "receiveVideoCapability"
    bool operator==(const Capability&) const = default;
};
void encode(per::Encoder& e, const Capability& capability);
// Decodes into `out`, a fresh value (in place: a Capability is large, and a set has many).
void decodeCapability(per::Decoder& d, Capability& out);

// DataType ::= CHOICE { nonStandard, nullData NULL, videoData, audioData AudioCapability, data,
// encryptionData, ..., … }: an OpenLogicalChannel's, audio or nullData (the forward side of a
// fastStart proposal to receive), or one we do not take, kept by name.
struct DataType {
    enum class Kind : std::uint8_t { null, audio, other };
    Kind kind = Kind::audio;
    AudioCapability audio;
    std::string other;
    bool operator==(const DataType&) const = default;
};
void encode(per::Encoder& e, const DataType& type);
// Decodes into `out`, a fresh value.
void decodeDataType(per::Decoder& d, DataType& out);

// NonStandardParameter ::= SEQUENCE { nonStandardIdentifier CHOICE { object OBJECT
// IDENTIFIER, h221NonStandard SEQUENCE { t35CountryCode, t35Extension INTEGER (0..255),
// manufacturerCode INTEGER (0..65535) } }, data OCTET STRING }: read past.
void skipNonStandardParameter(per::Decoder& d);

} // namespace sb::h323::h245
