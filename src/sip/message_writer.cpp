#include "sip/message_writer.hpp"

#include "sip/message.hpp"

#include <fmt/format.h>

namespace sb::sip {

MessageWriter& MessageWriter::requestLine(std::string_view method, std::string_view uri) {
    fmt::format_to(std::back_inserter(out_), "{} {} SIP/2.0\r\n", method, uri);
    return *this;
}

MessageWriter& MessageWriter::statusLine(int status, std::string_view reason) {
    fmt::format_to(std::back_inserter(out_), "SIP/2.0 {} {}\r\n", status, reason);
    return *this;
}

MessageWriter& MessageWriter::header(std::string_view name, std::string_view value) {
    out_.append(name);
    out_.append(": ");
    out_.append(value);
    out_.append("\r\n");
    return *this;
}

std::string MessageWriter::finish(std::string_view body, std::string_view contentType) {
    if (!contentType.empty()) header(HeaderId::content_type, contentType);
    fmt::format_to(std::back_inserter(out_), "Content-Length: {}\r\n\r\n", body.size());
    out_.append(body);
    return std::move(out_);
}

std::string buildCanonical(const Message& m) {
    MessageWriter w(m.bytes().size() + 64);
    if (m.isRequest())
        w.requestLine(m.method(), m.requestUri().text);
    else
        w.statusLine(m.status(), m.reason());
    for (const auto& f : m.headers()) {
        if (f.id == HeaderId::content_length) continue;
        w.header(f.id == HeaderId::other ? f.name : canonicalName(f.id), f.value);
    }
    return w.finish(m.body());
}

MessageWriter responseTo(const Message& request, int status, std::string_view reason,
                         std::string_view toTag) {
    MessageWriter w;
    w.statusLine(status, reason);
    for (const auto& via : request.vias())
        w.header(HeaderId::via, via.text);
    w.header(HeaderId::from, request.from().text);
    if (request.to().tag().empty() && !toTag.empty())
        w.header(HeaderId::to, fmt::format("{};tag={}", request.to().text, toTag));
    else
        w.header(HeaderId::to, request.to().text);
    w.header(HeaderId::call_id, request.callId());
    w.header(HeaderId::cseq, fmt::format("{} {}", request.cseq().number, request.cseq().method));
    return w;
}

std::string sanitizeReason(std::string_view text) {
    std::string out;
    out.reserve(std::min<std::size_t>(text.size(), 160));
    for (char c : text) {
        if (out.size() >= 160) break;
        const auto u = static_cast<unsigned char>(c);
        out.push_back((u < 0x20 || u == 0x7f) ? ' ' : c);
    }
    return out;
}

} // namespace sb::sip
