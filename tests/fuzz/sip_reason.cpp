// Fuzzes the Reason header's reader (RFC 3326) with untrusted header values: a cause it finds is
// one it could have written.
#include "sip/reason.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view value(reinterpret_cast<const char*>(data), size);
    for (std::string_view protocol : {"Q.850", "SIP"})
        if (const auto cause = sb::sip::reasonCause(value, protocol);
            cause &&
            sb::sip::reasonCause(sb::sip::reasonValue(protocol, *cause), protocol) != cause)
            __builtin_trap();
    return 0;
}
