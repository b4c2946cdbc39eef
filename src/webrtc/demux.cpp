#include "webrtc/demux.hpp"

#include <fmt/format.h>

namespace sb::webrtc {
namespace {

// RFC 6347 §4.1: type, version, epoch, sequence number, length.
constexpr std::size_t kRecordHeader = 13;
// RFC 5246 §6.2.3: a protected record's fragment is at most 2^14 + 2048 bytes.
constexpr std::size_t kLargestFragment = 16384 + 2048;

} // namespace

PacketKind classify(std::span<const std::byte> datagram) noexcept {
    if (datagram.empty()) return PacketKind::unknown;
    const auto b = std::to_integer<unsigned>(datagram[0]);
    if (b <= 3) return PacketKind::stun;
    if (b >= 16 && b <= 19) return PacketKind::zrtp;
    if (b >= 20 && b <= 63) return PacketKind::dtls;
    if (b >= 64 && b <= 79) return PacketKind::turnChannel;
    if (b >= 128 && b <= 191) return PacketKind::rtp;
    return PacketKind::unknown;
}

Result<std::size_t> checkDtlsRecords(std::span<const std::byte> datagram) {
    std::size_t at = 0, records = 0;
    while (at < datagram.size()) {
        ++records;
        const auto rest = datagram.size() - at;
        if (rest < kRecordHeader)
            return fail(Errc::invalid_input,
                        fmt::format("DTLS record {}: {} bytes, shorter than its 13-byte header",
                                    records, rest));
        const auto type = std::to_integer<unsigned>(datagram[at]);
        if (type < 20 || type > 23)
            return fail(
                Errc::invalid_input,
                fmt::format("DTLS record {}: content type {} is not DTLS 1.2's", records, type));
        const auto major = std::to_integer<unsigned>(datagram[at + 1]);
        const auto minor = std::to_integer<unsigned>(datagram[at + 2]);
        // RFC 6347 §4.1: DTLS 1.0 is {254, 255}, DTLS 1.2 {254, 253}.
        if (major != 254 || (minor != 255 && minor != 253))
            return fail(Errc::invalid_input,
                        fmt::format("DTLS record {}: version {{{}, {}}} is not DTLS 1.0 or 1.2",
                                    records, major, minor));
        const std::size_t length = (std::to_integer<std::size_t>(datagram[at + 11]) << 8) |
                                   std::to_integer<std::size_t>(datagram[at + 12]);
        if (length > kLargestFragment)
            return fail(
                Errc::invalid_input,
                fmt::format("DTLS record {}: length {} is over 2^14 + 2048", records, length));
        if (length > rest - kRecordHeader)
            return fail(Errc::invalid_input,
                        fmt::format("DTLS record {}: length {} runs past the datagram ({} bytes "
                                    "left)",
                                    records, length, rest - kRecordHeader));
        at += kRecordHeader + length;
    }
    if (records == 0) return fail(Errc::invalid_input, "DTLS: an empty datagram");
    return records;
}

} // namespace sb::webrtc
