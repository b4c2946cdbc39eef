#include "webrtc/sdp_transport.hpp"

#include "webrtc/grammar.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>

namespace sb::webrtc {
namespace {

// RFC 8839 §5.4: ice-ufrag = 4*256ice-char, ice-pwd = 22*256ice-char.
Result<std::string> credential(std::string_view name, std::optional<std::string_view> value,
                               std::size_t least) {
    if (!value) return fail(Errc::invalid_input, fmt::format("no a={}", name));
    if (value->size() < least || value->size() > 256 || !allOf(*value, isIceChar))
        return fail(Errc::invalid_input, fmt::format("a={}: not {} to 256 ice-chars ({} bytes)",
                                                     name, least, value->size()));
    return std::string(*value);
}

std::optional<std::size_t> digestBytes(std::string_view hash) {
    if (hash == "sha-1") return 20;
    if (hash == "sha-224") return 28;
    if (hash == "sha-256") return 32;
    if (hash == "sha-384") return 48;
    if (hash == "sha-512") return 64;
    return std::nullopt;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// RFC 8122 §5: hash-func SP 2UHEX *(":" 2UHEX). Fingerprints of hash functions we do not know
// (and md5 and md2, which §5 forbids) are skipped, not refused: a peer may offer several.
Result<std::optional<Fingerprint>> fingerprint(std::string_view value) {
    const auto space = value.find(' ');
    if (space == std::string_view::npos)
        return fail(Errc::invalid_input, "a=fingerprint: no space after the hash function");
    Fingerprint f;
    f.hash = value.substr(0, space);
    for (auto& c : f.hash)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const auto expected = digestBytes(f.hash);
    if (!expected) return std::optional<Fingerprint>();
    const std::string_view hex = value.substr(space + 1);
    if (hex.size() != *expected * 3 - 1)
        return fail(Errc::invalid_input,
                    fmt::format("a=fingerprint: a {} digest is {} bytes", f.hash, *expected));
    for (std::size_t i = 0; i < hex.size(); i += 3) {
        const int high = hexValue(hex[i]), low = hexValue(hex[i + 1]);
        if (high < 0 || low < 0 || (i + 2 < hex.size() && hex[i + 2] != ':'))
            return fail(Errc::invalid_input,
                        fmt::format("a=fingerprint: '{}' is not hex pairs between colons", hex));
        f.digest.push_back(static_cast<std::uint8_t>(high * 16 + low));
    }
    return std::optional<Fingerprint>(std::move(f));
}

Result<DtlsSetup> setupOf(std::string_view value) {
    for (auto s : {DtlsSetup::actpass, DtlsSetup::active, DtlsSetup::passive, DtlsSetup::holdconn})
        if (value == setupName(s)) return s;
    return fail(Errc::invalid_input,
                fmt::format("a=setup: '{}' is not actpass, active, passive or holdconn", value));
}

template <class T>
std::optional<T> number(std::string_view s) {
    T value{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

} // namespace

std::string_view setupName(DtlsSetup setup) noexcept {
    switch (setup) {
    case DtlsSetup::actpass:
        return "actpass";
    case DtlsSetup::active:
        return "active";
    case DtlsSetup::passive:
        return "passive";
    case DtlsSetup::holdconn:
        return "holdconn";
    }
    return "actpass";
}

std::string fingerprintText(const std::vector<std::uint8_t>& digest) {
    std::string out;
    out.reserve(digest.size() * 3);
    for (auto b : digest) {
        if (!out.empty()) out += ':';
        out += fmt::format("{:02X}", b);
    }
    return out;
}

bool WebRtcTransport::trickles() const {
    return std::find(iceOptions.begin(), iceOptions.end(), "trickle") != iceOptions.end();
}

Result<WebRtcTransport> readTransport(const sdp::Session& session, const sdp::Media& media) {
    // A media section's own attribute, else the session's.
    auto get = [&](std::string_view name) {
        auto own = media.attributes.get(name);
        return own ? own : session.attributes.get(name);
    };
    auto every = [&](std::string_view name) {
        auto own = media.attributes.all(name);
        return own.empty() ? session.attributes.all(name) : own;
    };
    WebRtcTransport t;
    auto ufrag = credential("ice-ufrag", get("ice-ufrag"), 4);
    if (!ufrag) return fail(ufrag.error());
    t.iceUfrag = std::move(ufrag).value();
    auto pwd = credential("ice-pwd", get("ice-pwd"), 22);
    if (!pwd) return fail(pwd.error());
    t.icePwd = std::move(pwd).value();
    if (auto options = get("ice-options")) {
        std::string_view rest = *options;
        while (!rest.empty()) {
            const auto space = rest.find(' ');
            const auto option = rest.substr(0, space);
            if (!allOf(option, isTokenChar))
                return fail(Errc::invalid_input,
                            fmt::format("a=ice-options: '{}' is not a token", option));
            t.iceOptions.emplace_back(option);
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
    }
    t.iceLite = session.attributes.has("ice-lite");
    for (auto value : every("fingerprint")) {
        auto f = fingerprint(value);
        if (!f) return fail(f.error());
        if (*f) t.fingerprints.push_back(std::move(**f));
    }
    if (t.fingerprints.empty())
        return fail(Errc::invalid_input, "no a=fingerprint with sha-1, sha-224, sha-256, sha-384 "
                                         "or sha-512");
    if (auto setup = get("setup")) {
        auto s = setupOf(*setup);
        if (!s) return fail(s.error());
        t.setup = *s;
    }
    for (auto value : media.attributes.all("candidate")) {
        auto c = readCandidate(value);
        if (c) {
            t.candidates.push_back(std::move(c).value());
        } else if (c.error().code != Errc::unsupported) {
            return fail(c.error());
        }
    }
    t.endOfCandidates =
        media.attributes.has("end-of-candidates") || session.attributes.has("end-of-candidates");
    if (auto mid = media.attributes.get("mid")) {
        if (!allOf(*mid, isTokenChar))
            return fail(Errc::invalid_input, fmt::format("a=mid: '{}' is not a token", *mid));
        t.mid = std::string(*mid);
    }
    return t;
}

void writeTransport(const WebRtcTransport& t, sdp::Media& media) {
    auto& a = media.attributes;
    if (t.mid) a.add("mid", *t.mid);
    a.add("ice-ufrag", t.iceUfrag);
    a.add("ice-pwd", t.icePwd);
    if (!t.iceOptions.empty()) {
        std::string options;
        for (const auto& o : t.iceOptions)
            options += (options.empty() ? "" : " ") + o;
        a.add("ice-options", std::move(options));
    }
    for (const auto& f : t.fingerprints)
        a.add("fingerprint", f.hash + " " + fingerprintText(f.digest));
    if (t.setup) a.add("setup", std::string(setupName(*t.setup)));
    for (const auto& c : t.candidates)
        a.add("candidate", writeCandidate(c));
    if (t.endOfCandidates) a.add("end-of-candidates");
}

Result<SctpDescription> readSctp(const sdp::Media& media) {
    SctpDescription d;
    // The form before RFC 8841 (draft-ietf-mmusic-sctp-sdp-05), which older peers still send:
    // m=application … DTLS/SCTP <port>, with a=sctpmap:<port> webrtc-datachannel <streams>.
    const bool legacy =
        media.type == "application" && media.proto == "DTLS/SCTP" && media.formats.size() == 1;
    if (legacy) {
        const auto port = number<std::uint16_t>(media.formats.front());
        const auto map = media.attributes.get("sctpmap");
        if (!port || *port == 0 || !map ||
            !map->starts_with(media.formats.front() + " webrtc-datachannel"))
            return fail(Errc::invalid_input,
                        fmt::format("m=application … DTLS/SCTP {}: no a=sctpmap of that port for "
                                    "webrtc-datachannel",
                                    media.formats.front()));
        d.port = *port;
        d.legacy = true;
    } else if (media.type != "application" ||
               (media.proto != "UDP/DTLS/SCTP" && media.proto != "TCP/DTLS/SCTP") ||
               media.formats != std::vector<std::string>{"webrtc-datachannel"}) {
        return fail(Errc::unsupported,
                    fmt::format("m={} … {} is not a DataChannel section (m=application … "
                                "UDP/DTLS/SCTP webrtc-datachannel)",
                                media.type, media.proto));
    } else if (auto port = media.attributes.get("sctp-port")) {
        const auto n = number<std::uint16_t>(*port);
        if (!n || *n == 0)
            return fail(Errc::invalid_input,
                        fmt::format("a=sctp-port: '{}' is not 1 to 65535", *port));
        d.port = *n;
    }
    if (auto size = media.attributes.get("max-message-size")) {
        const auto n = number<std::uint64_t>(*size);
        if (!n)
            return fail(Errc::invalid_input,
                        fmt::format("a=max-message-size: '{}' is not a number", *size));
        if (*n != 0 && *n < kSmallestMaxMessageSize)
            return fail(Errc::invalid_input,
                        fmt::format("a=max-message-size: {} is below {}, too small for the "
                                    "session's messages",
                                    *n, kSmallestMaxMessageSize));
        d.maxMessageSize = *n;
    }
    return d;
}

void writeSctp(const SctpDescription& sctp, sdp::Media& media) {
    if (sctp.legacy)
        media.attributes.add("sctpmap", fmt::format("{} webrtc-datachannel 65535", sctp.port));
    else
        media.attributes.add("sctp-port", fmt::format("{}", sctp.port));
    if (sctp.maxMessageSize)
        media.attributes.add("max-message-size", fmt::format("{}", *sctp.maxMessageSize));
}

Result<IceFragment> readIceFragment(std::string_view text) {
    IceFragment f;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (!line.starts_with("a=")) continue; // m= names the section; nothing else is ours
        line.remove_prefix(2);
        const auto colon = line.find(':');
        const auto name = line.substr(0, colon);
        const auto value =
            colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        if (name == "ice-ufrag") {
            auto ufrag = credential("ice-ufrag", value, 4);
            if (!ufrag) return fail(ufrag.error());
            f.iceUfrag = std::move(ufrag).value();
        } else if (name == "ice-pwd") {
            auto pwd = credential("ice-pwd", value, 22);
            if (!pwd) return fail(pwd.error());
            f.icePwd = std::move(pwd).value();
        } else if (name == "candidate") {
            auto c = readCandidate(value);
            if (c)
                f.candidates.push_back(std::move(c).value());
            else if (c.error().code != Errc::unsupported)
                return fail(c.error());
        } else if (name == "end-of-candidates") {
            f.endOfCandidates = true;
        } else if (name == "mid" && !f.mid) {
            f.mid = std::string(value);
        }
    }
    if (f.iceUfrag.has_value() != f.icePwd.has_value())
        return fail(Errc::invalid_input, "a fragment gives a=ice-ufrag and a=ice-pwd together");
    return f;
}

std::string writeIceFragment(const IceFragment& f) {
    std::string out;
    auto line = [&out](std::string_view text) {
        out += text;
        out += "\r\n";
    };
    // RFC 9725 §4.3.1's order: the bundle's first section, then its attributes.
    if (f.mid) {
        line("m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
        line("a=mid:" + *f.mid);
    }
    if (f.iceUfrag) line("a=ice-ufrag:" + *f.iceUfrag);
    if (f.icePwd) line("a=ice-pwd:" + *f.icePwd);
    for (const auto& c : f.candidates)
        line("a=candidate:" + writeCandidate(c));
    if (f.endOfCandidates) line("a=end-of-candidates");
    return out;
}

} // namespace sb::webrtc
