#pragma once
// Builds SIP messages as text: start line, header lines, Content-Length, body (RFC 3261 §7).

#include "sip/header_id.hpp"

#include <string>
#include <string_view>

namespace sb::sip {

class Message;

class MessageWriter {
public:
    explicit MessageWriter(std::size_t reserve = 512) { out_.reserve(reserve); }

    MessageWriter& requestLine(std::string_view method, std::string_view uri);
    MessageWriter& statusLine(int status, std::string_view reason);
    MessageWriter& header(std::string_view name, std::string_view value);
    MessageWriter& header(HeaderId id, std::string_view value) {
        return header(canonicalName(id), value);
    }
    // Appends Content-Length (always: RFC 3261 §18.3 requires it on streams), Content-Type if
    // given, the empty line and the body; returns the message.
    std::string finish(std::string_view body = {}, std::string_view contentType = {});

private:
    std::string out_;
};

// The canonical text of a parsed message: its start line, then every header line in order under
// its long name (compact forms expanded) with the unfolded value, Content-Length recomputed from
// the body, then the body. Parsing the result gives the same message, and building it again gives
// the same text.
std::string buildCanonical(const Message& message);

// A response to `request` (RFC 3261 §8.2.6.2): the Via headers, From, To, Call-ID and CSeq
// copied; toTag is added to To when the request had none (pass "" for 100 Trying).
MessageWriter responseTo(const Message& request, int status, std::string_view reason,
                         std::string_view toTag);

// A reason phrase safe to put on a status line: control characters replaced, at most 160 bytes.
std::string sanitizeReason(std::string_view text);

} // namespace sb::sip
