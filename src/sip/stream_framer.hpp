#pragma once
// RFC 3261 §18.3 framing for stream transports (TCP, TLS): finds where one SIP message ends in
// the bytes received so far. The header section ends at the first empty line and the body is
// exactly Content-Length bytes, so Content-Length is mandatory on streams. Also recognises the
// RFC 5626 §4.4.1 keep-alive ping (CRLFCRLF), which the transport answers with a pong (CRLF).
//
// One forward scan over the header section, no allocation unless an error is reported.

#include "core/result.hpp"

#include <cstddef>
#include <string_view>

namespace sb::sip {

struct StreamFrame {
    enum class Kind {
        incomplete, // need more bytes; `skip` leading bytes may already be discarded
        message,    // bytes [skip, skip + length) are one SIP message
        ping,       // bytes [skip, skip + length) are a CRLFCRLF keep-alive: answer "\r\n"
    };
    Kind kind = Kind::incomplete;
    std::size_t skip = 0;   // leading CRLFs to discard (RFC 3261 §7.5)
    std::size_t length = 0; // 0 when incomplete
    // Incomplete: the message's length (after `skip`) once its header section is whole (only
    // the body is missing), else 0.
    std::size_t announced = 0;

    // Bytes to drop from the front of the buffer after handling this frame.
    std::size_t consumed() const noexcept { return skip + length; }
};

// Frames the first message in `buffered`.
// Errors (the connection cannot be resynchronised and should be closed):
// - Errc::invalid_input "Content-Length is required on stream transports (RFC 3261 §18.3)";
// - Errc::invalid_input naming Content-Length when its value is not a number, overflows, or
//   two Content-Length headers disagree;
// - Errc::too_large when the header section, or header section plus body, exceeds
//   `maxMessageBytes` (reported as soon as the buffered bytes prove it).
Result<StreamFrame> frameStreamMessage(std::string_view buffered, std::size_t maxMessageBytes);

} // namespace sb::sip
