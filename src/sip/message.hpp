#pragma once
// A SIP message (RFC 3261 §7), parsed once into views of a buffer that the message owns.
//
// Parsing validates the start line, every header line's syntax, and eagerly decodes what the
// transaction and dialog layers need (Via, From, To, Call-ID, CSeq, Max-Forwards,
// Content-Length, Contact, Route, Record-Route, Expires, Date); other headers are kept verbatim
// and decoded on demand with the functions in headers.hpp. Folded header lines are unfolded in
// place (RFC 3261 §7.3.1 allows replacing LWS with SP), so every view is a single line.

#include "core/result.hpp"
#include "core/small_vector.hpp"
#include "sip/header_id.hpp"
#include "sip/headers.hpp"
#include "sip/uri.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::sip {

struct ParseLimits {
    std::size_t maxMessageBytes = 65536;
    std::size_t maxHeaders = 128;    // header field lines
    std::size_t maxLineBytes = 8192; // one header field after unfolding
};

struct HeaderField {
    HeaderId id = HeaderId::other;
    std::string_view name;  // as written (compact or long form)
    std::string_view value; // unfolded, leading and trailing whitespace trimmed
};

class Message {
public:
    // Parses a whole message (a datagram, or one framed by the stream framer). On bad input the
    // Error's sentence names the offending element (the header name, "Request-Line",
    // "Status-Line", …). Error codes: Errc::unsupported for a SIP version other than 2.0 (answer
    // 505), Errc::too_large for a limit exceeded (513), Errc::invalid_input otherwise (400).
    static Result<Message> parse(std::string bytes, const ParseLimits& limits = {});

    Message(Message&&) noexcept = default;
    Message& operator=(Message&&) noexcept = default;
    Message(const Message&) = delete; // views point into the buffer
    Message& operator=(const Message&) = delete;

    bool isRequest() const noexcept { return status_ == 0; }
    std::string_view method() const noexcept { return method_; }
    const Uri& requestUri() const noexcept { return requestUri_; }
    int status() const noexcept { return status_; }
    std::string_view reason() const noexcept { return reason_; }

    // Every header field line in order, unknown ones included.
    std::span<const HeaderField> headers() const noexcept;
    // The first value of a header, or nullopt.
    std::optional<std::string_view> header(HeaderId id) const noexcept;
    std::optional<std::string_view> header(std::string_view name) const noexcept;

    // Decoded headers. vias() holds every via-parm in order (comma-separated values split).
    const SmallVector<Via, 3>& vias() const noexcept { return vias_; }
    const NameAddr& from() const noexcept { return from_; }
    const NameAddr& to() const noexcept { return to_; }
    std::string_view callId() const noexcept { return callId_; }
    const CSeq& cseq() const noexcept { return cseq_; }
    std::optional<std::uint32_t> maxForwards() const noexcept { return maxForwards_; }
    std::optional<std::uint32_t> contentLength() const noexcept { return contentLength_; }
    std::optional<std::uint32_t> expires() const noexcept { return expires_; }
    const SmallVector<NameAddr, 1>& contacts() const noexcept { return contacts_; }
    bool contactIsStar() const noexcept { return contactStar_; }
    const SmallVector<NameAddr, 2>& routes() const noexcept { return routes_; }
    const SmallVector<NameAddr, 2>& recordRoutes() const noexcept { return recordRoutes_; }

    std::string_view body() const noexcept { return body_; }
    // The whole buffer as received (with folded lines unfolded in place).
    std::string_view bytes() const noexcept { return buffer_; }

private:
    Message() = default;
    class Parser;

    std::string buffer_;
    std::string_view method_;
    std::string_view reason_;
    int status_ = 0;
    Uri requestUri_;
    std::vector<HeaderField> headers_;
    SmallVector<Via, 3> vias_;
    NameAddr from_;
    NameAddr to_;
    std::string_view callId_;
    CSeq cseq_;
    std::optional<std::uint32_t> maxForwards_;
    std::optional<std::uint32_t> contentLength_;
    std::optional<std::uint32_t> expires_;
    SmallVector<NameAddr, 1> contacts_;
    bool contactStar_ = false;
    SmallVector<NameAddr, 2> routes_;
    SmallVector<NameAddr, 2> recordRoutes_;
    std::string_view body_;
};

} // namespace sb::sip
