#include "sip/destination.hpp"

#include "sip/uri.hpp"

#include <fmt/format.h>

namespace sb::sip {

Result<Destination> resolveNumeric(std::string_view text, std::optional<Transport> forced) {
    auto uri = parseUri(text);
    if (!uri) return fail(Errc::invalid_input, fmt::format("'{}': {}", text, uri.error().message));
    if (!uri->isSip()) return fail(Errc::invalid_input, fmt::format("'{}' is not a SIP URI", text));
    Destination d;
    if (forced) {
        d.transport = *forced;
    } else if (auto param = uri->params.get("transport")) {
        auto t = parseTransport(*param);
        if (!t) return fail(Errc::unsupported, fmt::format("transport '{}' in '{}'", *param, text));
        d.transport = *t;
    } else {
        d.transport = uri->scheme == UriScheme::sips ? Transport::tls : Transport::udp;
    }
    const auto address = addressOfHost(uri->host);
    if (!address)
        return fail(
            Errc::not_found,
            fmt::format("'{}': the host is a name, and DNS (RFC 3263) is not used here", text));
    d.address = *address;
    d.port = uri->port.value_or(d.transport == Transport::tls ? 5061 : 5060);
    return d;
}

std::optional<asio::ip::address> addressOfHost(std::string_view host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    std::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) return std::nullopt;
    return address;
}

} // namespace sb::sip
