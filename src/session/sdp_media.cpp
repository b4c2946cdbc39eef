#include "session/sdp_media.hpp"

#include "sdp/codec.hpp"

#include <charconv>
#include <fmt/format.h>

namespace sb::session {

namespace {

const sdp::Media* firstOf(const sdp::Session& s, std::string_view type) {
    for (const auto& m : s.media)
        if (m.type == type && m.isRtp()) return &m;
    return nullptr;
}

} // namespace

const sdp::Media* firstAudio(const sdp::Session& s) {
    return firstOf(s, "audio");
}

const sdp::Media* firstVideo(const sdp::Session& s) {
    return firstOf(s, "video");
}

Result<asio::ip::udp::endpoint> peerOf(const sdp::Session& s, const sdp::Media& m) {
    const sdp::Connection* c = s.connectionOf(m);
    if (!c) return fail(Errc::invalid_input, "SDP: an audio stream without c=");
    std::error_code ec;
    auto address = asio::ip::make_address(c->address, ec);
    if (ec)
        return fail(Errc::invalid_input,
                    fmt::format("SDP c=: '{}' is not an IP address", c->address));
    return asio::ip::udp::endpoint(address, m.port);
}

std::optional<std::uint8_t> telephoneEventOf(const sdp::Media& m) {
    for (const auto& format : m.formats) {
        int type = 0;
        if (std::from_chars(format.data(), format.data() + format.size(), type).ec != std::errc())
            continue;
        if (auto codec = sdp::codecOf(m, type); codec && codec->isTelephoneEvent())
            return static_cast<std::uint8_t>(type);
    }
    return std::nullopt;
}

} // namespace sb::session
