// Fuzzes the RTP reader with untrusted datagrams, and checks that the relay's header rewrites
// change only what they should: a rewritten packet reads back with the new header fields and
// the same payload.
#include "rtp/rtp_packet.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sb::rtp;
    const auto* begin = reinterpret_cast<const std::byte*>(data);
    std::vector<std::byte> packet(begin, begin + size);
    auto view = parseRtp(packet);
    if (!view) return 0;
    const std::vector<std::byte> payload(view->payload.begin(), view->payload.end());
    setSsrc(packet, ~view->ssrc);
    setSequence(packet, static_cast<std::uint16_t>(view->sequence + 1));
    setTimestamp(packet, view->timestamp + 160);
    setPayloadType(packet, static_cast<std::uint8_t>(127 - view->payloadType));
    auto again = parseRtp(packet);
    if (!again || again->ssrc != ~view->ssrc || again->marker != view->marker ||
        again->payloadType != 127 - view->payloadType ||
        !std::equal(payload.begin(), payload.end(), again->payload.begin(), again->payload.end()))
        __builtin_trap();
    (void)looksLikeRtcp(packet);
    return 0;
}
