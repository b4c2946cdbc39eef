#include "session/sdp_media.hpp"

#include "sdp/codec.hpp"

#include <algorithm>
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

std::vector<sdp::PayloadCodec> telephoneEvents(const sdp::Media& m) {
    std::vector<sdp::PayloadCodec> out;
    for (const auto& format : m.formats) {
        int type = 0;
        if (std::from_chars(format.data(), format.data() + format.size(), type).ec != std::errc())
            continue;
        if (auto codec = sdp::codecOf(m, type); codec && codec->isTelephoneEvent())
            out.push_back({type, std::move(*codec)});
    }
    return out;
}

std::optional<std::uint8_t> telephoneEventOf(const sdp::Media& m,
                                             std::optional<std::uint32_t> clock) {
    const auto events = telephoneEvents(m);
    if (events.empty()) return std::nullopt;
    auto chosen = std::find_if(events.begin(), events.end(), [&](const auto& e) {
        return !clock || e.codec.clockRate == *clock;
    });
    if (chosen == events.end()) chosen = events.begin();
    return static_cast<std::uint8_t>(chosen->payloadType);
}

} // namespace sb::session
