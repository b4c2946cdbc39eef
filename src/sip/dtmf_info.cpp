#include "sip/dtmf_info.hpp"

#include "sip/syntax.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace sb::sip {
namespace {

std::optional<char> keypadDigit(std::string_view s) {
    // Some senders write * and # as the event numbers 10 and 11 (RFC 4733 §3.2).
    if (s == "10") return '*';
    if (s == "11") return '#';
    if (s.size() != 1) return std::nullopt;
    char c = s[0];
    if (c >= 'a' && c <= 'd') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D')) return c;
    return std::nullopt;
}

} // namespace

std::optional<DtmfDigit> parseDtmfInfo(std::string_view contentType, std::string_view body) {
    contentType = syntax::trim(contentType.substr(0, contentType.find(';')));
    if (syntax::iequals(contentType, "application/dtmf")) {
        auto digit = keypadDigit(syntax::trim(body.substr(0, body.find('\n'))));
        if (!digit) return std::nullopt;
        return DtmfDigit{*digit, std::chrono::milliseconds(250)};
    }
    if (!syntax::iequals(contentType, kDtmfRelayType)) return std::nullopt;
    std::optional<char> digit;
    long duration = 250;
    while (!body.empty()) {
        const auto end = body.find('\n');
        const std::string_view line = body.substr(0, end);
        body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) continue;
        const auto key = syntax::trim(line.substr(0, equals));
        const auto value = syntax::trim(line.substr(equals + 1));
        if (syntax::iequals(key, "Signal")) {
            digit = keypadDigit(value);
        } else if (syntax::iequals(key, "Duration")) {
            long ms = 0;
            if (std::from_chars(value.data(), value.data() + value.size(), ms).ec == std::errc())
                duration = ms;
        }
    }
    if (!digit) return std::nullopt;
    return DtmfDigit{*digit, std::chrono::milliseconds(std::clamp(duration, 40L, 5000L))};
}

std::string dtmfRelayBody(const DtmfDigit& d) {
    return fmt::format("Signal={}\r\nDuration={}\r\n", d.digit, d.duration.count());
}

} // namespace sb::sip
