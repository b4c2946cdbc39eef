#pragma once
// What a shell command prints on its standard output, for tests that ask a real tool (the
// openssl command, a peer's script) about what we made.

#include <cstdio>
#include <string>

namespace sb::test {

struct CommandResult {
    std::string output;
    bool succeeded = false; // it ran and exited 0
};

inline CommandResult runCommand(const std::string& command) {
    CommandResult result;
    if (FILE* p = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        while (std::size_t n = std::fread(buffer, 1, sizeof buffer, p))
            result.output.append(buffer, n);
        result.succeeded = ::pclose(p) == 0;
    }
    return result;
}

inline std::string commandOutput(const std::string& command) {
    return runCommand(command).output;
}

} // namespace sb::test
