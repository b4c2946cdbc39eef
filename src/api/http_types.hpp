#pragma once
// The API's request and response as handlers see them: plain strings, no Beast types, so that
// application code and tests need not include Boost. The server (server.hpp) converts from and
// to Beast messages.

#include "core/spool_file.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::api {

// ASCII case-insensitive equality (RFC 9110 §5.1: field names are case-insensitive).
bool iequals(std::string_view a, std::string_view b) noexcept;
// Whether a Content-Type names `mediaType` ("application/json"), whatever its case, the white
// space around it and its parameters (RFC 9110 §8.3.1).
bool isMediaType(std::string_view contentType, std::string_view mediaType) noexcept;

// Header fields in arrival order; lookups ignore the case of the name.
class Headers {
public:
    void add(std::string name, std::string value);
    // The first field of that name, or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    // Every value of that name, in order.
    std::vector<std::string_view> all(std::string_view name) const;
    const std::vector<std::pair<std::string, std::string>>& fields() const noexcept {
        return fields_;
    }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

// A body taken as it arrived, into a spool file (a streamed route's: hashing_body.hpp).
struct StreamedBody {
    std::filesystem::path directory;  // where its spool is made (the route's)
    std::shared_ptr<SpoolFile> spool; // the bytes, written as they came
    std::string sha256;               // lower-case hex, of the bytes
    std::string error;                // why the spool failed (the upload is then refused)
};

struct Request {
    std::string method; // as sent, e.g. "GET" (RFC 9110 §9.1: case-sensitive)
    std::string target; // as sent; may hold credentials (?access_token=): do not log it
    std::string path;   // percent-decoded, without the query
    std::vector<std::string> segments;             // the path's segments, each decoded
    std::multimap<std::string, std::string> query; // decoded names and values
    Headers headers;
    std::string body;
    std::string remote; // "address:port" of the peer ("[v6]:port")
    std::string agent;  // the authenticated agent (tokens.hpp); empty on open routes
    std::string grant;  // or the escalation a grant allows (Access::escalation, grants.hpp)
    // A streamed route's body (Router::setBodyLimit), which the handler may take.
    std::shared_ptr<StreamedBody> streamed;

    std::optional<std::string_view> header(std::string_view name) const {
        return headers.get(name);
    }
    // The first value of a query parameter, or nullopt.
    std::optional<std::string_view> param(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    // Extra header fields. Names or values holding CR, LF or NUL are dropped by the server
    // (no response splitting); Content-Type, Content-Length and Server are set by the server.
    std::vector<std::pair<std::string, std::string>> headers;
};

// How a handler answers. Safe to call from any thread; the first call wins and later calls are
// ignored (and logged). The response is posted to the connection's thread; if the connection
// has gone meanwhile, it is dropped. If every copy is destroyed without being called, the
// client gets a 500 problem, so a forgotten path in a handler cannot hang a connection.
using Respond = std::function<void(Response)>;

inline Response textResponse(int status, std::string body,
                             std::string contentType = "text/plain; charset=utf-8") {
    Response r;
    r.status = status;
    r.contentType = std::move(contentType);
    r.body = std::move(body);
    return r;
}

} // namespace sb::api
