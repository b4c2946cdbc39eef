#include "cli/http_client.hpp"

#include "api/ifmessage.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <optional>

namespace sb::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Replies larger than this are refused: the API pages its lists (witness entries by 1000).
constexpr std::uint64_t kMaxReplyBytes = 64 * 1024 * 1024;

// One request and its reply on an open stream; `outcome` is set once the reply is read or a
// step failed.
struct Exchange {
    const http::request<http::string_body>& request;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    std::optional<Result<HttpReply>> outcome;

    void failed(const ApiEndpoint& api, boost::system::error_code error) {
        outcome = fail(Errc::io, fmt::format("{}:{}: {}", api.host, api.port, error.message()));
    }

    template <typename Stream>
    void run(const ApiEndpoint& api, Stream& stream) {
        http::async_write(stream, request, [this, &api, &stream](auto error, std::size_t) {
            if (error) return failed(api, error);
            parser.body_limit(kMaxReplyBytes);
            http::async_read(stream, buffer, parser, [this, &api](auto error, std::size_t) {
                if (error) return failed(api, error);
                const auto& message = parser.get();
                HttpReply reply;
                reply.status = static_cast<int>(message.result_int());
                reply.contentType = std::string(message[http::field::content_type]);
                reply.retryAfter = std::string(message[http::field::retry_after]);
                reply.body = message.body();
                outcome = std::move(reply);
            });
        });
    }
};

} // namespace

Result<ApiEndpoint> parseBaseUrl(std::string_view url) {
    ApiEndpoint api;
    std::string_view rest;
    if (url.starts_with("http://")) {
        rest = url.substr(7);
    } else if (url.starts_with("https://")) {
        api.tls = true;
        rest = url.substr(8);
    } else {
        return fail(Errc::invalid_input, fmt::format("{}: expected http:// or https://", url));
    }
    if (rest.ends_with('/')) rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos)
        return fail(Errc::invalid_input, fmt::format("{}: the API's base URL has no path", url));
    std::string_view port;
    if (rest.starts_with('[')) { // RFC 3986 §3.2.2: an IPv6 literal in brackets
        const auto close = rest.find(']');
        if (close == std::string_view::npos)
            return fail(Errc::invalid_input, fmt::format("{}: unclosed '['", url));
        api.host = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (!rest.empty() && !rest.starts_with(':'))
            return fail(Errc::invalid_input, fmt::format("{}: expected ':' after ']'", url));
        if (!rest.empty()) port = rest.substr(1);
    } else {
        const auto colon = rest.rfind(':');
        api.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port = rest.substr(colon + 1);
    }
    if (api.host.empty()) return fail(Errc::invalid_input, fmt::format("{}: no host", url));
    if (port.empty()) port = api.tls ? "443" : "80";
    if (port.find_first_not_of("0123456789") != std::string_view::npos || port.size() > 5)
        return fail(Errc::invalid_input, fmt::format("{}: bad port '{}'", url, port));
    api.port = std::string(port);
    return api;
}

Result<HttpReply> send(const ApiEndpoint& api, std::string_view method, std::string_view target,
                       std::string_view body, const HeaderList& headers) {
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(http::field::host, api.host);
    request.set(http::field::user_agent, "switchboard-cli");
    request.set(http::field::connection, "close");
    if (!api.token.empty()) request.set(http::field::authorization, "Bearer " + api.token);
    for (const auto& [name, value] : headers)
        request.set(name, value);
    if (!body.empty()) {
        request.set(http::field::content_type, "application/json");
        request.body() = std::string(body);
    }
    request.prepare_payload();

    // Asynchronous steps on an io_context run for at most the timeout: one deadline for the
    // resolution, connection, handshake and exchange together.
    asio::io_context io;
    Exchange exchange{request, {}, {}, {}};
    tcp::resolver resolver(io);
    beast::tcp_stream tcpStream(io);
    std::optional<asio::ssl::context> tls;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tlsStream;
    if (api.tls) {
        tls.emplace(asio::ssl::context::tls_client);
        boost::system::error_code error;
        if (api.caFile.empty())
            tls->set_default_verify_paths(error);
        else
            tls->load_verify_file(api.caFile, error);
        if (error)
            return fail(Errc::io,
                        fmt::format("tls: {}: {}", api.caFile.empty() ? "system CAs" : api.caFile,
                                    error.message()));
        tls->set_verify_mode(asio::ssl::verify_peer);
        tlsStream.emplace(io, *tls);
        // RFC 6066 §3: name the host we want (SNI); and check the certificate is for it.
        if (!SSL_set_tlsext_host_name(tlsStream->native_handle(), api.host.c_str()))
            return fail(Errc::io, "tls: cannot set the server name");
        tlsStream->set_verify_callback(asio::ssl::host_name_verification(api.host));
    }
    resolver.async_resolve(
        api.host, api.port, [&](auto error, const tcp::resolver::results_type& addresses) {
            if (error) return exchange.failed(api, error);
            auto& socket = tlsStream ? beast::get_lowest_layer(*tlsStream) : tcpStream;
            socket.async_connect(addresses, [&](auto error, const tcp::endpoint&) {
                if (error) return exchange.failed(api, error);
                if (!tlsStream) return exchange.run(api, tcpStream);
                tlsStream->async_handshake(asio::ssl::stream_base::client, [&](auto error) {
                    if (error) return exchange.failed(api, error);
                    exchange.run(api, *tlsStream);
                });
            });
        });
    io.run_for(api.timeout);
    if (!exchange.outcome)
        return fail(Errc::io, fmt::format("{}:{}: no answer within {} s", api.host, api.port,
                                          api.timeout.count()));
    return std::move(*exchange.outcome);
}

nlohmann::json readJson(std::string_view text) {
    auto parsed = api::parseJson(text);
    return parsed ? std::move(parsed).value() : nlohmann::json(nlohmann::json::value_t::discarded);
}

} // namespace sb::cli
