#include "sdp/parser.hpp"

#include <charconv>
#include <fmt/format.h>

namespace sb::sdp {
namespace {

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

// Space-separated words (one or more spaces between them, as real equipment writes).
std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto start = text.find_first_not_of(' ', at);
        if (start == std::string_view::npos) break;
        const auto end = std::min(text.find(' ', start), text.size());
        out.push_back(text.substr(start, end - start));
        at = end;
    }
    return out;
}

// RFC 8866 §9 token: the attribute name's characters.
bool isToken(std::string_view text) {
    if (text.empty()) return false;
    for (unsigned char c : text) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                        (c >= 'a' && c <= 'z') ||
                        std::string_view("!#$%&'*+-.^_`{|}~").find(static_cast<char>(c)) !=
                            std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

class Reader {
public:
    explicit Reader(const ParseLimits& limits) : limits_(limits) {}

    Result<Session> read(std::string_view text) {
        if (text.size() > limits_.maxBytes)
            return fail(Errc::too_large,
                        fmt::format("SDP: {} bytes, more than {}", text.size(), limits_.maxBytes));
        std::size_t at = 0;
        while (at < text.size()) {
            auto end = text.find('\n', at);
            if (end == std::string_view::npos) end = text.size();
            std::string_view line = text.substr(at, end - at);
            at = end + 1;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            ++lineNo_;
            if (line.empty()) {
                // Tolerated only at the end (a trailing blank line after the last CRLF).
                if (text.find_first_not_of("\r\n", at) == std::string_view::npos) break;
                return bad('?', "an empty line");
            }
            if (lineNo_ > limits_.maxLines)
                return fail(Errc::too_large,
                            fmt::format("SDP: more than {} lines", limits_.maxLines));
            if (auto ok = readLine(line); !ok) return fail(ok.error());
        }
        if (lineNo_ == 0) return fail(Errc::invalid_input, "SDP: empty description");
        if (!sawOrigin_) return fail(Errc::invalid_input, "SDP: no o= line");
        if (!sawName_) return fail(Errc::invalid_input, "SDP: no s= line");
        return std::move(session_);
    }

private:
    Unexpected bad(char letter, std::string_view what) const {
        return fail(Errc::invalid_input,
                    fmt::format("SDP line {} ({}=): {}", lineNo_, letter, what));
    }

    Result<void> readLine(std::string_view line) {
        if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            return bad(line.empty() ? '?' : line[0], "expected <type>=<value>");
        const char letter = line[0];
        const std::string_view value = line.substr(2);
        if (value.find('\0') != std::string_view::npos) return bad(letter, "a NUL byte");
        if (lineNo_ == 1 && letter != 'v') return bad(letter, "the first line must be v=0");
        switch (letter) {
        case 'v':
            if (lineNo_ != 1) return bad(letter, "v= must be the first line only");
            if (value != "0") return bad(letter, fmt::format("version '{}', expected 0", value));
            return {};
        case 'o':
            return origin(value);
        case 's':
            if (media_ || sawName_) return bad(letter, "s= must appear once, before m=");
            sawName_ = true;
            session_.name = value;
            return {};
        case 'i':
            return once(letter, media_ ? media_->information : session_.information, value);
        case 'u':
            if (media_) return bad(letter, "u= belongs before the first m=");
            return once(letter, session_.uri, value);
        case 'e':
        case 'p':
            if (media_) return bad(letter, "e= and p= belong before the first m=");
            (letter == 'e' ? session_.emails : session_.phones).emplace_back(value);
            return {};
        case 'c':
            return connection(value);
        case 'b':
            return bandwidth(value);
        case 't':
            return timing(value);
        case 'r':
            if (media_ || !sawTiming_) return bad(letter, "r= must follow a t=");
            session_.timings.back().repeats.emplace_back(value);
            return {};
        case 'z':
            if (media_) return bad(letter, "z= belongs before the first m=");
            return once(letter, session_.zones, value);
        case 'k':
            return once(letter, media_ ? media_->key : session_.key, value);
        case 'a':
            return attribute(value);
        case 'm':
            return mediaLine(value);
        default:
            return bad(letter, "unknown type letter"); // §5: reject what we cannot understand
        }
    }

    Result<void> once(char letter, std::optional<std::string>& field, std::string_view value) {
        if (field) return bad(letter, fmt::format("{}= appears twice", letter));
        field = std::string(value);
        return {};
    }

    Result<void> origin(std::string_view value) {
        if (sawOrigin_ || media_) return bad('o', "o= must appear once, before m=");
        const auto w = words(value);
        if (w.size() != 6)
            return bad('o', "expected <username> <sess-id> <sess-version> <nettype> <addrtype> "
                            "<address>");
        if (!number<std::uint64_t>(w[1]) || !number<std::uint64_t>(w[2]))
            return bad('o', "the session id and version must be numbers");
        session_.origin = {std::string(w[0]), std::string(w[1]), std::string(w[2]),
                           std::string(w[3]), std::string(w[4]), std::string(w[5])};
        sawOrigin_ = true;
        return {};
    }

    Result<void> connection(std::string_view value) {
        const auto w = words(value);
        if (w.size() != 3) return bad('c', "expected <nettype> <addrtype> <connection-address>");
        Connection c{std::string(w[0]), std::string(w[1]), std::string(w[2])};
        if (media_) {
            media_->connections.push_back(std::move(c));
        } else {
            if (session_.connection) return bad('c', "c= appears twice before m=");
            session_.connection = std::move(c);
        }
        return {};
    }

    Result<void> bandwidth(std::string_view value) {
        const auto colon = value.find(':');
        if (colon == std::string_view::npos || colon == 0 || !isToken(value.substr(0, colon)))
            return bad('b', "expected <bwtype>:<bandwidth>");
        const auto amount = number<std::uint64_t>(value.substr(colon + 1));
        if (!amount) return bad('b', "the bandwidth must be a number");
        (media_ ? media_->bandwidths : session_.bandwidths)
            .push_back({std::string(value.substr(0, colon)), *amount});
        return {};
    }

    Result<void> timing(std::string_view value) {
        if (media_) return bad('t', "t= belongs before the first m=");
        const auto w = words(value);
        if (w.size() != 2 || !number<std::uint64_t>(w[0]) || !number<std::uint64_t>(w[1]))
            return bad('t', "expected <start-time> <stop-time>");
        if (!sawTiming_) session_.timings.clear();
        sawTiming_ = true;
        session_.timings.push_back(
            {*number<std::uint64_t>(w[0]), *number<std::uint64_t>(w[1]), {}});
        return {};
    }

    Result<void> attribute(std::string_view value) {
        const auto colon = value.find(':');
        const std::string_view name = value.substr(0, colon);
        if (!isToken(name)) return bad('a', "expected <attribute>[:<value>]");
        Attribute a{std::string(name), std::nullopt};
        if (colon != std::string_view::npos) a.value = std::string(value.substr(colon + 1));
        (media_ ? media_->attributes : session_.attributes).list.push_back(std::move(a));
        return {};
    }

    Result<void> mediaLine(std::string_view value) {
        if (session_.media.size() == limits_.maxMedia)
            return bad('m', fmt::format("more than {} media sections", limits_.maxMedia));
        const auto w = words(value);
        if (w.size() < 4) return bad('m', "expected <media> <port> <proto> <fmt> ...");
        Media m;
        if (!isToken(w[0])) return bad('m', fmt::format("media type '{}'", w[0]));
        m.type = w[0];
        std::string_view port = w[1];
        if (const auto slash = port.find('/'); slash != std::string_view::npos) {
            const auto count = number<std::uint16_t>(port.substr(slash + 1));
            if (!count || *count == 0) return bad('m', "the port count must be a number from 1");
            m.portCount = *count;
            port = port.substr(0, slash);
        }
        const auto number16 = number<std::uint16_t>(port);
        if (!number16) return bad('m', fmt::format("port '{}' is not a number", port));
        m.port = *number16;
        m.proto = w[2];
        for (std::size_t i = 3; i < w.size(); ++i)
            m.formats.emplace_back(w[i]);
        if (m.isRtp()) {
            for (const auto& f : m.formats) {
                const auto type = number<unsigned>(f);
                if (!type || *type > 127)
                    return bad('m', fmt::format("RTP payload type '{}' is not 0 to 127", f));
            }
        }
        session_.media.push_back(std::move(m));
        media_ = &session_.media.back();
        return {};
    }

    const ParseLimits& limits_;
    Session session_;
    Media* media_ = nullptr; // the section being read (null: session level)
    std::size_t lineNo_ = 0;
    bool sawOrigin_ = false, sawName_ = false, sawTiming_ = false;
};

void writeAttributes(std::string& out, const Attributes& attributes) {
    for (const auto& a : attributes.list)
        out += a.value ? fmt::format("a={}:{}\r\n", a.name, *a.value)
                       : fmt::format("a={}\r\n", a.name);
}

void writeConnection(std::string& out, const Connection& c) {
    out += fmt::format("c={} {} {}\r\n", c.netType, c.addrType, c.address);
}

void writeBandwidths(std::string& out, const std::vector<Bandwidth>& bandwidths) {
    for (const auto& b : bandwidths)
        out += fmt::format("b={}:{}\r\n", b.type, b.value);
}

} // namespace

Result<Session> parse(std::string_view text, const ParseLimits& limits) {
    return Reader(limits).read(text);
}

std::string write(const Session& s) {
    std::string out;
    out.reserve(512);
    const auto& o = s.origin;
    out += fmt::format("v={}\r\no={} {} {} {} {} {}\r\ns={}\r\n", s.version, o.username,
                       o.sessionId, o.sessionVersion, o.netType, o.addrType, o.address, s.name);
    if (s.information) out += fmt::format("i={}\r\n", *s.information);
    if (s.uri) out += fmt::format("u={}\r\n", *s.uri);
    for (const auto& e : s.emails)
        out += fmt::format("e={}\r\n", e);
    for (const auto& p : s.phones)
        out += fmt::format("p={}\r\n", p);
    if (s.connection) writeConnection(out, *s.connection);
    writeBandwidths(out, s.bandwidths);
    for (const auto& t : s.timings) {
        out += fmt::format("t={} {}\r\n", t.start, t.stop);
        for (const auto& r : t.repeats)
            out += fmt::format("r={}\r\n", r);
    }
    if (s.zones) out += fmt::format("z={}\r\n", *s.zones);
    if (s.key) out += fmt::format("k={}\r\n", *s.key);
    writeAttributes(out, s.attributes);
    for (const auto& m : s.media) {
        out += fmt::format("m={} {}", m.type, m.port);
        if (m.portCount) out += fmt::format("/{}", m.portCount);
        out += fmt::format(" {}", m.proto);
        for (const auto& f : m.formats)
            out += " " + f;
        out += "\r\n";
        if (m.information) out += fmt::format("i={}\r\n", *m.information);
        for (const auto& c : m.connections)
            writeConnection(out, c);
        writeBandwidths(out, m.bandwidths);
        if (m.key) out += fmt::format("k={}\r\n", *m.key);
        writeAttributes(out, m.attributes);
    }
    return out;
}

} // namespace sb::sdp
