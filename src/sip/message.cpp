#include "sip/message.hpp"

#include "sip/syntax.hpp"

#include <cstring>
#include <fmt/format.h>

namespace sb::sip {

namespace {

Unexpected invalid(std::string message) {
    return fail(Errc::invalid_input, std::move(message));
}

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; "SIP" is case-insensitive (RFC 3261 §7.1).
// Returns an Error for a malformed version and Errc::unsupported for anything but 2.0.
Result<void> checkVersion(std::string_view v, std::string_view line) {
    const bool prefix = v.size() > 4 && syntax::iequals(v.substr(0, 4), "SIP/");
    const auto dot = v.find('.');
    auto allDigits = [](std::string_view s) {
        if (s.empty()) return false;
        for (char c : s)
            if (!syntax::isDigit(c)) return false;
        return true;
    };
    if (!prefix || dot == std::string_view::npos || !allDigits(v.substr(4, dot - 4)) ||
        !allDigits(v.substr(dot + 1)))
        return invalid(fmt::format("{}: malformed SIP version '{}'", line, v));
    if (v.substr(4) != "2.0")
        return fail(Errc::unsupported, fmt::format("{}: unsupported SIP version '{}'", line, v));
    return {};
}

// True if the block holds a control character other than HTAB, CR and LF, or a CR not followed
// by LF. Byte-wide arithmetic throughout so that the loop maps onto SIMD byte compares; GCC
// also emits an AVX2 clone, picked at load time on processors that have it.
#if defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
bool hasSuspectBytes(const std::uint8_t* p, std::size_t n) noexcept {
    std::uint8_t bad = 0;
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const std::uint8_t c = p[i];
        const std::uint8_t control = (c < 0x20) & (c != '\t') & (c != '\r') & (c != '\n');
        const std::uint8_t bareCr = (c == '\r') & (p[i + 1] != '\n');
        bad |= control | bareCr | static_cast<std::uint8_t>(c == 0x7f);
    }
    return bad != 0;
}

} // namespace

class Message::Parser {
public:
    Parser(Message& m, const ParseLimits& limits) : m_(m), limits_(limits) {}

    Result<void> run() {
        std::string& buf = m_.buffer_;
        std::size_t pos = 0;
        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        while (pos < buf.size() && (buf[pos] == '\r' || buf[pos] == '\n'))
            ++pos;
        std::string_view line;
        if (!nextLine(pos, line))
            return invalid("Request-Line: message has no complete start line");
        if (auto r = startLine(line); !r) return r;
        if (auto r = headerSection(pos); !r) return r;
        if (auto r = decodeHeaders(); !r) return r;
        if (auto r = body(pos); !r) return r;
        return checkRequired();
    }

private:
    // One line ending in CRLF (a bare LF is tolerated); false if no line end remains.
    bool nextLine(std::size_t& pos, std::string_view& line) {
        const std::string& buf = m_.buffer_;
        const auto nl = buf.find('\n', pos);
        if (nl == std::string::npos) return false;
        const std::size_t end = (nl > pos && buf[nl - 1] == '\r') ? nl - 1 : nl;
        line = std::string_view(buf).substr(pos, end - pos);
        pos = nl + 1;
        return true;
    }

    Result<void> startLine(std::string_view line) {
        // Exactly one SP between the elements (RFC 3261 §7.1, §25.1; RFC 4475 §3.1.2.9-10).
        if (line.size() >= 4 && syntax::iequals(line.substr(0, 4), "SIP/")) return statusLine(line);
        const auto sp1 = line.find(' ');
        const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos ||
            line.find('\t') != std::string_view::npos)
            return invalid("Request-Line: expected 'Method SP Request-URI SP SIP-Version'");
        m_.method_ = line.substr(0, sp1);
        if (!syntax::isToken(m_.method_)) return invalid("Request-Line: malformed method");
        const auto uriText = line.substr(sp1 + 1, sp2 - sp1 - 1);
        if (auto r = checkVersion(line.substr(sp2 + 1), "Request-Line"); !r) return r;
        if (uriText.empty() || uriText.front() == '<')
            return invalid("Request-URI: must be a bare URI, not enclosed in <>");
        auto uri = Uri{};
        if (auto parsed = parseUri(uriText); parsed)
            uri = *parsed;
        else
            return invalid("Request-URI: " + parsed.error().message);
        // RFC 3261 §19.1.1 (table 1): headers are not allowed in a Request-URI.
        if (!uri.headers.empty()) return invalid("Request-URI: must not contain headers ('?')");
        m_.requestUri_ = uri;
        return {};
    }

    Result<void> statusLine(std::string_view line) {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
        const auto sp1 = line.find(' ');
        if (sp1 == std::string_view::npos) return invalid("Status-Line: missing status code");
        if (auto r = checkVersion(line.substr(0, sp1), "Status-Line"); !r) return r;
        const auto rest = line.substr(sp1 + 1);
        const auto sp2 = rest.find(' ');
        const auto code = rest.substr(0, sp2);
        std::uint64_t status = 0;
        if (code.size() != 3 || !syntax::parseUnsigned(code, 699, status) || status < 100)
            return invalid(fmt::format("Status-Line: status code '{}' is not 100-699", code));
        m_.status_ = static_cast<int>(status);
        m_.reason_ = sp2 == std::string_view::npos ? std::string_view{} : rest.substr(sp2 + 1);
        for (char c : m_.reason_)
            if (c == '\r' || c == '\n' || c == '\0')
                return invalid("Status-Line: control character in reason phrase");
        return {};
    }

    // Collects header fields up to the empty line, unfolding continuation lines in place.
    Result<void> headerSection(std::size_t& pos) {
        std::string& buf = m_.buffer_;
        const std::size_t blockStart = pos;
        m_.headers_.reserve(24);
        std::size_t fieldStart = std::string::npos, fieldEnd = 0;
        while (true) {
            const std::size_t lineStart = pos;
            std::string_view line;
            if (!nextLine(pos, line))
                return invalid("message header section is not terminated by an empty line");
            if (!line.empty() && syntax::isWsp(line.front())) {
                if (fieldStart == std::string::npos)
                    return invalid("message starts its headers with a continuation line");
                // Replace the line break before the continuation with spaces (§7.3.1).
                for (std::size_t i = fieldEnd; i < lineStart; ++i)
                    buf[i] = ' ';
                fieldEnd = lineStart + line.size();
                continue;
            }
            if (fieldStart != std::string::npos) {
                if (auto r =
                        addField(std::string_view(buf).substr(fieldStart, fieldEnd - fieldStart));
                    !r)
                    return r;
            }
            if (line.empty())
                return checkControls(std::string_view(buf).substr(blockStart, pos - blockStart));
            fieldStart = lineStart;
            fieldEnd = lineStart + line.size();
        }
    }

    // Header text allows no control characters but HTAB (RFC 3261 §25.1 TEXT-UTF8char, LWS),
    // and CR only before LF. The whole header block is checked in one branch-free pass that the
    // compiler vectorises; only a block that fails is scanned line by line, because a control
    // character is legal inside a quoted-pair ("\" then %x00-09 / %x0B-0C / %x0E-7F), which
    // RFC 4475 §3.1.1.2 exercises.
    static Result<void> checkControls(std::string_view block) {
        const std::size_t n = block.size();
        if (!hasSuspectBytes(reinterpret_cast<const std::uint8_t*>(block.data()), n)) return {};
        std::size_t start = 0;
        while (start < n) {
            auto end = block.find('\n', start);
            if (end == std::string_view::npos) end = n;
            auto line = block.substr(start, end - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (hasControl(line)) {
                const auto colon = line.find(':');
                return invalid(fmt::format("{}: control character in header line",
                                           line.substr(0, std::min<std::size_t>(colon, 40))));
            }
            start = end + 1;
        }
        return {};
    }

    static bool hasControl(std::string_view line) noexcept {
        for (std::size_t i = 0; i < line.size(); ++i) {
            const auto u = static_cast<unsigned char>(line[i]);
            const bool control = (u < 0x20 && u != '\t') || u == 0x7f;
            if (!control) continue;
            if (u == '\r' || u == '\n' || i == 0 || line[i - 1] != '\\') return true;
        }
        return false;
    }

    Result<void> addField(std::string_view field) {
        if (field.size() > limits_.maxLineBytes)
            return fail(Errc::too_large, fmt::format("header line of {} bytes exceeds {} bytes",
                                                     field.size(), limits_.maxLineBytes));
        if (m_.headers_.size() >= limits_.maxHeaders)
            return fail(Errc::too_large,
                        fmt::format("message has more than {} header lines", limits_.maxHeaders));
        const auto colon = field.find(':');
        // field-name *(SP / HTAB) ":" (HCOLON, RFC 3261 §25.1)
        std::string_view name = field.substr(0, colon);
        while (!name.empty() && syntax::isWsp(name.back()))
            name.remove_suffix(1);
        // A known name is a token by construction (lookupHeader's comparison can only confuse
        // '-' with CR, which checkControls rejects for the whole block), so only unknown names
        // need the token check.
        const HeaderId id = colon == std::string_view::npos ? HeaderId::other : lookupHeader(name);
        if (colon == std::string_view::npos || (id == HeaderId::other && !syntax::isToken(name))) {
            auto shown = field.substr(0, std::min<std::size_t>(field.size(), 40));
            return invalid(fmt::format("malformed header line '{}'", shown));
        }
        m_.headers_.push_back({id, name, syntax::trim(field.substr(colon + 1))});
        return {};
    }

    // A header that may appear once: a second occurrence is an error naming it.
    template <class T>
    Result<void> once(const T& seen, const HeaderField& f) {
        if (seen)
            return invalid(fmt::format("{}: header appears more than once", canonicalName(f.id)));
        return {};
    }

    Result<void> decodeHeaders() {
        bool seenFrom = false, seenTo = false, seenCallId = false, seenCSeq = false;
        for (const auto& f : m_.headers_) {
            Result<void> r;
            switch (f.id) {
            case HeaderId::via:
                r = forEachListItem(f.value, "Via", [&](std::string_view item) -> Result<void> {
                    auto via = parseVia(item);
                    if (!via) return fail(via.error());
                    m_.vias_.push_back(*via);
                    return {};
                });
                break;
            case HeaderId::from:
            case HeaderId::to: {
                bool& seen = f.id == HeaderId::from ? seenFrom : seenTo;
                if (auto dup = once(seen, f); !dup) return dup;
                seen = true;
                auto na = parseNameAddr(f.value, canonicalName(f.id));
                if (!na) return fail(na.error());
                (f.id == HeaderId::from ? m_.from_ : m_.to_) = *na;
                break;
            }
            case HeaderId::call_id:
                if (auto dup = once(seenCallId, f); !dup) return dup;
                seenCallId = true;
                r = validateCallId(f.value);
                m_.callId_ = f.value;
                break;
            case HeaderId::cseq: {
                if (auto dup = once(seenCSeq, f); !dup) return dup;
                seenCSeq = true;
                auto cseq = parseCSeq(f.value);
                if (!cseq) return fail(cseq.error());
                m_.cseq_ = *cseq;
                break;
            }
            case HeaderId::max_forwards:
                // RFC 3261 §20.22: 0-255 in practice (RFC 4475 §3.1.2.4 treats 300 as invalid).
                r = scalar(m_.maxForwards_, f, 255);
                break;
            case HeaderId::content_length:
                r = scalar(m_.contentLength_, f, 0xffffffff);
                break;
            case HeaderId::expires:
                r = scalar(m_.expires_, f, 0xffffffff);
                break;
            case HeaderId::contact:
                r = contact(f);
                break;
            case HeaderId::route:
            case HeaderId::record_route: {
                auto& list = f.id == HeaderId::route ? m_.routes_ : m_.recordRoutes_;
                r = forEachListItem(f.value, canonicalName(f.id),
                                    [&](std::string_view item) -> Result<void> {
                                        auto na = parseNameAddr(item, canonicalName(f.id), true);
                                        if (!na) return fail(na.error());
                                        list.push_back(*na);
                                        return {};
                                    });
                break;
            }
            case HeaderId::date:
                r = validateDate(f.value);
                break;
            case HeaderId::require:
            case HeaderId::proxy_require:
            case HeaderId::unsupported:
                r = validateTokenList(f.value, canonicalName(f.id));
                break;
            default:
                break;
            }
            if (!r) return r;
        }
        return {};
    }

    Result<void> scalar(std::optional<std::uint32_t>& out, const HeaderField& f,
                        std::uint64_t max) {
        if (auto dup = once(out.has_value(), f); !dup) return dup;
        auto v = parseScalar(f.value, max, canonicalName(f.id));
        if (!v) return fail(v.error());
        out = *v;
        return {};
    }

    Result<void> contact(const HeaderField& f) {
        if (f.value == "*") {
            // RFC 3261 §10.2.2: "*" stands alone.
            if (m_.contactStar_ || !m_.contacts_.empty())
                return invalid("Contact: '*' must be the only Contact value");
            m_.contactStar_ = true;
            return {};
        }
        if (m_.contactStar_) return invalid("Contact: '*' must be the only Contact value");
        return forEachListItem(f.value, "Contact", [&](std::string_view item) -> Result<void> {
            auto na = parseNameAddr(item, "Contact");
            if (!na) return fail(na.error());
            if (auto expires = na->params.get("expires")) {
                if (auto v = parseScalar(*expires, 0xffffffff, "Contact expires"); !v)
                    return fail(v.error());
            }
            m_.contacts_.push_back(*na);
            return {};
        });
    }

    Result<void> body(std::size_t pos) {
        const std::string_view rest = std::string_view(m_.buffer_).substr(pos);
        if (!m_.contentLength_) {
            m_.body_ = rest;
            return {};
        }
        // RFC 3261 §18.3: a datagram with fewer body bytes than Content-Length is discarded;
        // bytes beyond it are ignored.
        if (*m_.contentLength_ > rest.size())
            return invalid(fmt::format("Content-Length: {} exceeds the {} body bytes received",
                                       *m_.contentLength_, rest.size()));
        m_.body_ = rest.substr(0, *m_.contentLength_);
        return {};
    }

    Result<void> checkRequired() {
        // RFC 3261 §8.1.1: To, From, CSeq, Call-ID and Via are mandatory (Max-Forwards is added
        // by the UAS side if missing, for RFC 2543 peers).
        if (m_.vias_.empty()) return invalid("Via: missing header");
        if (m_.from_.text.empty()) return invalid("From: missing header");
        if (m_.to_.text.empty()) return invalid("To: missing header");
        if (m_.callId_.empty()) return invalid("Call-ID: missing header");
        if (m_.cseq_.method.empty()) return invalid("CSeq: missing header");
        if (m_.isRequest() && m_.cseq_.method != m_.method_)
            return invalid(fmt::format("CSeq: method '{}' does not match the request method '{}'",
                                       m_.cseq_.method, m_.method_));
        return {};
    }

    Message& m_;
    const ParseLimits& limits_;
};

Result<Message> Message::parse(std::string bytes, const ParseLimits& limits) {
    if (bytes.size() > limits.maxMessageBytes)
        return fail(Errc::too_large, fmt::format("message of {} bytes exceeds the limit of {}",
                                                 bytes.size(), limits.maxMessageBytes));
    // Views point into the buffer, so it must live on the heap and move with the message: a
    // string short enough for the small-string buffer cannot be a SIP message anyway.
    if (bytes.size() < 32) return invalid("Request-Line: message too short to be SIP");
    Message m;
    m.buffer_ = std::move(bytes);
    Parser parser(m, limits);
    if (auto r = parser.run(); !r) return fail(r.error());
    return m;
}

std::span<const HeaderField> Message::headers() const noexcept {
    return headers_;
}

std::optional<std::string_view> Message::header(HeaderId id) const noexcept {
    for (const auto& f : headers_)
        if (f.id == id) return f.value;
    return std::nullopt;
}

std::optional<std::string_view> Message::header(std::string_view name) const noexcept {
    const auto id = lookupHeader(name);
    if (id != HeaderId::other) return header(id);
    for (const auto& f : headers_)
        if (f.id == HeaderId::other && syntax::iequals(f.name, name)) return f.value;
    return std::nullopt;
}

} // namespace sb::sip
