#pragma once
// Hex, as digests, hashes, keys and signatures travel in text (JSON, SIP, configuration).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sb {

// Lower-case hex of `bytes`.
std::string toHex(std::span<const std::uint8_t> bytes);

// 0-15 for a hex digit of either case, -1 for anything else.
int hexDigitValue(char c) noexcept;

// Exactly out.size() bytes of hex into `out`; false for any other length or a non-digit.
// Lower case only unless `anyCase`: what we write ourselves is read back canonical.
bool fromHex(std::string_view text, std::span<std::uint8_t> out, bool anyCase = false);

} // namespace sb
