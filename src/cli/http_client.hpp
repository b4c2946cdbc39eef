#pragma once
// A small synchronous HTTP/1.1 client (Boost.Beast) for the command line: one request per
// connection to Switchboard's own API, over TCP or TLS, with a bearer token and a deadline.

#include "core/result.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::cli {

// Where the API is and how to reach it (`--url`, `--token`, `--cacert`).
struct ApiEndpoint {
    bool tls = false;
    std::string host;
    std::string port;
    std::string token;  // empty: no Authorization header
    std::string caFile; // TLS: trust these certificates instead of the system's
    std::chrono::seconds timeout{10};
};

// Reads "http://host[:port]" or "https://host[:port]" (an IPv6 host in brackets); a trailing
// "/" is allowed, a path is not. Errors (Errc::invalid_input) say what is wrong.
Result<ApiEndpoint> parseBaseUrl(std::string_view url);

struct HttpReply {
    int status = 0;
    std::string contentType;
    std::string retryAfter; // for 429
    std::string body;
};

// Sends one request and reads the whole reply. Errors (Errc::io): the connection, TLS or the
// deadline failed, with the cause.
using HeaderList = std::vector<std::pair<std::string, std::string>>;
Result<HttpReply> send(const ApiEndpoint& api, std::string_view method, std::string_view target,
                       std::string_view body = {}, const HeaderList& headers = {});

// `text` (a reply body, a file) as JSON within the API's own nesting limit, so that a reply's
// depth is not the server's to choose; a discarded value when it is not JSON or too deep.
nlohmann::json readJson(std::string_view text);

} // namespace sb::cli
