#pragma once
// Untrusted names (agents' ids, topics, experts) go into sentences for people: quoted, kept
// short and printable.

#include <string>
#include <string_view>

namespace sb {

// `s` in double quotes, at most 64 characters of it (then "..."), control characters, quotes
// and backslashes shown as '?'.
std::string quoteUntrusted(std::string_view s);

} // namespace sb
