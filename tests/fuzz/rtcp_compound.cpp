// Fuzzes the RTCP reader with untrusted compound packets, and checks that what it accepts
// survives a write and a second read unchanged.
#include "rtp/rtcp_packet.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sb::rtp;
    auto packets = parseRtcp({reinterpret_cast<const std::byte*>(data), size});
    if (!packets) return 0;
    auto again = parseRtcp(writeRtcp(*packets));
    if (!again || !(*again == *packets)) __builtin_trap();
    return 0;
}
