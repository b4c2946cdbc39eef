#pragma once
// The scripted H.323 peer (tests/interop/h323_peer.erl), ready in `dir`: Erlang's ASN.1
// modules from the subsets in tests/vectors/per, then the peer against their records.
// `vectors` and `interop` are the test's SB_VECTORS_DIR and SB_INTEROP_DIR.
//
// Compiling takes seconds, and every peer test is a process of its own: the modules are built
// once for each version of their sources, in a directory of the temporary folder named by a
// hash of them (built aside, then renamed into place, so tests running at once never see half
// of it), and copied into `dir`.

#include "support/command_output.hpp"

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <sstream>
#include <unistd.h>

namespace sb::test {

inline CommandResult buildH323Peer(const std::filesystem::path& dir, const char* vectors,
                                   const char* interop) {
    namespace fs = std::filesystem;
    const std::vector<fs::path> sources{fs::path(vectors) / "per/H225Subset.asn1",
                                        fs::path(vectors) / "per/H245Subset.asn1",
                                        fs::path(interop) / "h323_peer.erl"};
    std::string contents;
    for (const auto& source : sources) {
        std::ifstream in(source, std::ios::binary);
        contents += (std::ostringstream() << in.rdbuf()).str();
    }
    const auto built = fs::temp_directory_path() /
                       fmt::format("sb-h323-peer-{:016x}", std::hash<std::string>{}(contents));
    if (!fs::exists(built / "h323_peer.beam")) {
        const auto aside = fs::path(built.string() + fmt::format(".{}", ::getpid()));
        fs::create_directories(aside);
        auto compiled = runCommand(
            fmt::format("cd '{}' && erlc -bper '{}' '{}' && erlc -I . '{}' 2>&1", aside.string(),
                        sources[0].string(), sources[1].string(), sources[2].string()));
        if (!compiled.succeeded) {
            fs::remove_all(aside);
            return compiled;
        }
        std::error_code taken; // another test's build got there first: the same modules
        fs::rename(aside, built, taken);
        if (taken) fs::remove_all(aside);
    }
    fs::create_directories(dir);
    for (const auto& entry : fs::directory_iterator(built))
        if (entry.path().extension() == ".beam")
            fs::copy_file(entry.path(), dir / entry.path().filename(),
                          fs::copy_options::overwrite_existing);
    return {"", true};
}

// Runs the peer built in `dir` for `scenario` against 127.0.0.1:`port` (bounded: 60 s) and
// returns what it said; `started` gets the port it prints ("listening PORT") when it listens.
inline std::string runH323Peer(const std::filesystem::path& dir, const std::string& scenario,
                               int port, const std::function<void(int)>& started = {}) {
    FILE* peer = ::popen(fmt::format("cd '{}' && timeout 60 erl -noshell -pa . -s h323_peer "
                                     "main {} 127.0.0.1 {} -s init stop 2>&1",
                                     dir.string(), scenario, port)
                             .c_str(),
                         "r");
    std::string said;
    char line[1024];
    while (peer != nullptr && std::fgets(line, sizeof line, peer)) {
        int listening = 0;
        if (started && std::sscanf(line, "listening %d", &listening) == 1)
            started(listening);
        else
            said += line;
    }
    if (peer != nullptr) ::pclose(peer);
    return said;
}

} // namespace sb::test
