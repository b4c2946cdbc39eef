#include "sdp/negotiation.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace sb::sdp {
namespace {

bool implements(const std::vector<Codec>& implemented, const Codec& c) {
    return std::any_of(implemented.begin(), implemented.end(),
                       [&](const Codec& i) { return i.sameAs(c); });
}

bool isG711(const Codec& c) {
    return (c.is("PCMU") || c.is("PCMA")) && c.clockRate == 8000;
}

std::string names(const std::vector<PayloadCodec>& list) {
    std::string out;
    for (const auto& p : list)
        out += (out.empty() ? "" : ", ") + p.codec.name;
    return out.empty() ? "nothing" : out;
}

int bandDistance(const Codec& x, const Codec& y) {
    const auto bx = bandOf(x), by = bandOf(y);
    if (!bx || !by) return 99;
    return std::abs(static_cast<int>(*bx) - static_cast<int>(*by));
}

} // namespace

std::string_view stageName(CodecChoice::Stage stage) noexcept {
    switch (stage) {
    case CodecChoice::Stage::direct:
        return "direct";
    case CodecChoice::Stage::transcode:
        return "transcode";
    case CodecChoice::Stage::fallback:
        return "fallback";
    }
    return "?";
}

std::vector<PayloadCodec> voiceCodecs(const Media& media) {
    std::vector<PayloadCodec> out;
    for (const auto& format : media.formats) {
        int type = 0;
        const auto [end, error] =
            std::from_chars(format.data(), format.data() + format.size(), type);
        if (error != std::errc() || end != format.data() + format.size()) continue;
        auto codec = codecOf(media, type);
        if (!codec || codec->isTelephoneEvent() || codec->isComfortNoise()) continue;
        out.push_back({type, std::move(*codec)});
    }
    return out;
}

Result<CodecChoice> chooseCodecs(const std::vector<PayloadCodec>& a,
                                 const std::vector<PayloadCodec>& b,
                                 const std::vector<Codec>& implemented) {
    // 1. The first of B's codecs that A has too: relayed untouched.
    for (const auto& fromB : b)
        for (const auto& fromA : a)
            if (fromA.codec.sameAs(fromB.codec))
                return CodecChoice{CodecChoice::Stage::direct, fromA, fromB,
                                   fmt::format("both sides have {}: relayed without transcoding",
                                               fromB.codec.name)};

    // 2. The closest pair in audio band among the codecs we implement (B's order first, then
    // A's): same band, or neighbouring bands.
    const PayloadCodec *bestA = nullptr, *bestB = nullptr;
    int best = 2;
    for (const auto& fromB : b) {
        if (!implements(implemented, fromB.codec)) continue;
        for (const auto& fromA : a) {
            if (!implements(implemented, fromA.codec)) continue;
            if (const int d = bandDistance(fromA.codec, fromB.codec); d < best) {
                best = d;
                bestA = &fromA;
                bestB = &fromB;
            }
        }
    }
    if (bestA)
        return CodecChoice{CodecChoice::Stage::transcode, *bestA, *bestB,
                           fmt::format("no codec in common; {} and {} are {} bands: transcoding",
                                       bestA->codec.name, bestB->codec.name,
                                       best == 0 ? "the same" : "neighbouring")};

    // 3. G.711 on whichever side has it, transcoded to what the other side has.
    auto firstImplemented = [&](const std::vector<PayloadCodec>& list,
                                bool g711Only) -> const PayloadCodec* {
        for (const auto& p : list)
            if (implements(implemented, p.codec) && (!g711Only || isG711(p.codec))) return &p;
        return nullptr;
    };
    // Failing that, any two codecs we implement: everything decodes to linear PCM.
    for (const auto& [g711OnA, g711OnB] : {std::pair{true, false}, {false, true}, {false, false}}) {
        const PayloadCodec* fromA = firstImplemented(a, g711OnA);
        const PayloadCodec* fromB = firstImplemented(b, g711OnB);
        if (fromA && fromB)
            return CodecChoice{
                CodecChoice::Stage::fallback, *fromA, *fromB,
                fmt::format("no pair of neighbouring bands; {}: {} on leg A, {} on leg B, "
                            "transcoded",
                            g711OnA || g711OnB ? "G.711 fallback" : "no G.711 on either leg",
                            fromA->codec.name, fromB->codec.name)};
    }
    return fail(Errc::unsupported,
                fmt::format("no usable codec: leg A has {}, leg B has {}, and no pair of them "
                            "can be transcoded here",
                            names(a), names(b)));
}

} // namespace sb::sdp
