#pragma once
// Glob patterns for names (agents, topics, experts): `*` matches any run of characters,
// including none, and `?` matches exactly one byte. Nothing else is special, and matching is
// case-sensitive and bytewise (UTF-8 text matches as its bytes).
//
// Character classes and braces (`[a-z]`, `{a,b}`) and backslash escapes are rejected rather
// than taken literally, so that an operator who expects shell globs learns at load time that
// the pattern would not do what it seems to.

#include <optional>
#include <string>
#include <string_view>

namespace sb {

inline constexpr std::size_t kMaxGlobBytes = 256;

// What is wrong with `pattern`, as an "expected …" phrase for an error sentence; nullopt when
// it is a valid glob (1 to kMaxGlobBytes bytes, no control characters, none of `[ ] { } \`).
std::optional<std::string> globProblem(std::string_view pattern);

// True when `text` matches `pattern`. Runs in O(|pattern| * |text|) at worst (no exponential
// backtracking). An invalid pattern still matches by the rules above; validate it first.
bool globMatch(std::string_view pattern, std::string_view text) noexcept;

// How specific a pattern is: the number of bytes that are not wildcards. Used to prefer
// "billing-eu*" over "billing*" over "*".
std::size_t globSpecificity(std::string_view pattern) noexcept;

} // namespace sb
