#include "h323/audio_sdp.hpp"

#include "sdp/negotiation.hpp"
#include "sdp/parser.hpp"

#include <algorithm>
#include <asio/ip/address_v4.hpp>
#include <fmt/format.h>

namespace sb::h323 {

namespace {

using h245::AudioCodec;

constexpr std::uint16_t kGsmFrameOctets = 33; // GSM 06.10: 260 bits a 20 ms frame

// H.245's frames a packet for `ptime` ms, within its 1..256.
std::uint16_t frames(std::uint32_t ptime, std::uint32_t frameMs) {
    return static_cast<std::uint16_t>(std::clamp<std::uint32_t>(ptime / frameMs, 1, 256));
}

std::string ipOf(const h245::UnicastAddress& address) {
    return asio::ip::address_v4(address.ip).to_string();
}

} // namespace

std::optional<h245::AudioCapability> capabilityOf(const sdp::Codec& codec, std::uint32_t ptime) {
    if (codec.channels != 1 || codec.clockRate != 8000) return std::nullopt;
    h245::AudioCapability c;
    if (codec.is("PCMU")) {
        c.codec = AudioCodec::g711Ulaw64k;
        c.frames = frames(ptime, 1);
    } else if (codec.is("PCMA")) {
        c.codec = AudioCodec::g711Alaw64k;
        c.frames = frames(ptime, 1);
    } else if (codec.is("G722")) {
        c.codec = AudioCodec::g722_64k;
        c.frames = frames(ptime, 1);
    } else if (codec.is("G729")) {
        c.codec = AudioCodec::g729;
        c.frames = frames(ptime, 10);
    } else if (codec.is("GSM")) {
        c.codec = AudioCodec::gsmFullRate;
        c.frames = kGsmFrameOctets;
    } else {
        return std::nullopt;
    }
    return c;
}

std::optional<sdp::Codec> codecOf(const h245::AudioCapability& capability) {
    switch (capability.codec) {
    case AudioCodec::g711Ulaw64k:
        return sdp::Codec{"PCMU", 8000, 1};
    case AudioCodec::g711Alaw64k:
        return sdp::Codec{"PCMA", 8000, 1};
    case AudioCodec::g722_64k:
        return sdp::Codec{"G722", 8000, 1};
    case AudioCodec::g729:
    case AudioCodec::g729AnnexA:
        return sdp::Codec{"G729", 8000, 1};
    case AudioCodec::gsmFullRate:
        return sdp::Codec{"GSM", 8000, 1};
    case AudioCodec::generic:
        return std::nullopt;
    }
    return std::nullopt;
}

namespace {

// The offer's first audio stream, with its address as H.245 writes one.
struct OfferedAudio {
    sdp::Session session;
    std::size_t index = 0; // of the audio stream
    h245::UnicastAddress rtp;
    const sdp::Media& audio() const { return session.media[index]; }
};

Result<OfferedAudio> offeredAudio(std::string_view offer) {
    auto parsed = sdp::parse(offer);
    if (!parsed) return fail(Errc::invalid_input, "the offer: " + parsed.error().message);
    OfferedAudio out{std::move(parsed).value(), 0, {}};
    const auto& media = out.session.media;
    const auto audio = std::find_if(media.begin(), media.end(), [](const sdp::Media& m) {
        return m.type == "audio" && m.port != 0 && m.isRtp();
    });
    if (audio == media.end()) return fail(Errc::invalid_input, "the offer has no audio stream");
    out.index = static_cast<std::size_t>(audio - media.begin());
    const auto* connection = out.session.connectionOf(*audio);
    asio::error_code error;
    const auto ip = connection && connection->addrType == "IP4"
                        ? asio::ip::make_address_v4(connection->address, error)
                        : asio::ip::address_v4();
    if (!connection || connection->addrType != "IP4" || error)
        return fail(Errc::invalid_input, "the offer's audio has no IPv4 address");
    out.rtp = {ip.to_bytes(), audio->port};
    return out;
}

} // namespace

Result<LocalMedia> callMediaOf(std::string_view offer) {
    auto offered = offeredAudio(offer);
    if (!offered) return fail(offered.error());
    const auto ptime = offered->audio().ptime().value_or(20);
    LocalMedia media;
    media.rtp = offered->rtp;
    media.rtcp = {media.rtp.ip, static_cast<std::uint16_t>(media.rtp.port + 1)};
    for (const auto& [type, codec] : sdp::voiceCodecs(offered->audio()))
        if (auto capability = capabilityOf(codec, ptime)) media.codecs.push_back(*capability);
    if (media.codecs.empty())
        return fail(Errc::unsupported, "none of the offer's codecs has an H.245 name");
    return media;
}

Result<sdp::Direction> directionOf(std::string_view offer) {
    auto offered = offeredAudio(offer);
    if (!offered) return fail(offered.error());
    return offered->session.direction(offered->audio());
}

Result<std::string> answerOf(std::string_view offer, const MediaPath& path,
                             sdp::Direction direction) {
    auto offered = offeredAudio(offer);
    if (!offered) return fail(offered.error());
    const auto offeredCodecs = sdp::voiceCodecs(offered->audio());
    const auto payloadTypeOf = [&](const h245::AudioCapability& c) -> std::optional<int> {
        const auto codec = codecOf(c);
        if (!codec) return std::nullopt;
        for (const auto& [type, candidate] : offeredCodecs)
            if (candidate.sameAs(*codec)) return type;
        return std::nullopt;
    };
    const auto sent = payloadTypeOf(path.transmit);
    if (!sent) return fail(Errc::unsupported, "the call agreed a codec the offer does not have");
    sdp::Media audio;
    audio.type = "audio";
    audio.port = path.remoteRtp.port;
    audio.proto = "RTP/AVP";
    audio.formats.push_back(std::to_string(*sent));
    if (const auto received = payloadTypeOf(path.receive); received && *received != *sent)
        audio.formats.push_back(std::to_string(*received));
    for (const auto& format : audio.formats) {
        const auto map = offered->audio().rtpmap(std::stoi(format));
        if (map)
            audio.attributes.add(
                "rtpmap", fmt::format("{} {}/{}", map->payloadType, map->encoding, map->clockRate));
    }
    audio.attributes.setDirection(direction);
    sdp::Session answer;
    answer.origin.address = ipOf(path.remoteRtp);
    answer.connection = sdp::Connection{"IN", "IP4", ipOf(path.remoteRtp)};
    answer.media.push_back(std::move(audio));
    return sdp::write(answer);
}

} // namespace sb::h323
