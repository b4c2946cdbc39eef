// Fuzzes the evidence chunk reader with untrusted DataChannel messages, and the receiver with
// them in turn: whatever it takes, it never holds more than the described size.
#include "webrtc/evidence.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> message(reinterpret_cast<const std::byte*>(data), size);
    auto chunk = sb::webrtc::readEvidenceChunk(message);
    if (!chunk) return 0;
    sb::webrtc::EvidenceDescription d;
    d.transfer = chunk->transfer;
    d.count = chunk->count;
    d.chunkPayload = 1024;
    d.size = 4096;
    sb::webrtc::EvidenceReceiver receiver(d);
    (void)receiver.take(message);
    if (receiver.file().size() > d.size) __builtin_trap();
    return 0;
}
