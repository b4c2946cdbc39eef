#include "webrtc/audio_section.hpp"

#include <fmt/format.h>
#include <strings.h>

namespace sb::webrtc {
namespace {

sdp::Direction answering(sdp::Direction offered) {
    switch (offered) {
    case sdp::Direction::sendonly:
        return sdp::Direction::recvonly;
    case sdp::Direction::recvonly:
        return sdp::Direction::sendonly;
    default:
        return offered;
    }
}

} // namespace

std::optional<PeerAudio> findOpusAudio(const sdp::Session& offer) {
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const sdp::Media& m = offer.media[i];
        // RFC 8829 §5.1.2: UDP/TLS/RTP/SAVPF; its TCP form goes through ICE the same way.
        if (m.type != "audio" || m.port == 0 || !m.proto.ends_with("TLS/RTP/SAVPF") || !m.rtcpMux())
            continue;
        for (const auto& format : m.formats) {
            int pt = -1;
            if (std::sscanf(format.c_str(), "%d", &pt) != 1) continue;
            const auto map = m.rtpmap(pt);
            // RFC 7587 §7: opus/48000/2, whatever the stream's channels.
            if (!map || strcasecmp(map->encoding.c_str(), "opus") != 0 || map->clockRate != 48000)
                continue;
            return PeerAudio{i, pt, std::string(m.fmtp(pt).value_or("")), offer.direction(m)};
        }
    }
    return std::nullopt;
}

sdp::Media answerAudio(const PeerAudio& peer, std::uint32_t ssrc, const std::string& cname) {
    sdp::Media m;
    m.type = "audio";
    m.port = 9; // RFC 8839 §4.3.3: ICE gives the real one
    m.proto = "UDP/TLS/RTP/SAVPF";
    m.formats = {fmt::format("{}", peer.payloadType)};
    m.connections.push_back({"IN", "IP4", "0.0.0.0"});
    auto& a = m.attributes;
    a.add("rtcp-mux");
    a.add("rtpmap", fmt::format("{} opus/48000/2", peer.payloadType));
    // RFC 7587 §6.1: we decode in-band FEC, and send at 20 ms.
    a.add("fmtp", fmt::format("{} minptime=10;useinbandfec=1", peer.payloadType));
    a.add("ptime", "20");
    a.setDirection(answering(peer.direction));
    a.add("msid", "switchboard audio");
    a.add("ssrc", fmt::format("{} cname:{}", ssrc, cname));
    return m;
}

sdp::Media refuse(const sdp::Media& offered) {
    sdp::Media m;
    m.type = offered.type;
    m.port = 0;
    m.proto = offered.proto;
    m.formats = offered.formats;
    if (m.formats.empty()) m.formats = {"0"};
    if (auto mid = offered.attributes.get("mid")) m.attributes.add("mid", std::string(*mid));
    return m;
}

} // namespace sb::webrtc
