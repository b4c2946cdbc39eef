#pragma once
// What every API subcommand shares: where the API is and who is asking (`--url`, `--token`,
// `--agent`, `--cacert`, `--timeout`, each with an environment default), and how a reply
// becomes output and an exit status.

#include "cli/http_client.hpp"
#include "core/result.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace sb::cli {

// The exit statuses of the API subcommands.
enum Exit : int {
    kOk = 0,
    kUnreachable = 1, // no connection, or a reply that is not what the API answers
    kUsage = 2,       // bad arguments (CLI11's own errors end here too)
    kRefused = 3,     // the API answered with a problem (4xx, 5xx), printed to stderr
    kInvalid = 4,     // `witness verify`: the log or the proof does not check out
};

struct ClientOptions {
    std::string url;
    std::string token;
    std::string agent;
    std::string caFile;
    int timeoutSeconds = 10;
};

// Adds the shared options to `command`; their values land in `options`.
void addClientOptions(CLI::App& command, ClientOptions& options);

// Sends one request. On a 2xx reply `onSuccess` gets it and its result is the exit status;
// otherwise the problem (or the transport error) goes to stderr and the status says which.
int call(const ClientOptions& options, std::string_view method, std::string_view target,
         std::string_view body, const HeaderList& headers,
         const std::function<int(const HttpReply&)>& onSuccess);

// The whole of `file` ("-": standard input); `what` names it in the error (core/file.hpp).
Result<std::string> readInput(const std::string& file, std::string_view what);

// Prints a reply's body to stdout as it came, with a final newline.
int printBody(const HttpReply& reply);

// A subcommand and what runs it once it is the one parsed.
struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

std::vector<Command> addEscalateCommands(CLI::App& app);
std::vector<Command> addExpertsCommands(CLI::App& app);
std::vector<Command> addWitnessCommands(CLI::App& app);
std::vector<Command> addVideoCommands(CLI::App& app);

} // namespace sb::cli
