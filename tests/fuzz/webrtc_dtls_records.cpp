// Fuzzes the DTLS record framing check that every datagram passes before OpenSSL sees it, and
// the first-byte classification that sends it there.
#include "webrtc/demux.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> datagram(reinterpret_cast<const std::byte*>(data), size);
    const auto kind = sb::webrtc::classify(datagram);
    auto records = sb::webrtc::checkDtlsRecords(datagram);
    // Anything framed as DTLS records starts with a byte of DTLS's range.
    if (records && kind != sb::webrtc::PacketKind::dtls) __builtin_trap();
    return 0;
}
