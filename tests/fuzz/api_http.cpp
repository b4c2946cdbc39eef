// Fuzzes what the API server does with untrusted bytes before a handler runs: the Beast request
// parser with the server's limits, then the target's percent-decoding, routing against a small
// fixed router, and bearer authentication (header and access_token). Nothing may throw out or
// crash; a parse error must map to 400, 413 or 431.
#include "api/request_dispatch.hpp"
#include "api/tokens.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace sb::api;

const Router& router() {
    static const Router r = [] {
        Router out;
        auto nothing = [](const Request&, const PathParams&, Respond) {};
        (void)out.add("GET", "/v1/escalations/{id}", nothing);
        (void)out.add("GET", "/v1/escalations/stats", nothing);
        (void)out.add("POST", "/v1/escalations", nothing);
        (void)out.add("GET", "/v1/experts/{id}/chains/{chain}", nothing, Access::open);
        (void)out.add("GET", "/healthz", nothing, Access::open);
        (void)out.addEvents("/v1/events");
        return out;
    }();
    return r;
}

const TokenTable& tokens() {
    static const TokenTable t = *TokenTable::create({{"alice", hashToken("alice-token")}});
    return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)parseBearer(bytes);

    boost::beast::http::request_parser<boost::beast::http::string_body> parser;
    configureParser(parser, Limits{4096, 2048}); // small, so the fuzzer reaches the limits
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t used = 0;
    while (used < bytes.size() && !parser.is_done()) {
        const std::size_t n =
            parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
        if (ec == boost::beast::http::error::need_more) ec = {};
        if (ec || n == 0) break;
        used += n;
    }
    if (!ec && !parser.is_done()) parser.put_eof(ec); // the bytes end here
    if (ec) {
        const int status = parseErrorProblem(ec).status;
        if (status != 400 && status != 413 && status != 431) std::abort();
        return 0;
    }
    if (!parser.is_done()) return 0;

    BeastRequest message = parser.release();
    const bool keepAlive = message.keep_alive();
    const unsigned version = message.version();
    Routed routed = routeRequest(router(), tokens(), "escalation", message, "127.0.0.1:1");
    if (routed.kind == Routed::Kind::answer) {
        if (routed.answer.status < 400) std::abort();
        auto response = toBeast(std::move(routed.answer), version, keepAlive, "Switchboard");
        (void)response;
    } else if (routed.route == nullptr) {
        std::abort();
    }
    return 0;
}
