#pragma once
// Erlang's ASN.1 codec as the oracle for our aligned PER (PEERS.md): compiles one of the
// subsets in `vectors`/per with `erlc -bper`, and has `interop`/per_oracle.escript
// decode each of our encodings of `type` and encode what it decoded again. It prints
// "checked N" when every one came back as our octets, and a line per disagreement before.

#include "support/command_output.hpp"

#include <cstdint>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace sb::test {

// `vectors` and `interop`: the test's SB_VECTORS_DIR and SB_INTEROP_DIR (which the build
// defines for a test that names them).
inline std::string erlangReencodes(const char* vectors, const char* interop,
                                   const std::string& module, const std::string& type,
                                   const std::vector<std::vector<std::uint8_t>>& encodings) {
    const auto dir = std::filesystem::temp_directory_path() /
                     fmt::format("sb-erlang-{}-{}-{}", module, ::getpid(), std::rand());
    std::filesystem::create_directories(dir);
    const auto compiled = runCommand(
        fmt::format("cd '{}' && erlc -bper '{}/per/{}.asn1' 2>&1", dir.string(), vectors, module));
    if (!compiled.succeeded) {
        std::filesystem::remove_all(dir);
        return "erlc (erlang-asn1, from scripts/install-deps): " + compiled.output;
    }
    {
        std::ofstream vectors(dir / "vectors.terms");
        for (const auto& bytes : encodings) {
            vectors << "{'" << type << "', <<";
            for (std::size_t i = 0; i < bytes.size(); ++i)
                vectors << (i ? "," : "") << static_cast<int>(bytes[i]);
            vectors << ">>}.\n";
        }
    }
    auto said =
        commandOutput(fmt::format("escript '{}/per_oracle.escript' '{}' {} '{}' 2>&1", interop,
                                  dir.string(), module, (dir / "vectors.terms").string()));
    std::filesystem::remove_all(dir);
    return said;
}

// Erlang's encoding of `value` (an Erlang term, as erlc's records and CHOICE tuples write it)
// as `type` of `module`: what another encoder sends, for our decoder to read. Empty when Erlang
// cannot encode it.
inline std::vector<std::uint8_t> erlangEncodes(const char* vectors, const std::string& module,
                                               const std::string& type, const std::string& value) {
    const auto dir = std::filesystem::temp_directory_path() /
                     fmt::format("sb-erlang-{}-{}-{}", module, ::getpid(), std::rand());
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "value.term") << value << ".\n";
    const auto said = commandOutput(
        fmt::format("cd '{}' && erlc -bper '{}/per/{}.asn1' >/dev/null 2>&1 && erl -noshell -eval "
                    "'{{ok, [V]}} = file:consult(\"value.term\"), {{ok, B}} = "
                    "apply(list_to_atom(\"{}\"), encode, [list_to_atom(\"{}\"), V]), "
                    "io:format(\"~w~n\", [binary_to_list(B)]), halt().' 2>&1",
                    dir.string(), vectors, module, module, type));
    std::filesystem::remove_all(dir);
    std::vector<std::uint8_t> bytes;
    if (said.empty() || said.front() != '[') return bytes;
    for (std::size_t at = 1; at < said.size() && said[at] != ']';) {
        std::size_t used = 0;
        bytes.push_back(static_cast<std::uint8_t>(std::stoi(said.substr(at), &used)));
        at += used;
        if (at < said.size() && said[at] == ',') ++at;
    }
    return bytes;
}

} // namespace sb::test
