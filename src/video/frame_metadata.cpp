#include "video/frame_metadata.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

namespace sb::video {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr int kUserDataUnregistered = 5; // payloadType, H.264 §D.1 and H.265 §D.2

// An id of up to 255 octets; a longer one is cut before the UTF-8 character that would not fit
// whole (docs/video-sei.md: the ids are UTF-8), never inside it.
void appendId(std::vector<std::uint8_t>& out, const std::string& id) {
    std::size_t n = std::min<std::size_t>(id.size(), 255);
    if (n < id.size())
        while (n > 0 && (static_cast<unsigned char>(id[n]) & 0xC0) == 0x80)
            --n;
    out.push_back(static_cast<std::uint8_t>(n));
    out.insert(out.end(), id.begin(), id.begin() + static_cast<std::ptrdiff_t>(n));
}

// sei_message's payloadType and payloadSize: runs of 0xFF, then the rest (§7.3.5 / §7.3.5).
void appendSeiNumber(std::vector<std::uint8_t>& out, std::size_t n) {
    for (; n >= 255; n -= 255)
        out.push_back(0xFF);
    out.push_back(static_cast<std::uint8_t>(n));
}

} // namespace

std::vector<std::uint8_t> encodeMetadataPayload(const FrameMetadata& metadata) {
    std::vector<std::uint8_t> out;
    out.reserve(11 + metadata.traceId.size() + metadata.expertId.size());
    out.push_back(kVersion);
    const auto time = static_cast<std::uint64_t>(metadata.captureMicros);
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(time >> shift));
    appendId(out, metadata.traceId);
    appendId(out, metadata.expertId);
    return out;
}

Result<FrameMetadata> decodeMetadataPayload(std::span<const std::uint8_t> payload) {
    if (payload.empty() || payload[0] != kVersion)
        return fail(Errc::unsupported, "frame metadata: not version 1");
    if (payload.size() < 10) return fail(Errc::invalid_input, "frame metadata: no capture time");
    FrameMetadata metadata;
    std::uint64_t time = 0;
    for (std::size_t i = 1; i <= 8; ++i)
        time = time << 8 | payload[i];
    metadata.captureMicros = static_cast<std::int64_t>(time);
    std::size_t at = 9;
    for (auto* id : {&metadata.traceId, &metadata.expertId}) {
        if (at >= payload.size() || payload[at] > payload.size() - at - 1)
            return fail(Errc::invalid_input,
                        id == &metadata.traceId
                            ? "frame metadata: the trace id runs past the end"
                            : "frame metadata: the expert id runs past the end");
        id->assign(reinterpret_cast<const char*>(payload.data() + at + 1), payload[at]);
        at += 1 + payload[at];
    }
    return metadata; // octets after the expert id are a later version's, and ignored
}

std::vector<std::uint8_t> metadataSei(Codec codec, const FrameMetadata& metadata) {
    const auto data = encodeMetadataPayload(metadata);
    std::vector<std::uint8_t> rbsp;
    rbsp.reserve(kMetadataUuid.size() + data.size() + 8);
    appendSeiNumber(rbsp, kUserDataUnregistered);
    appendSeiNumber(rbsp, kMetadataUuid.size() + data.size());
    rbsp.insert(rbsp.end(), kMetadataUuid.begin(), kMetadataUuid.end());
    rbsp.insert(rbsp.end(), data.begin(), data.end());
    rbsp.push_back(0x80); // rbsp_trailing_bits: the stop bit and alignment

    std::vector<std::uint8_t> nal;
    nal.reserve(rbsp.size() + rbsp.size() / 64 + 2);
    if (codec == Codec::h264) {
        nal.push_back(h264::kSei); // forbidden_zero_bit 0, nal_ref_idc 0 (§7.4.1: SEI is 0)
    } else {
        nal.push_back(h265::kPrefixSei << 1); // nuh_layer_id 0
        nal.push_back(1);                     // nuh_temporal_id_plus1 1
    }
    appendEscaped(nal, rbsp);
    return nal;
}

std::vector<std::uint8_t> withMetadata(Codec codec, std::span<const std::uint8_t> accessUnit,
                                       const FrameMetadata& metadata) {
    static constexpr std::uint8_t kStartCode[] = {0, 0, 0, 1};
    const auto sei = metadataSei(codec, metadata);
    std::vector<std::uint8_t> out;
    out.reserve(accessUnit.size() + sei.size() + 16);
    bool placed = false;
    for (const Nal nal : splitAnnexB(accessUnit)) {
        if (!placed && isVcl(codec, nalType(codec, nal))) {
            out.insert(out.end(), std::begin(kStartCode), std::end(kStartCode));
            out.insert(out.end(), sei.begin(), sei.end());
            placed = true;
        }
        out.insert(out.end(), std::begin(kStartCode), std::end(kStartCode));
        out.insert(out.end(), nal.begin(), nal.end());
    }
    return out;
}

Result<FrameMetadata> readMetadataSei(Codec codec, Nal sei) {
    const int expected = codec == Codec::h264 ? h264::kSei : h265::kPrefixSei;
    if (nalType(codec, sei) != expected) return fail(Errc::not_found, "not an SEI NAL unit");
    const auto rbsp = unescape(sei.subspan(nalHeaderBytes(codec)));
    std::size_t at = 0;
    const auto number = [&]() -> std::optional<std::size_t> {
        std::size_t n = 0;
        while (at < rbsp.size() && rbsp[at] == 0xFF) {
            n += 255;
            ++at;
        }
        if (at >= rbsp.size()) return std::nullopt;
        return n + rbsp[at++];
    };
    // sei_message()s until the trailing bits (§7.3.2.3.1): the first of ours is the answer.
    while (at < rbsp.size() && rbsp[at] != 0x80) {
        const auto type = number();
        const auto size = number();
        if (!type || !size || *size > rbsp.size() - at)
            return fail(Errc::invalid_input, "SEI: a message runs past the end of the unit");
        const auto payload = std::span(rbsp).subspan(at, *size);
        at += *size;
        if (*type == kUserDataUnregistered && payload.size() >= kMetadataUuid.size() &&
            std::equal(kMetadataUuid.begin(), kMetadataUuid.end(), payload.begin()))
            return decodeMetadataPayload(payload.subspan(kMetadataUuid.size()));
    }
    return fail(Errc::not_found, "SEI: no frame metadata of ours");
}

} // namespace sb::video
