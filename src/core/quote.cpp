#include "core/quote.hpp"

namespace sb {

std::string quoteUntrusted(std::string_view s) {
    constexpr std::size_t kMax = 64;
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        out += (c < 0x20 || c == 0x7f || c == '"' || c == '\\') ? '?' : s[i];
    }
    if (s.size() > kMax) out += "...";
    return out + '"';
}

} // namespace sb
