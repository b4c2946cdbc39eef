#include "sip/transport_kind.hpp"

#include <algorithm>
#include <cctype>

namespace sb::sip {

std::optional<Transport> parseTransport(std::string_view name) noexcept {
    auto is = [&](std::string_view want) {
        return std::ranges::equal(name, want, [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == b;
        });
    };
    if (is("udp")) return Transport::udp;
    if (is("tcp")) return Transport::tcp;
    if (is("tls")) return Transport::tls;
    return std::nullopt;
}

std::string_view viaToken(Transport t) noexcept {
    switch (t) {
    case Transport::udp:
        return "UDP";
    case Transport::tcp:
        return "TCP";
    case Transport::tls:
        return "TLS";
    }
    return "UDP";
}

std::string_view transportName(Transport t) noexcept {
    switch (t) {
    case Transport::udp:
        return "udp";
    case Transport::tcp:
        return "tcp";
    case Transport::tls:
        return "tls";
    }
    return "udp";
}

} // namespace sb::sip
