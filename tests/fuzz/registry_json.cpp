// Fuzzes the registry's JSON readers: any text yields an Expert, a Chain or an Error naming a
// field, never a crash, an exception or a hang; what was read writes back and reads again
// to the same value.

#include "registry/chain.hpp"
#include "registry/expert.hpp"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    sb::registry::FieldError where;
    if (auto expert = sb::registry::parseExpert(text, &where)) {
        auto again = sb::registry::expertFromJson(sb::registry::toJson(*expert));
        if (!again || !(*again == *expert)) std::abort();
        (void)sb::registry::onCall(
            *expert, std::chrono::system_clock::time_point(std::chrono::seconds(1712052000)));
    }
    if (auto chain = sb::registry::parseChain(text, &where)) {
        auto again = sb::registry::chainFromJson(sb::registry::toJson(*chain));
        if (!again || !(*again == *chain)) std::abort();
    }
    return 0;
}
