#pragma once
// Reading and writing SDP text (RFC 8866 §5, §9).
//
// Reading is strict about each line's syntax and lenient about what real equipment varies in:
// LF or CRLF line ends (§5: parsers should accept both), the order of the optional session and
// media fields, and a missing t= (t=0 0 is assumed). A type letter we do not know, a line
// without '=', a malformed o=, c=, b=, t= or m=, or a description without v=0, o= or s= is an
// error whose message names the line number and the field, e.g.
// "SDP line 5 (m=): port 'x' is not a number" (it goes into a 488's Warning header).

#include "core/result.hpp"
#include "sdp/session.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace sb::sdp {

struct ParseLimits {
    std::size_t maxBytes = 65536;
    std::size_t maxLines = 2048;
    std::size_t maxMedia = 64;
};

Result<Session> parse(std::string_view text, const ParseLimits& limits = {});

// The description in RFC 8866 order, CRLF line ends.
std::string write(const Session& session);

} // namespace sb::sdp
