#include "h323/addresses.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fmt/format.h>

namespace sb::h323 {

namespace {

bool isDialedDigits(std::string_view user) {
    return !user.empty() && user.size() <= 128 &&
           user.find_first_not_of("0123456789#*,") == std::string_view::npos;
}

// A port's digits: 1..65535, nothing else.
std::optional<std::uint16_t> portOf(std::string_view digits) {
    std::uint16_t port = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (error != std::errc() || end != digits.data() + digits.size() || port == 0)
        return std::nullopt;
    return port;
}

} // namespace

h225::AliasAddress aliasOf(std::string_view user) {
    if (isDialedDigits(user)) return h225::DialedDigits{std::string(user)};
    return h225::H323Id{std::u16string(user.begin(), user.end())};
}

std::string textOf(const h225::AliasAddress& alias) {
    if (const auto* digits = std::get_if<h225::DialedDigits>(&alias)) return digits->digits;
    std::string out;
    if (const auto* id = std::get_if<h225::H323Id>(&alias))
        for (char16_t c : id->name)
            out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
    return out;
}

Result<H323Url> parseH323Url(std::string_view url) {
    constexpr std::string_view kScheme = "h323:";
    if (url.size() < kScheme.size() ||
        !std::equal(kScheme.begin(), kScheme.end(), url.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        }))
        return fail(Errc::invalid_input, fmt::format("{} is not an H.323 URL", url));
    auto rest = url.substr(kScheme.size());
    rest = rest.substr(0, rest.find(';')); // URL parameters (RFC 3508 §3) are not used
    const auto at = rest.rfind('@');
    const auto user = rest.substr(0, at);
    if (user.empty() || user.size() > 256)
        return fail(Errc::invalid_input, fmt::format("{} names no user", url));
    H323Url out;
    out.aliases.push_back(aliasOf(user));
    if (at == std::string_view::npos) return out; // the alias alone: a gatekeeper locates it
    auto host = rest.substr(at + 1);
    std::uint16_t port = kCallSignallingPort;
    if (const auto colon = host.find(':'); colon != std::string_view::npos) {
        const auto given = portOf(host.substr(colon + 1));
        if (!given) return fail(Errc::invalid_input, fmt::format("{} has a bad port", url));
        port = *given;
        host = host.substr(0, colon);
    }
    asio::error_code error;
    const auto address = asio::ip::make_address_v4(std::string(host), error);
    if (error)
        return fail(Errc::invalid_input, fmt::format("{}: the host must be an IPv4 address", url));
    out.host = asio::ip::tcp::endpoint(address, port);
    return out;
}

std::optional<asio::ip::udp::endpoint> parseRasAddress(std::string_view text) {
    std::uint16_t port = 1719;
    if (const auto colon = text.find(':'); colon != std::string_view::npos) {
        const auto given = portOf(text.substr(colon + 1));
        if (!given) return std::nullopt;
        port = *given;
        text = text.substr(0, colon);
    }
    asio::error_code error;
    const auto address = asio::ip::make_address_v4(std::string(text), error);
    if (error) return std::nullopt;
    return asio::ip::udp::endpoint(address, port);
}

} // namespace sb::h323
