#include "core/glob.hpp"

namespace sb {

std::optional<std::string> globProblem(std::string_view pattern) {
    const std::string expectation = "a glob pattern of 1 to 256 characters where only * and ? "
                                    "are wildcards";
    if (pattern.empty() || pattern.size() > kMaxGlobBytes) return expectation;
    for (const char ch : pattern) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) return expectation + " (no control characters)";
        if (c == '[' || c == ']' || c == '{' || c == '}' || c == '\\')
            return expectation + " (no [ ] { } or \\: character classes, braces and escapes are "
                                 "not supported)";
    }
    return std::nullopt;
}

bool globMatch(std::string_view pattern, std::string_view text) noexcept {
    // The classic greedy matcher: on a mismatch, go back to the last `*` and let it swallow one
    // more byte. Only the last star matters, so the work is bounded by |pattern| * |text|.
    std::size_t p = 0, t = 0;
    std::size_t starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::size_t globSpecificity(std::string_view pattern) noexcept {
    std::size_t n = 0;
    for (const char c : pattern)
        n += (c != '*' && c != '?') ? 1 : 0;
    return n;
}

} // namespace sb
