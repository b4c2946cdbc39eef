#pragma once
// A real peer's process for a unit test (Janus, coturn): started with its output sent to a
// file, and stopped (SIGTERM, then waited for) when the object goes. Wrap the command in
// `timeout` so that a test that dies leaves nothing running for long.

#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace sb::test {

class ChildProcess {
public:
    ChildProcess() = default;
    // `args[0]` is found on PATH; stdout and stderr go to `output` (created or truncated).
    bool start(std::vector<std::string> args, const std::string& output = "/dev/null") {
        std::vector<char*> argv;
        argv.reserve(args.size() + 1);
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t files;
        posix_spawn_file_actions_init(&files);
        posix_spawn_file_actions_addopen(&files, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0644);
        posix_spawn_file_actions_adddup2(&files, 1, 2);
        const bool started =
            ::posix_spawnp(&pid_, argv[0], &files, nullptr, argv.data(), environ) == 0;
        posix_spawn_file_actions_destroy(&files);
        if (!started) pid_ = 0;
        return started;
    }
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
    }
    ~ChildProcess() { stop(); }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

private:
    pid_t pid_ = 0;
};

} // namespace sb::test
