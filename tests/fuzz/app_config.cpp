// Fuzzes the TOML configuration reader: any text yields a Config or an Error, never a crash,
// an exception or a hang.

#include "app/config.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = sb::app::parseConfig(text, "fuzz.toml");
    (void)config;
    return 0;
}
