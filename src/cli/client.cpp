#include "cli/client.hpp"

#include "core/file.hpp"

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace sb::cli {
namespace {

std::string fromEnvironment(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value && *value ? value : fallback;
}

// RFC 9457: a problem's detail and the member it names, when the body is problem+json.
void printProblem(const HttpReply& reply) {
    std::cerr << "switchboard: the API answered " << reply.status;
    const auto problem = readJson(reply.body);
    if (problem.is_object()) {
        if (auto title = problem.find("title"); title != problem.end() && title->is_string())
            std::cerr << ' ' << title->get<std::string>();
        if (auto detail = problem.find("detail"); detail != problem.end() && detail->is_string())
            std::cerr << ": " << detail->get<std::string>();
        for (const char* member : {"field", "rule"})
            if (auto it = problem.find(member); it != problem.end() && it->is_string())
                std::cerr << " (" << member << ' ' << it->get<std::string>() << ')';
    } else if (!reply.body.empty()) {
        std::cerr << ": " << reply.body.substr(0, 200);
    }
    if (!reply.retryAfter.empty()) std::cerr << "; retry after " << reply.retryAfter << " s";
    std::cerr << '\n';
}

// The endpoint `options` name. Errors: a bad --url.
Result<ApiEndpoint> endpointOf(const ClientOptions& options) {
    auto api = parseBaseUrl(options.url);
    if (!api) return api;
    api->token = options.token;
    api->caFile = options.caFile;
    api->timeout = std::chrono::seconds(options.timeoutSeconds);
    return api;
}

} // namespace

void addClientOptions(CLI::App& command, ClientOptions& options) {
    options.url = fromEnvironment("SWITCHBOARD_URL", "http://127.0.0.1:8080");
    options.token = fromEnvironment("SWITCHBOARD_TOKEN", "demo-token");
    options.agent = fromEnvironment("SWITCHBOARD_AGENT", "demo-agent");
    command.add_option("--url", options.url, "The API's base URL (env SWITCHBOARD_URL)")
        ->capture_default_str();
    command.add_option("--token", options.token, "Bearer token (env SWITCHBOARD_TOKEN)");
    command
        .add_option("--agent", options.agent,
                    "The agent the token belongs to, as IFMessage sender (env "
                    "SWITCHBOARD_AGENT)")
        ->capture_default_str();
    command.add_option("--cacert", options.caFile, "https: trust the certificates in FILE")
        ->type_name("FILE");
    command.add_option("--timeout", options.timeoutSeconds, "Seconds to wait for the API")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
}

int call(const ClientOptions& options, std::string_view method, std::string_view target,
         std::string_view body, const HeaderList& headers,
         const std::function<int(const HttpReply&)>& onSuccess) {
    auto api = endpointOf(options);
    if (!api) {
        std::cerr << "switchboard: --url " << api.error().message << '\n';
        return kUsage;
    }
    auto reply = send(*api, method, target, body, headers);
    if (!reply) {
        std::cerr << "switchboard: " << reply.error().message << '\n';
        return kUnreachable;
    }
    if (reply->status < 200 || reply->status > 299) {
        printProblem(*reply);
        return kRefused;
    }
    return onSuccess(*reply);
}

Result<std::string> readInput(const std::string& file, std::string_view what) {
    if (file == "-")
        return std::string(std::istreambuf_iterator<char>(std::cin),
                           std::istreambuf_iterator<char>());
    return readNamedFile(file, what);
}

int printBody(const HttpReply& reply) {
    std::cout << reply.body;
    if (!reply.body.empty() && reply.body.back() != '\n') std::cout << '\n';
    return kOk;
}

} // namespace sb::cli
