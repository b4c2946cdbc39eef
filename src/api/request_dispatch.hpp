#pragma once
// The part of serving a request that needs no socket: parser limits, parse errors as problems,
// a Beast request turned into a Request and routed (authentication included), and a Response
// turned into a Beast response. The server's sessions and the fuzz target share it.

#include "api/http_types.hpp"
#include "api/router.hpp"
#include "api/tokens.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace sb::api {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct Limits {
    std::size_t maxBodyBytes = 1 << 20;
    std::size_t maxHeaderBytes = 16 << 10;
};

// Applies the limits to a fresh parser.
void configureParser(boost::beast::http::request_parser<boost::beast::http::string_body>& parser,
                     const Limits& limits);

// The problem for a parse error: 413 for a body over the limit, 431 for a header section over
// it, 400 for anything else.
Response parseErrorProblem(const boost::beast::error_code& error);

struct Routed {
    enum class Kind {
        answer,  // send `answer`
        call,    // call route->handler(request, params, respond)
        upgrade, // accept a WebSocket for the event hub; `filter` is the subscription's
    };
    Kind kind = Kind::answer;
    Response answer;
    Request request;
    const Router::Route* route = nullptr;
    PathParams params;
    std::string filter;
};

// Decodes the target, matches a route and authenticates: 400 for a bad escape (naming the
// parameter), 404, 405 with Allow, 426 for a plain GET on an events route, 401 (RFC 6750 §3)
// for a missing or bad token. An events route also takes the token from ?access_token=
// (RFC 6750 §2.3, browsers cannot set headers on a WebSocket); the parameter is then removed
// from Request::query. The request's body is moved out of `message`. Never throws on input.
Routed routeRequest(const Router& router, const TokenTable& tokens,
                    std::string_view filterParameter, BeastRequest& message, std::string remote);

// The Beast response for `response`: Server, Content-Type and Content-Length always (but no
// body fields on 204 and 304, RFC 9110 §8.6, §15.4.5); a status outside 200..599 becomes 500;
// extra header fields with a bad name, CR, LF or NUL, or naming a field the server sets, are
// dropped.
BeastResponse toBeast(Response response, unsigned version, bool keepAlive,
                      std::string_view serverName);

} // namespace sb::api
