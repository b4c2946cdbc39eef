// Fuzzes the H.245 decoder (MultimediaSystemControlMessage, aligned PER, as it comes tunnelled
// in H.225.0 or on its own TCP connection) with untrusted messages: what decodes and can be
// sent as it is must encode to what decodes to the same message.
#include "h323/h245/message.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto message = sb::h323::h245::decode(std::span<const std::uint8_t>(data, size));
    if (!message || !sb::h323::h245::sendable(*message)) return 0;
    const auto again = sb::h323::h245::encode(*message);
    auto back = sb::h323::h245::decode(again);
    if (!back || !(*back == *message)) __builtin_trap();
    return 0;
}
