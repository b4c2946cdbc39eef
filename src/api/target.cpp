#include "api/target.hpp"

#include "core/hex.hpp"

namespace sb::api {

namespace {

// Printable for an error message: at most 40 bytes, control bytes as '?'.
std::string shown(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 40))
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (s.size() > 40) out += "...";
    return out;
}

} // namespace

Result<std::string> percentDecode(std::string_view text, bool plusIsSpace) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            const int hi = i + 1 < text.size() ? hexDigitValue(text[i + 1]) : -1;
            const int lo = i + 2 < text.size() ? hexDigitValue(text[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return fail(Errc::invalid_input,
                            "bad percent escape at offset " + std::to_string(i));
            if (hi == 0 && lo == 0) return fail(Errc::invalid_input, "an encoded NUL (%00)");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plusIsSpace) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

Result<Target> parseTarget(std::string_view target, std::string* badParameter) {
    auto blame = [&](std::string name, std::string sentence) {
        if (badParameter) *badParameter = std::move(name);
        return fail(Errc::invalid_input, std::move(sentence));
    };
    if (auto hash = target.find('#'); hash != std::string_view::npos)
        target = target.substr(0, hash);
    // RFC 9112 §3.2.2: a server must accept the absolute form; only its path and query matter.
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() && target.substr(0, scheme.size()) == scheme) {
            target.remove_prefix(scheme.size());
            const auto slash = target.find_first_of("/?");
            target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
            if (!target.empty() && target.front() == '?') return blame("path", "empty path");
            break;
        }
    }
    if (target.empty() || target.front() != '/')
        return blame("path", "the request target must start with '/'");

    const auto question = target.find('?');
    const std::string_view rawPath = target.substr(0, question);
    Target out;
    auto path = percentDecode(rawPath, false);
    if (!path) return blame("path", "path: " + path.error().message);
    out.path = std::move(*path);

    // Segments after the leading '/', decoded one by one.
    std::string_view rest = rawPath.substr(1);
    for (;;) {
        const auto slash = rest.find('/');
        auto segment = percentDecode(rest.substr(0, slash), false);
        if (!segment) return blame("path", "path: " + segment.error().message);
        out.segments.push_back(std::move(*segment));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }

    if (question == std::string_view::npos) return out;
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue; // "a=1&&b=2"
        const auto eq = pair.find('=');
        const std::string_view rawName = pair.substr(0, eq);
        const std::string_view rawValue =
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        auto name = percentDecode(rawName, true);
        if (!name)
            return blame(std::string(rawName), "query parameter name \"" + shown(rawName) +
                                                   "\": " + name.error().message);
        auto value = percentDecode(rawValue, true);
        if (!value)
            return blame(*name,
                         "query parameter \"" + shown(*name) + "\": " + value.error().message);
        out.query.emplace(std::move(*name), std::move(*value));
    }
    return out;
}

} // namespace sb::api
