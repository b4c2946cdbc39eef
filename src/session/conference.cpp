#include "session/conference.hpp"

#include "core/trace.hpp"
#include "sdp/codec.hpp"
#include "sdp/parser.hpp"
#include "session/sdes.hpp"
#include "session/sdp_media.hpp"

#include <fmt/format.h>
#include <string>

namespace sb::session {

Conference::Conference(rtp::PortPool& pool, ConferenceOptions options)
    : pool_(pool), options_(std::move(options)), random_(std::random_device{}()) {
    if (options_.media.advertise.empty()) options_.media.advertise = pool.address().to_string();
}

Conference::~Conference() = default;

Result<std::string> Conference::answer(room::LegId call, std::string_view roomName,
                                       std::string_view text, std::string_view traceId) {
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
    const std::string name = known != calls_.end() ? known->second.room : roomOf(roomName, call);
    auto& room = rooms_[name];
    if (!room) room = makeRoom(name);
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

    Call& state =
        calls_
            .try_emplace(
                call,
                Call{name, 0, random_() >> 1, {}, fmt::to_string(callTag(call.value(), traceId))})
            .first->second;
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
    auto answer = sdp::makeAnswer(*offer, originOf(state, local.address), {local});
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
    codec.telephoneEvent = telephoneEventOf(*ours);
    const auto direction = answer->direction(*ours);
    codec.send = direction == sdp::Direction::sendrecv || direction == sdp::Direction::sendonly;

    stream->setRemote(*peer, audio->rtcpMux());
    if (keys) {
        if (auto ok = secure(*stream, *keys); !ok) return refuse(ok.error());
    }
    auto joined =
        fresh ? room->join(call, std::move(fresh), codec, state.tag) : room->update(call, codec);
    if (!joined) return refuse({Errc::unsupported, joined.error().message});
    return sdp::write(*answer);
}

std::string Conference::roomOf(std::string_view roomName, room::LegId call) {
    return roomName == kEchoRoom ? fmt::format("{}/{}", kEchoRoom, call.value())
                                 : std::string(roomName);
}

std::unique_ptr<ConferenceRoom> Conference::makeRoom(const std::string& name) {
    const bool echo = name.starts_with(kEchoRoom) && name.size() > kEchoRoom.size() &&
                      name[kEchoRoom.size()] == '/';
    auto room = std::make_unique<ConferenceRoom>(
        pool_.context(), name, options_.rate, options_.media.packetMs,
        echo ? media::Mixer::Mode::echo : media::Mixer::Mode::othersOnly);
    if (options_.talker && !echo) room->onTalker(options_.talker);
    if (options_.digit) room->onDigit(options_.digit);
    return room;
}

sdp::Origin Conference::originOf(Call& call, std::string_view address) {
    const bool v6 = address.find(':') != std::string_view::npos;
    return {"switchboard",
            std::to_string(call.sessionId),
            std::to_string(++call.version),
            "IN",
            v6 ? "IP6" : "IP4",
            std::string(address)};
}

Result<std::string> Conference::offer(room::LegId call, std::string_view roomName,
                                      std::string_view traceId) {
    if (calls_.contains(call)) return fail(Errc::invalid_input, "the call has made its offer");
    auto lease = pool_.lease();
    if (!lease) return fail(lease.error());
    auto stream =
        std::make_unique<rtp::RtpStream>(std::move(lease).value(), options_.media.latching);
    sdp::LocalStream local;
    local.address = options_.media.advertise;
    local.port = stream->localPort();
    local.codecs = options_.media.codecs;
    local.ptime = options_.media.packetMs;
    Call& state =
        calls_
            .try_emplace(call, Call{roomOf(roomName, call), 0, random_() >> 1, std::move(stream),
                                    fmt::to_string(callTag(call.value(), traceId))})
            .first->second;
    return sdp::write(sdp::makeOffer(originOf(state, local.address), {local}));
}

Result<std::string> Conference::reoffer(room::LegId call, bool holds) {
    auto found = calls_.find(call);
    auto room = found == calls_.end() ? rooms_.end() : rooms_.find(found->second.room);
    rtp::RtpStream* stream = room == rooms_.end() ? nullptr : room->second->stream(call);
    if (!stream) return fail(Errc::not_found, "the leg is in no room");
    sdp::LocalStream local;
    local.address = options_.media.advertise;
    local.port = stream->localPort();
    local.codecs = options_.media.codecs;
    local.ptime = options_.media.packetMs;
    if (holds) local.direction = sdp::Direction::sendonly; // RFC 3264 §8.4
    found->second.reoffered = true;
    return sdp::write(sdp::makeOffer(originOf(found->second, local.address), {local}));
}

Result<void> Conference::sendDigit(room::LegId call, char digit,
                                   std::chrono::milliseconds duration) {
    auto found = calls_.find(call);
    auto room = found == calls_.end() ? rooms_.end() : rooms_.find(found->second.room);
    if (room == rooms_.end() || !room->second->sendDigit(call, digit, duration))
        return fail(Errc::unsupported, "its RTP carries no telephone-event now");
    return {};
}

Result<void> Conference::answered(room::LegId call, std::string_view text) {
    auto found = calls_.find(call);
    if (found == calls_.end() || !(found->second.offered || found->second.reoffered))
        return fail(Errc::invalid_input, "no offer of ours awaits an answer on this call");
    auto answer = sdp::parse(text);
    if (!answer) return fail(answer.error());
    const sdp::Media* audio = firstAudio(*answer);
    if (!audio || audio->port == 0 || audio->formats.empty())
        return fail(Errc::unsupported, "SDP: the answer accepts no audio stream");
    auto peer = peerOf(*answer, *audio);
    if (!peer) return fail(peer.error());
    // RFC 3264 §6.1: the answer's first format is the one the answerer prefers to receive.
    const int payloadType = std::atoi(audio->formats.front().c_str());
    const auto chosen = sdp::codecOf(*audio, payloadType);
    const auto codecId = chosen
                             ? media::codecByName(chosen->name, chosen->clockRate, chosen->channels)
                             : std::nullopt;
    if (!codecId) return fail(Errc::unsupported, "SDP: the answer's codec is not one we offered");
    const auto direction = answer->direction(*audio);
    ParticipantCodec codec{*codecId, static_cast<std::uint8_t>(payloadType),
                           direction == sdp::Direction::sendrecv ||
                               direction == sdp::Direction::recvonly,
                           telephoneEventOf(*audio)};
    const std::string name = found->second.room;
    if (found->second.reoffered) { // the leg is in its room already: its media changes
        found->second.reoffered = false;
        auto room = rooms_.find(name);
        rtp::RtpStream* joined = room == rooms_.end() ? nullptr : room->second->stream(call);
        if (!joined) return fail(Errc::not_found, "the leg is in no room");
        joined->setRemote(*peer, audio->rtcpMux());
        if (auto updated = room->second->update(call, codec); !updated)
            return fail(Errc::unsupported, updated.error().message);
        return {};
    }
    auto stream = std::move(found->second.offered);
    stream->setRemote(*peer, audio->rtcpMux());
    auto& room = rooms_[name];
    if (!room) room = makeRoom(name);
    if (auto joined = room->join(call, std::move(stream), codec, found->second.tag); !joined) {
        calls_.erase(found);
        if (room->participants() == 0) rooms_.erase(name);
        return fail(Errc::unsupported, joined.error().message);
    }
    return {};
}

void Conference::left(room::LegId call) {
    auto found = calls_.find(call);
    if (found == calls_.end()) return;
    auto room = rooms_.find(found->second.room); // none while an offer of ours is unanswered
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

} // namespace sb::session
