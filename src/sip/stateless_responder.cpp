#include "sip/stateless_responder.hpp"

#include "core/log.hpp"
#include "sip/message_writer.hpp"
#include "sip/syntax.hpp"

#include <fmt/format.h>

namespace sb::sip {

namespace {

// Methods this responder answers itself; everything else gets 501 for now.
constexpr std::string_view kAllow = "OPTIONS";

// Methods of RFC 3261 and its extensions (PRACK, SUBSCRIBE/NOTIFY, PUBLISH, INFO, REFER,
// MESSAGE, UPDATE). A request with any other method is answered 501 (RFC 3261 §8.2.1).
bool isKnownMethod(std::string_view m) {
    for (std::string_view known :
         {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE", "NOTIFY",
          "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE"})
        if (m == known) return true;
    return false;
}

int statusFor(const Error& error) {
    switch (error.code) {
    case Errc::unsupported:
        return 505;
    case Errc::too_large:
        return 513;
    default:
        return 400;
    }
}

} // namespace

std::string_view defaultReason(int status) noexcept {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 501:
        return "Not Implemented";
    case 505:
        return "Version Not Supported";
    case 513:
        return "Message Too Large";
    default:
        return "Unknown";
    }
}

StatelessResponder::StatelessResponder(ResponderOptions options)
    : options_(std::move(options)), random_(std::random_device{}()) {}

std::string StatelessResponder::newTag() {
    return fmt::format("{:016x}", random_());
}

std::optional<std::string> StatelessResponder::respond(std::string_view bytes) {
    // The parser takes its own copy so that, on failure, the raw bytes are still here for
    // salvaging the headers of the 400.
    auto parsed = Message::parse(std::string(bytes), options_.limits);
    if (!parsed) return rejectMalformed(bytes, parsed.error());
    const Message& m = *parsed;
    if (!m.isRequest() || m.method() == "ACK") {
        ++stats_.ignored;
        return std::nullopt;
    }
    ++stats_.requests;
    if (m.method() == "OPTIONS") {
        auto w = responseTo(m, 200, defaultReason(200), newTag());
        w.header(HeaderId::allow, kAllow);
        // RFC 3261 §20.37: an empty Supported says that no extension is supported yet.
        w.header(HeaderId::supported, "");
        w.header(HeaderId::server, options_.userAgent);
        return w.finish();
    }
    auto w = responseTo(m, 501, defaultReason(501), newTag());
    w.header(HeaderId::allow, kAllow);
    w.header(HeaderId::server, options_.userAgent);
    return w.finish();
}

std::optional<std::string> StatelessResponder::rejectMalformed(std::string_view bytes,
                                                               const Error& error) {
    // Responses and garbage are dropped; only something that starts like a request line gets
    // an answer (RFC 3261 §8.2: a UAS answers requests).
    std::string_view rest = bytes;
    while (!rest.empty() && (rest.front() == '\r' || rest.front() == '\n'))
        rest.remove_prefix(1);
    const auto firstSpace = rest.find(' ');
    if (firstSpace == std::string_view::npos || firstSpace == 0 ||
        !syntax::isToken(rest.substr(0, firstSpace)) ||
        syntax::iequals(rest.substr(0, 4), "SIP/") || rest.substr(0, firstSpace) == "ACK") {
        ++stats_.ignored;
        return std::nullopt;
    }
    ++stats_.malformed;
    SB_WARN_RATE_LIMITED(log::get("sip"), "malformed request: {}", error.message);

    // RFC 3261 §8.2.1 inspects the method before the headers (§8.2.2): an unknown method is
    // answered 501 even when its headers are wrong too (RFC 4475 §3.1.2.18). A wrong version
    // or an oversized message is still answered as such.
    const bool unknownMethod = !isKnownMethod(rest.substr(0, firstSpace));
    const int status = unknownMethod && error.code == Errc::invalid_input ? 501 : statusFor(error);
    MessageWriter w;
    if (status == 501)
        w.statusLine(status, defaultReason(status));
    else
        w.statusLine(status,
                     sanitizeReason(fmt::format("{} ({})", defaultReason(status), error.message)));
    // Salvage the headers a response must echo (RFC 3261 §8.2.6.2), verbatim and unvalidated,
    // so that the peer can match the answer to its transaction.
    std::size_t pos = rest.find('\n');
    while (pos != std::string_view::npos && pos + 1 < rest.size()) {
        const auto next = rest.find('\n', pos + 1);
        auto line = rest.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos
                                                                        : next - pos - 1);
        pos = next;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const auto id = lookupHeader(syntax::trim(line.substr(0, colon)));
        const auto value = sanitizeReason(syntax::trim(line.substr(colon + 1)));
        switch (id) {
        case HeaderId::via:
        case HeaderId::from:
        case HeaderId::call_id:
        case HeaderId::cseq:
            w.header(id, value);
            break;
        case HeaderId::to:
            w.header(id, value.find(";tag=") == std::string::npos
                             ? fmt::format("{};tag={}", value, newTag())
                             : value);
            break;
        default:
            break;
        }
    }
    if (status == 501) w.header(HeaderId::allow, kAllow);
    w.header(HeaderId::server, options_.userAgent);
    return w.finish();
}

} // namespace sb::sip
