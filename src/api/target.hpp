#pragma once
// The request target (RFC 9112 §3.2): its path split into decoded segments and its query into
// decoded parameters. Decoding happens per segment, so an encoded "/" (%2F) stays inside its
// segment and cannot change which route matches.

#include "core/result.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sb::api {

// RFC 3986 §2.1 percent-decoding. With `plusIsSpace` (query strings, as HTML forms encode
// them) '+' decodes to a space. Errc::invalid_input for a '%' not followed by two hex digits
// or for an encoded NUL. Never throws.
Result<std::string> percentDecode(std::string_view text, bool plusIsSpace);

struct Target {
    std::string path;                              // decoded, without the query
    std::vector<std::string> segments;             // "/v1/a%2Fb" -> {"v1", "a/b"}
    std::multimap<std::string, std::string> query; // "a=1&b&a=2" -> {a:1, a:2, b:""}
};

// Parses an origin-form ("/p?q") or absolute-form ("http://h/p?q") target; a fragment is
// ignored. On a bad escape returns Errc::invalid_input with a sentence naming the parameter
// (or the path) and, if `badParameter` is given, stores that parameter's raw name there
// ("path" for the path). Never throws.
Result<Target> parseTarget(std::string_view target, std::string* badParameter = nullptr);

} // namespace sb::api
