#pragma once
// The scripted H.323 peer (tests/interop/h323_peer.erl), built into `dir`: Erlang's ASN.1
// modules from the subsets in tests/vectors/per, then the peer against their records.
// `vectors` and `interop` are the test's SB_VECTORS_DIR and SB_INTEROP_DIR.

#include "support/command_output.hpp"

#include <filesystem>
#include <fmt/format.h>

namespace sb::test {

inline CommandResult buildH323Peer(const std::filesystem::path& dir, const char* vectors,
                                   const char* interop) {
    std::filesystem::create_directories(dir);
    return runCommand(fmt::format("cd '{}' && erlc -bper '{}/per/H225Subset.asn1' "
                                  "'{}/per/H245Subset.asn1' && erlc -I . '{}/h323_peer.erl' 2>&1",
                                  dir.string(), vectors, vectors, interop));
}

} // namespace sb::test
