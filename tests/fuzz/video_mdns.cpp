// Fuzzes the mDNS response reader (DNS-SD for NDI sources) with untrusted datagrams: it never
// reads past its input, never loops on compression pointers, and what it finds names instances
// of the service asked for.
#include "video/mdns.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sb::video::mdns;
    auto found = readResponse(std::span(data, size), kNdiService);
    if (found)
        for (const auto& instance : *found)
            if (instance.name.empty() || instance.name.size() > 63) __builtin_trap();
    return 0;
}
