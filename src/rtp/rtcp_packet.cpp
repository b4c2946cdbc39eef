#include "rtp/rtcp_packet.hpp"

#include "core/byte_io.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::rtp {
namespace {

constexpr std::size_t kMaxCount = 31; // the 5-bit count field

Unexpected bad(std::size_t index, std::string_view what) {
    return fail(Errc::invalid_input, fmt::format("RTCP packet {}: {}", index, what));
}

std::optional<ReportBlock> readBlock(ByteReader& r) {
    ReportBlock b;
    const auto ssrc = r.u32();
    const auto fraction = r.u8();
    const auto lost = r.u24();
    const auto highest = r.u32(), jitter = r.u32(), lsr = r.u32(), dlsr = r.u32();
    if (!ssrc || !fraction || !lost || !highest || !jitter || !lsr || !dlsr) return std::nullopt;
    b.ssrc = *ssrc;
    b.fractionLost = *fraction;
    // 24-bit two's complement (§6.4.1: the count may go negative with duplicates).
    b.cumulativeLost = static_cast<std::int32_t>(*lost << 8) >> 8;
    b.highestSequence = *highest;
    b.jitter = *jitter;
    b.lastSr = *lsr;
    b.delaySinceLastSr = *dlsr;
    return b;
}

Result<void> readBlocks(ByteReader& r, std::size_t count, std::size_t index,
                        std::vector<ReportBlock>& out) {
    for (std::size_t i = 0; i < count; ++i) {
        auto block = readBlock(r);
        if (!block) return bad(index, fmt::format("report block {} runs past the packet", i + 1));
        out.push_back(*block);
    }
    return {};
}

Result<void> readSdes(std::span<const std::byte> body, std::size_t count, std::size_t index,
                      std::vector<SdesChunk>& out) {
    ByteReader r(body);
    for (std::size_t i = 0; i < count; ++i) {
        SdesChunk chunk;
        const auto ssrc = r.u32();
        if (!ssrc) return bad(index, fmt::format("SDES chunk {} runs past the packet", i + 1));
        chunk.ssrc = *ssrc;
        for (;;) {
            const auto type = r.u8();
            if (!type) return bad(index, "an SDES chunk without its terminating null octet");
            if (*type == 0) break;
            const auto length = r.u8();
            const auto text = length ? r.bytes(*length) : std::nullopt;
            if (!text) return bad(index, "an SDES item runs past the packet");
            chunk.items.push_back(
                {*type, std::string(reinterpret_cast<const char*>(text->data()), text->size())});
        }
        // §6.5: each chunk ends on a 32-bit boundary.
        if (!r.skip((4 - r.position() % 4) % 4)) return bad(index, "an SDES chunk is not padded");
        out.push_back(std::move(chunk));
    }
    return {};
}

void writeBlock(ByteWriter& w, const ReportBlock& b) {
    w.u32(b.ssrc);
    w.u8(b.fractionLost);
    w.u24(static_cast<std::uint32_t>(b.cumulativeLost) & 0xffffff);
    w.u32(b.highestSequence);
    w.u32(b.jitter);
    w.u32(b.lastSr);
    w.u32(b.delaySinceLastSr);
}

void padTo32(ByteWriter& w) {
    while (w.size() % 4)
        w.u8(0);
}

} // namespace

Result<std::vector<RtcpPacket>> parseRtcp(std::span<const std::byte> datagram) {
    std::vector<RtcpPacket> out;
    ByteReader r(datagram);
    for (std::size_t index = 1; !r.empty(); ++index) {
        const std::size_t start = r.position();
        const auto first = r.u8(), type = r.u8();
        const auto length = r.u16();
        if (!length) return bad(index, "shorter than the 4-byte header");
        if ((*first >> 6) != 2)
            return bad(index, fmt::format("version {}, expected 2", *first >> 6));
        const std::size_t total = (std::size_t{*length} + 1) * 4;
        if (start + total > datagram.size())
            return bad(index, fmt::format("a length of {} bytes runs past the datagram", total));
        auto body = datagram.subspan(start + 4, total - 4);
        if (*first & 0x20) {
            // §6.4.1 and §A.2: only the last packet of a compound may be padded.
            if (start + total != datagram.size())
                return bad(index, "padding before the last packet");
            const auto pad =
                std::to_integer<std::uint8_t>(body.empty() ? std::byte{0} : body.back());
            if (pad == 0 || pad > body.size())
                return bad(index, fmt::format("a padding count of {} does not fit", pad));
            body = body.first(body.size() - pad);
        }
        if (index == 1 && *type != 200 && *type != 201)
            return bad(index, "a compound packet must begin with an SR or an RR");
        const std::size_t count = *first & 0x1f;
        RtcpPacket p;
        p.type = static_cast<RtcpType>(*type);
        ByteReader b(body);
        switch (*type) {
        case 200: {
            const auto ssrc = b.u32();
            const auto ntp = b.u64();
            const auto ts = b.u32(), packets = b.u32(), octets = b.u32();
            if (!octets) return bad(index, "an SR shorter than its sender information");
            p.ssrc = *ssrc;
            p.sender = {*ntp, *ts, *packets, *octets};
            if (auto ok = readBlocks(b, count, index, p.reports); !ok) return fail(ok.error());
            break;
        }
        case 201: {
            const auto ssrc = b.u32();
            if (!ssrc) return bad(index, "an RR without its SSRC");
            p.ssrc = *ssrc;
            if (auto ok = readBlocks(b, count, index, p.reports); !ok) return fail(ok.error());
            break;
        }
        case 202:
            if (auto ok = readSdes(body, count, index, p.chunks); !ok) return fail(ok.error());
            break;
        case 203: {
            for (std::size_t i = 0; i < count; ++i) {
                const auto ssrc = b.u32();
                if (!ssrc) return bad(index, "a BYE's sources run past the packet");
                p.byeSources.push_back(*ssrc);
            }
            if (const auto reasonLength = b.u8(); reasonLength && *reasonLength) {
                const auto text = b.bytes(*reasonLength);
                if (!text) return bad(index, "a BYE's reason runs past the packet");
                p.byeReason.assign(reinterpret_cast<const char*>(text->data()), text->size());
            }
            break;
        }
        default:
            // APP, feedback (RFC 4585) and later types: kept whole, and their sender for
            // those that carry one first.
            p.ssrc = b.u32().value_or(0);
            p.raw.assign(datagram.begin() + static_cast<std::ptrdiff_t>(start),
                         datagram.begin() + static_cast<std::ptrdiff_t>(start + total));
            break;
        }
        out.push_back(std::move(p));
        r.skip(total - 4);
    }
    if (out.empty()) return fail(Errc::invalid_input, "RTCP: an empty datagram");
    return out;
}

std::vector<std::byte> writeRtcp(const std::vector<RtcpPacket>& packets) {
    ByteWriter w(256);
    for (const auto& p : packets) {
        if (p.type != RtcpType::senderReport && p.type != RtcpType::receiverReport &&
            p.type != RtcpType::sourceDescription && p.type != RtcpType::bye) {
            w.bytes(p.raw);
            continue;
        }
        const std::size_t start = w.size();
        std::size_t count = 0;
        switch (p.type) {
        case RtcpType::senderReport:
        case RtcpType::receiverReport:
            count = std::min(p.reports.size(), kMaxCount);
            break;
        case RtcpType::sourceDescription:
            count = std::min(p.chunks.size(), kMaxCount);
            break;
        default:
            count = std::min(p.byeSources.size(), kMaxCount);
            break;
        }
        w.u8(static_cast<std::uint8_t>(0x80 | count));
        w.u8(static_cast<std::uint8_t>(p.type));
        w.u16(0); // the length, patched below
        if (p.type == RtcpType::senderReport || p.type == RtcpType::receiverReport) {
            w.u32(p.ssrc);
            if (p.type == RtcpType::senderReport) {
                w.u64(p.sender.ntpTime);
                w.u32(p.sender.rtpTimestamp);
                w.u32(p.sender.packetCount);
                w.u32(p.sender.octetCount);
            }
            for (std::size_t i = 0; i < count; ++i)
                writeBlock(w, p.reports[i]);
        } else if (p.type == RtcpType::sourceDescription) {
            for (std::size_t i = 0; i < count; ++i) {
                w.u32(p.chunks[i].ssrc);
                for (const auto& item : p.chunks[i].items) {
                    const auto length = std::min<std::size_t>(item.text.size(), 255);
                    w.u8(item.type);
                    w.u8(static_cast<std::uint8_t>(length));
                    w.bytes(std::as_bytes(std::span(item.text.data(), length)));
                }
                w.u8(0); // end of the chunk's items, then padding to 32 bits (§6.5)
                padTo32(w);
            }
        } else {
            for (std::size_t i = 0; i < count; ++i)
                w.u32(p.byeSources[i]);
            if (!p.byeReason.empty()) {
                const auto length = std::min<std::size_t>(p.byeReason.size(), 255);
                w.u8(static_cast<std::uint8_t>(length));
                w.bytes(std::as_bytes(std::span(p.byeReason.data(), length)));
                padTo32(w);
            }
        }
        w.patchU16(start + 2, static_cast<std::uint16_t>((w.size() - start) / 4 - 1));
    }
    return w.take();
}

} // namespace sb::rtp
