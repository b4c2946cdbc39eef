#pragma once
// Text that came as bytes (a URL's parameter, a header, a peer's label) checked before it goes
// where UTF-8 is required: JSON (RFC 8259 §8.1), whose encoder throws on anything else.

#include <string_view>

namespace sb {

// RFC 3629 §4: well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool isUtf8(std::string_view s);

} // namespace sb
