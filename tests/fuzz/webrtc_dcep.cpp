// Fuzzes the DCEP reader (RFC 8832) with untrusted SCTP messages, and checks that what it
// accepts is written back byte for byte.
#include "webrtc/dcep.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> message(reinterpret_cast<const std::byte*>(data), size);
    auto read = sb::webrtc::readDcep(message);
    if (!read) return 0;
    auto written = sb::webrtc::writeDcep(*read);
    if (!written || !std::equal(written->begin(), written->end(), message.begin(), message.end()))
        __builtin_trap();
    return 0;
}
