// Fuzzes the ICE fragments of WHIP's PATCH (RFC 8840 §9, RFC 9725 §4.3) with untrusted
// bodies, and checks that what it accepts survives a write and a second read unchanged.
#include "webrtc/sdp_transport.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto fragment = sb::webrtc::readIceFragment(text);
    if (!fragment) return 0;
    auto again = sb::webrtc::readIceFragment(sb::webrtc::writeIceFragment(*fragment));
    if (!again || again->iceUfrag != fragment->iceUfrag || again->icePwd != fragment->icePwd ||
        again->candidates != fragment->candidates ||
        again->endOfCandidates != fragment->endOfCandidates)
        __builtin_trap();
    return 0;
}
