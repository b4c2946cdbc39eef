// Fuzzes the H.225.0 call signalling decoder (H323-UserInformation, the User-user element of
// each Q.931 message on TCP 1720) with untrusted input: what decodes is encoded again and must
// decode to the same message.
#include "h323/h225/user_information.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto information =
        sb::h323::h225::decodeUserInformation(std::span<const std::uint8_t>(data, size));
    if (!information) return 0;
    const auto again = sb::h323::h225::encode(*information);
    auto back = sb::h323::h225::decodeUserInformation(again);
    if (!back || !(*back == *information)) __builtin_trap();
    return 0;
}
