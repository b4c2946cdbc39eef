// Fuzzes the RAS decoder (H.225.0 RAS over UDP 1719) with untrusted datagrams: what decodes is
// encoded again and must decode to the same message.
#include "h323/ras/ras_message.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto message = sb::h323::ras::decode(std::span<const std::uint8_t>(data, size));
    if (!message) return 0;
    const auto again = sb::h323::ras::encode(*message);
    auto back = sb::h323::ras::decode(again);
    if (!back || !(*back == *message)) __builtin_trap();
    return 0;
}
