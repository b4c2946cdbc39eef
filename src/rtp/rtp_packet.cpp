#include "rtp/rtp_packet.hpp"

#include "core/byte_io.hpp"

#include <fmt/format.h>

namespace sb::rtp {
namespace {

void put16(std::span<std::byte> at, std::uint16_t v) noexcept {
    at[0] = std::byte(v >> 8);
    at[1] = std::byte(v & 0xff);
}

void put32(std::span<std::byte> at, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i)
        at[i] = std::byte((v >> (24 - 8 * i)) & 0xff);
}

} // namespace

std::uint32_t RtpView::csrc(std::size_t i, std::span<const std::byte> packet) const noexcept {
    if (i >= csrcCount) return 0;
    ByteReader r(packet.subspan(kFixedHeaderBytes + 4 * i, 4));
    return r.u32().value_or(0);
}

Result<RtpView> parseRtp(std::span<const std::byte> packet, RtpPadding paddingAt) {
    if (packet.size() < kFixedHeaderBytes)
        return fail(Errc::invalid_input,
                    fmt::format("RTP: {} bytes, shorter than the 12-byte header", packet.size()));
    ByteReader r(packet);
    const std::uint8_t first = *r.u8(), second = *r.u8();
    if ((first >> 6) != 2)
        return fail(Errc::invalid_input, fmt::format("RTP: version {}, expected 2", first >> 6));
    RtpView v;
    const bool padding = first & 0x20;
    v.hasExtension = first & 0x10;
    v.csrcCount = first & 0x0f;
    v.marker = second & 0x80;
    v.payloadType = second & 0x7f;
    v.sequence = *r.u16();
    v.timestamp = *r.u32();
    v.ssrc = *r.u32();
    if (!r.skip(4u * v.csrcCount))
        return fail(Errc::invalid_input,
                    fmt::format("RTP: {} CSRCs run past the end of the packet", v.csrcCount));
    if (v.hasExtension) {
        const auto profile = r.u16();
        const auto words = r.u16();
        const auto data = profile && words ? r.bytes(4u * *words) : std::nullopt;
        if (!data) return fail(Errc::invalid_input, "RTP: the header extension runs past the end");
        v.extensionProfile = *profile;
        v.extension = *data;
    }
    v.headerBytes = r.position();
    std::size_t end = packet.size();
    if (padding && paddingAt == RtpPadding::read) {
        // §5.1: the last octet counts the padding, itself included.
        const auto count = std::to_integer<std::uint8_t>(packet.back());
        if (count == 0 || count > packet.size() - v.headerBytes)
            return fail(Errc::invalid_input,
                        fmt::format("RTP: a padding count of {} does not fit the packet", count));
        v.paddingBytes = count;
        end -= count;
    }
    v.payload = packet.subspan(v.headerBytes, end - v.headerBytes);
    return v;
}

bool looksLikeRtcp(std::span<const std::byte> packet) noexcept {
    if (packet.size() < 2) return false;
    const auto type = std::to_integer<std::uint8_t>(packet[1]);
    return type >= 192 && type <= 223;
}

void setSsrc(std::span<std::byte> packet, std::uint32_t ssrc) noexcept {
    put32(packet.subspan(8), ssrc);
}

void setSequence(std::span<std::byte> packet, std::uint16_t sequence) noexcept {
    put16(packet.subspan(2), sequence);
}

void setTimestamp(std::span<std::byte> packet, std::uint32_t timestamp) noexcept {
    put32(packet.subspan(4), timestamp);
}

void setPayloadType(std::span<std::byte> packet, std::uint8_t payloadType) noexcept {
    packet[1] = (packet[1] & std::byte{0x80}) | std::byte(payloadType & 0x7f);
}

std::size_t writeRtpHeader(std::span<std::byte> out, const RtpHeaderFields& f) noexcept {
    out[0] = std::byte{0x80}; // version 2, no padding, no extension, no CSRC
    out[1] = std::byte((f.marker ? 0x80 : 0) | (f.payloadType & 0x7f));
    setSequence(out, f.sequence);
    setTimestamp(out, f.timestamp);
    setSsrc(out, f.ssrc);
    return kFixedHeaderBytes;
}

} // namespace sb::rtp
