// libFuzzer target: what `switchboard witness verify` reads from outside — a proof bundle from
// a file and witness entries from the API. Never crashes, throws or hangs; a bundle that is read
// is written back to the same bundle.

#include "cli/witness_audit.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)sb::cli::checkEntry(text);
    auto bundle = sb::cli::parseProofBundle(text);
    if (!bundle) return 0;
    auto again = sb::cli::parseProofBundle(sb::cli::toJson(*bundle));
    if (!again || again->entry != bundle->entry || again->path != bundle->path ||
        again->index != bundle->index || again->head.root != bundle->head.root)
        std::abort();
    return 0;
}
