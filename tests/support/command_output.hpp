#pragma once
// What a shell command prints on its standard output, for tests that ask a real tool (the
// openssl command, a peer's script) about what we made.

#include <cstdio>
#include <string>

namespace sb::test {

inline std::string commandOutput(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        while (std::size_t n = std::fread(buffer, 1, sizeof buffer, p))
            out.append(buffer, n);
        ::pclose(p);
    }
    return out;
}

} // namespace sb::test
