#pragma once
// Codec negotiation across the two legs of a bridged call (ARCHITECTURE.md "Codec
// negotiation"), in three stages:
//   1. direct: a codec both sides have → relayed as it is, no transcoding;
//   2. transcode: a pair of codecs we implement whose audio bands match or neighbour (Opus ↔
//      G.722, G.729 ↔ PCMU) → transcoded;
//   3. fallback: G.711 (PCMU/PCMA) on the side that has it, transcoded to what the other side
//      has; the universal way out when no pair fits (and with G.711 on neither side, any two
//      codecs we implement, through linear PCM).
// The choice carries one sentence of reason, which the caller logs (and the witness records).

#include "core/result.hpp"
#include "sdp/codec.hpp"

#include <string>
#include <vector>

namespace sb::sdp {

struct PayloadCodec {
    int payloadType = 0;
    Codec codec;
};

// The voice codecs of a stream in its order (telephone-event and comfort noise left out).
std::vector<PayloadCodec> voiceCodecs(const Media& media);

struct CodecChoice {
    enum class Stage { direct, transcode, fallback } stage = Stage::direct;
    PayloadCodec a, b; // the codec on each leg (the same codec for "direct")
    std::string reason;
};
std::string_view stageName(CodecChoice::Stage stage) noexcept;

// `a`: what leg A can use (its offer), `b`: what leg B can use (its answer, or what it
// offered), each in its own order of preference; `implemented`: the codecs Switchboard can
// decode and encode. Errc::unsupported, naming both lists, when no stage finds a pair.
Result<CodecChoice> chooseCodecs(const std::vector<PayloadCodec>& a,
                                 const std::vector<PayloadCodec>& b,
                                 const std::vector<Codec>& implemented);

} // namespace sb::sdp
