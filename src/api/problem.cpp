#include "api/problem.hpp"

#include "core/json_text.hpp"

namespace sb::api {

std::string_view reasonPhrase(int status) noexcept {
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 426:
        return "Upgrade Required";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Unknown";
    }
}

Response problem(int status, std::string_view title, std::string_view detail,
                 nlohmann::json extra) {
    if (status < 100 || status > 599) status = 500;
    nlohmann::json body = nlohmann::json::object();
    if (extra.is_object())
        for (auto& [key, value] : extra.items())
            body[key] = std::move(value);
    if (!body.contains("type") || !body["type"].is_string()) body["type"] = "about:blank";
    body["title"] = std::string(title.empty() ? reasonPhrase(status) : title);
    body["status"] = status;
    body["detail"] = std::string(detail);
    Response r;
    r.status = status;
    r.contentType = std::string(problemContentType);
    r.body = jsonText(body);
    return r;
}

void setRetryAfter(Response& response, std::chrono::seconds after) {
    const auto seconds = after.count() < 1 ? 1 : after.count();
    for (auto& [name, value] : response.headers)
        if (iequals(name, "Retry-After")) {
            value = std::to_string(seconds);
            return;
        }
    response.headers.emplace_back("Retry-After", std::to_string(seconds));
}

Response tooManyRequests(std::string_view detail, std::chrono::seconds retryAfter,
                         nlohmann::json extra) {
    Response r = problem(429, "Too Many Requests", detail, std::move(extra));
    setRetryAfter(r, retryAfter);
    return r;
}

Response jsonResponse(int status, const nlohmann::json& body) {
    Response r;
    r.status = status;
    r.contentType = "application/json";
    r.body = jsonText(body);
    return r;
}

} // namespace sb::api
