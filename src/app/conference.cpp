#include "app/conference.hpp"

#include "app/sdes.hpp"
#include "app/sdp_media.hpp"
#include "sdp/codec.hpp"
#include "sdp/parser.hpp"

#include <string>

namespace sb::app {

Conference::Conference(rtp::PortPool& pool, ConferenceOptions options)
    : pool_(pool), options_(std::move(options)), random_(std::random_device{}()) {
    if (options_.media.advertise.empty()) options_.media.advertise = pool.address().to_string();
}

Conference::~Conference() = default;

Result<std::string> Conference::join(std::uint64_t call, std::string_view roomName,
                                     std::string_view text) {
    auto offer = sdp::parse(text);
    if (!offer) return fail(offer.error());
    const sdp::Media* audio = firstAudio(*offer);
    if (!audio) return fail(Errc::unsupported, "SDP: no audio stream offered");
    auto peer = peerOf(*offer, *audio);
    if (!peer) return fail(peer.error());
    const auto keys = acceptOffered(*audio);
    if (!keys && audio->proto.find("SAVP") != std::string::npos)
        return fail(Errc::unsupported, "SRTP: no a=crypto line with a suite and key we take");

    auto known = calls_.find(call);
    const std::string name = known != calls_.end() ? known->second.room : std::string(roomName);
    auto& room = rooms_[name];
    if (!room)
        room = std::make_unique<ConferenceRoom>(pool_.context(), name, options_.rate,
                                                options_.media.packetMs);
    rtp::RtpStream* stream = room->stream(call);
    std::unique_ptr<rtp::RtpStream> fresh;
    // A refusal leaves nothing behind: not a participant who had not joined yet (nor its
    // ports), nor a room made for it.
    auto refuse = [&](Error error) -> Result<std::string> {
        if (!room->stream(call)) calls_.erase(call);
        if (room->participants() == 0) rooms_.erase(name);
        return fail(std::move(error));
    };
    if (!stream) {
        auto lease = pool_.lease();
        if (!lease) return refuse(lease.error());
        fresh = std::make_unique<rtp::RtpStream>(std::move(lease).value(), options_.media.latching);
        stream = fresh.get();
    }

    Call& state = calls_.try_emplace(call, Call{name, 0, random_() >> 1}).first->second;
    sdp::LocalStream local;
    local.address = options_.media.advertise;
    local.port = stream->localPort();
    local.codecs = options_.media.codecs;
    local.ptime = options_.media.packetMs;
    if (keys) {
        // Its suite and tag, our key (RFC 4568 §7.1.2.2).
        local.srtp = sdp::SrtpPolicy::optional;
        local.keys = {
            {keys->tag, std::string(rtp::srtpSuiteName(keys->suite)), keys->oursParams, {}}};
    }
    const bool v6 = local.address.find(':') != std::string::npos;
    const sdp::Origin origin{"switchboard",
                             std::to_string(state.sessionId),
                             std::to_string(++state.version),
                             "IN",
                             v6 ? "IP6" : "IP4",
                             local.address};
    auto answer = sdp::makeAnswer(*offer, origin, {local});
    const sdp::Media* ours = answer ? firstAudio(*answer) : nullptr;
    if (!answer) return refuse(answer.error());
    if (!ours || ours->port == 0 || ours->formats.empty())
        return refuse({Errc::unsupported, "SDP: no codec offered that the conference speaks"});
    const int payloadType = std::stoi(ours->formats.front());
    const auto chosen = sdp::codecOf(*ours, payloadType);
    ParticipantCodec codec;
    codec.codec = media::codecByName(chosen->name, chosen->clockRate, chosen->channels)
                      .value_or(media::CodecId::pcmu);
    codec.payloadType = static_cast<std::uint8_t>(payloadType);
    const auto direction = answer->direction(*ours);
    codec.send = direction == sdp::Direction::sendrecv || direction == sdp::Direction::sendonly;

    stream->setRemote(*peer, audio->rtcpMux());
    if (keys) {
        if (auto ok = secure(*stream, *keys); !ok) return refuse(ok.error());
    }
    auto joined = fresh ? room->join(call, std::move(fresh), codec) : room->update(call, codec);
    if (!joined) return refuse({Errc::unsupported, joined.error().message});
    return sdp::write(*answer);
}

void Conference::left(std::uint64_t call) {
    auto found = calls_.find(call);
    if (found == calls_.end()) return;
    auto room = rooms_.find(found->second.room);
    calls_.erase(found);
    if (room == rooms_.end()) return;
    room->second->leave(call);
    if (room->second->participants() > 0) return;
    closed_ += room->second->stats();
    rooms_.erase(room);
}

ConferenceRoom::Stats Conference::stats() const {
    auto total = closed_;
    for (const auto& [name, room] : rooms_) {
        total += room->stats();
    }
    return total;
}

} // namespace sb::app
