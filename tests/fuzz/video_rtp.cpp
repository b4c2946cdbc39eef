// Fuzzes the video depacketizer (RFC 6184, RFC 7798) and the frame metadata SEI reader with
// untrusted RTP payloads, and checks the packetizer against the depacketizer: the units of
// each access unit that comes out, packetized again, come back the same.
//
// Input: one octet (bit 0: H.265; the rest, with the next, a maximum payload size), then
// records of a two-octet length, one octet of flags (bit 0: marker, bit 1: a sequence gap
// before it, bit 2: a new timestamp), and the payload.
#include "video/frame_metadata.hpp"
#include "video/rtp_video.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

using namespace sb::video;

namespace {

bool sendableAlone(Codec codec, Nal nal) {
    if (nal.size() <= nalHeaderBytes(codec) || (nal[0] & 0x80)) return false;
    const int type = nalType(codec, nal);
    return codec == Codec::h264 ? type >= 1 && type <= 23 : type < h265::kAp;
}

void checkRoundTrip(Codec codec, const std::vector<std::uint8_t>& annexB, std::size_t maxPayload) {
    std::vector<Nal> units;
    std::vector<std::uint8_t> expected;
    for (const Nal nal : splitAnnexB(annexB)) {
        if (nalType(codec, nal) == (codec == Codec::h264 ? h264::kSei : h265::kPrefixSei))
            (void)readMetadataSei(codec, nal);
        if (!sendableAlone(codec, nal)) continue;
        units.push_back(nal);
        expected.insert(expected.end(), {0, 0, 0, 1});
        expected.insert(expected.end(), nal.begin(), nal.end());
    }
    if (units.empty()) return;
    const auto payloads = packetize(codec, units, maxPayload);
    Depacketizer again(codec);
    std::vector<Depacketizer::AccessUnit> done;
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        if (payloads[i].size() > maxPayload) __builtin_trap();
        again.push(static_cast<std::uint16_t>(i), 0, i + 1 == payloads.size(), payloads[i], done);
    }
    if (done.size() != 1 || done[0].annexB != expected) __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const Codec codec = (data[0] & 1) ? Codec::h265 : Codec::h264;
    const std::size_t maxPayload = 16 + ((std::size_t{data[0]} >> 1 << 8 | data[1]) % 1500);
    std::span<const std::uint8_t> rest(data + 2, size - 2);
    Depacketizer depacketizer(codec, 1 << 16);
    std::vector<Depacketizer::AccessUnit> done;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    while (rest.size() >= 3) {
        const std::size_t n = std::size_t{rest[0]} << 8 | rest[1];
        const std::uint8_t flags = rest[2];
        rest = rest.subspan(3);
        if (n > rest.size()) break;
        sequence = static_cast<std::uint16_t>(sequence + ((flags & 2) ? 2 : 1));
        if (flags & 4) timestamp += 3000;
        depacketizer.push(sequence, timestamp, flags & 1, rest.first(n), done);
        rest = rest.subspan(n);
    }
    for (const auto& unit : done)
        checkRoundTrip(codec, unit.annexB, maxPayload);
    return 0;
}
