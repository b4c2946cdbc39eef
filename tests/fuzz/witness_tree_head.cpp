// Fuzzes the signed tree head reader with untrusted JSON (a head handed to `witness verify`):
// whatever it accepts must write back to JSON that reads the same.
#include "witness/signer.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto head = sb::witness::parseTreeHead(text);
    if (!head) return 0;
    auto again = sb::witness::parseTreeHead(sb::witness::toJson(*head));
    if (!again || again->size != head->size || again->timestampMs != head->timestampMs ||
        again->root != head->root || again->signature != head->signature)
        std::abort();
    return 0;
}
