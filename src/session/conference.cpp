#include "session/conference.hpp"

#include "core/log.hpp"
#include "core/trace.hpp"
#include "sdp/codec.hpp"
#include "sdp/parser.hpp"
#include "session/sdes.hpp"
#include "session/sdp_media.hpp"
#include "video/stream_sdp.hpp"

#include <fmt/format.h>
#include <string>

namespace sb::session {
namespace {

spdlog::logger& logger() {
    return log::get("media");
}

const sdp::Codec& sdpCodecOf(video::Codec codec) {
    return codec == video::Codec::h264 ? video::kCallH264 : video::kCallH265;
}

std::optional<video::Codec> videoCodecOf(const sdp::Media& m, int payloadType) {
    const auto codec = sdp::codecOf(m, payloadType);
    if (codec && codec->sameAs(video::kCallH264)) return video::Codec::h264;
    if (codec && codec->sameAs(video::kCallH265)) return video::Codec::h265;
    return std::nullopt;
}

// Whether the far end's side of a stream lets it receive what we send.
bool receives(sdp::Direction theirs) {
    return theirs == sdp::Direction::sendrecv || theirs == sdp::Direction::recvonly;
}

} // namespace

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
    auto known = calls_.find(call);
    const bool joining = known == calls_.end();
    StreamKeys joiningKeys; // a new call's, until it has its state
    const auto keys = (joining ? joiningKeys : known->second.audioKeys).offered(*audio);
    if (!keys && audio->proto.find("SAVP") != std::string::npos)
        return fail(Errc::unsupported, "SRTP: no a=crypto line with a suite and key we take");

    const std::string name = joining ? roomOf(roomName, call) : known->second.room;
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
    if (joining) state.audioKeys = std::move(joiningKeys);
    sdp::LocalStream local;
    local.address = options_.media.advertise;
    local.port = stream->localPort();
    local.codecs = options_.media.codecs;
    local.ptime = options_.media.packetMs;
    if (keys) StreamKeys::answerOn(local, *keys);
    std::vector<sdp::LocalStream> streams{local};
    std::optional<SdesKeys> videoKeys;
    if (const sdp::Media* offered = firstVideo(*offer)) {
        auto video = videoFor(call, state, name);
        if (!video) return refuse(video.error());
        if (*video && (videoKeys = state.videoKeys.offered(*offered)))
            StreamKeys::answerOn(**video, *videoKeys);
        if (*video) streams.push_back(**video);
    }
    auto answer = sdp::makeAnswer(*offer, originOf(state, local.address), streams);
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
    if (auto ok = state.audioKeys.key(*stream, keys, state.tag + " audio"); !ok)
        return refuse(ok.error());
    auto joined =
        fresh ? room->join(call, std::move(fresh), codec, state.tag) : room->update(call, codec);
    if (!joined) return refuse({Errc::unsupported, joined.error().message});
    takeVideo(call, state, *answer, *offer, videoKeys);
    return sdp::write(*answer);
}

sdp::LocalStream Conference::localVideo(std::uint16_t port, std::vector<sdp::Codec> codecs,
                                        sdp::Direction direction) const {
    sdp::LocalStream local;
    local.type = "video";
    local.address = options_.media.advertise;
    local.port = port;
    local.codecs = std::move(codecs);
    local.direction = direction;
    local.feedback = {"nack pli", "ccm fir"}; // RFC 4585 §4.2, RFC 5104 §7.1
    return local;
}

Result<std::optional<sdp::LocalStream>> Conference::videoFor(room::LegId call, Call& state,
                                                             const std::string& room) {
    auto fan = videos_.find(room);
    const auto codec = fan == videos_.end() ? std::nullopt : fan->second->codec();
    if (!codec && !state.videoLine) return std::optional<sdp::LocalStream>();
    if (!codec) // the source has gone: the m= line stays, disabled (RFC 3264 §8.2)
        return std::optional(localVideo(0, {video::kCallH264}, sdp::Direction::inactive));
    rtp::RtpStream* stream = fan->second->stream(call);
    if (!stream) stream = state.videoOffered.get();
    if (!stream) {
        auto lease = pool_.lease();
        if (!lease) return fail(lease.error());
        state.videoOffered =
            std::make_unique<rtp::RtpStream>(std::move(lease).value(), options_.media.latching);
        stream = state.videoOffered.get();
    }
    state.videoLine = true;
    // We only send: the room's pictures come from its source, not from the calls.
    return std::optional(
        localVideo(stream->localPort(), {sdpCodecOf(*codec)}, sdp::Direction::sendonly));
}

void Conference::takeVideo(room::LegId call, Call& state, const sdp::Session& answer,
                           const sdp::Session& peer, const Result<std::optional<SdesKeys>>& keys) {
    auto fan = videos_.find(state.room);
    if (fan == videos_.end()) return;
    const sdp::Media* ours = firstVideo(answer);
    const sdp::Media* theirs = firstVideo(peer);
    const bool wanted = ours && theirs && ours->port != 0 && !ours->formats.empty() &&
                        receives(peer.direction(*theirs)) && theirs->port != 0;
    auto where = wanted ? peerOf(peer, *theirs)
                        : Result<asio::ip::udp::endpoint>(fail(Errc::not_found, "no video"));
    rtp::RtpStream* stream =
        state.videoOffered ? state.videoOffered.get() : fan->second->stream(call);
    if (where && keys && stream) {
        if (auto keyed = state.videoKeys.key(*stream, *keys, state.tag + " video"); !keyed)
            where = fail(keyed.error());
    } else if (where && !keys) {
        where = fail(keys.error());
    }
    if (!where || !stream) { // it takes no video (now): its video stream goes
        if (wanted && !where) logger().info("{}: no video: {}", state.tag, where.error().message);
        state.videoOffered.reset();
        state.videoKeys.forget();
        fan->second->remove(call);
        return;
    }
    const auto payloadType = static_cast<std::uint8_t>(std::atoi(ours->formats.front().c_str()));
    stream->setRemote(*where, theirs->rtcpMux());
    if (state.videoOffered) {
        state.videoOffered->startReports("switchboard-" + state.room,
                                         video::kVideoClock); // the audio's CNAME (RFC 3550 §6.5.1)
        fan->second->addReceiver(call, std::move(state.videoOffered), payloadType);
    } else {
        fan->second->updateReceiver(call, payloadType);
    }
}

Result<void> Conference::sourceAnswered(room::LegId call, Call& state, const sdp::Session& answer) {
    const sdp::Media* video = firstVideo(answer);
    if (!video || video->port == 0 || video->formats.empty())
        return fail(Errc::unsupported, "SDP: the source's answer has no video stream");
    auto peer = peerOf(answer, *video);
    if (!peer) return fail(peer.error());
    const int payloadType = std::atoi(video->formats.front().c_str());
    const auto codec = videoCodecOf(*video, payloadType);
    if (!codec) return fail(Errc::unsupported, "SDP: the source's codec is not one we offered");
    if (!state.videoOffered) return fail(Errc::invalid_input, "the source has its video already");
    auto& fan = videos_[state.room];
    if (!fan) fan = std::make_unique<VideoFanout>();
    if (fan->hasSource()) return fail(Errc::unsupported, "the room has a video source already");
    state.videoOffered->setRemote(*peer, video->rtcpMux());
    state.videoOffered->startReports("switchboard-" + state.room,
                                     video::kVideoClock); // the audio's CNAME (RFC 3550 §6.5.1)
    fan->setSource(call, std::move(state.videoOffered), *codec,
                   static_cast<std::uint8_t>(payloadType));
    return {};
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
                                      std::string_view traceId, room::LegMedia media) {
    if (calls_.contains(call)) return fail(Errc::invalid_input, "the call has made its offer");
    auto lease = pool_.lease();
    if (!lease) return fail(lease.error());
    auto stream =
        std::make_unique<rtp::RtpStream>(std::move(lease).value(), options_.media.latching);
    if (media.kind == room::LegMedia::Kind::videoSource) {
        // Video to receive, and the sound that goes with it (a camera's, a file's), which the
        // room's calls hear and which times the room's audio (ConferenceRoom::keepTimeBy).
        auto soundLease = pool_.lease();
        if (!soundLease) return fail(soundLease.error());
        auto sound = std::make_unique<rtp::RtpStream>(std::move(soundLease).value(),
                                                      options_.media.latching);
        sdp::LocalStream audio;
        audio.address = options_.media.advertise;
        audio.port = sound->localPort();
        audio.codecs = options_.media.codecs;
        audio.ptime = options_.media.packetMs;
        audio.direction = sdp::Direction::recvonly;
        const auto video = localVideo(stream->localPort(), {video::kCallH264, video::kCallH265},
                                      sdp::Direction::recvonly);
        Call& state =
            calls_
                .try_emplace(call, Call{roomOf(roomName, call), 0, random_() >> 1, std::move(sound),
                                        fmt::to_string(callTag(call.value(), traceId))})
                .first->second;
        state.media = media;
        state.videoOffered = std::move(stream);
        state.videoLine = true;
        return sdp::write(sdp::makeOffer(originOf(state, audio.address), {audio, video}));
    }
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
    state.media = media;
    const auto srtp = media.sdes ? options_.media.srtp : sdp::SrtpPolicy::off;
    state.audioKeys = StreamKeys(srtp);
    state.videoKeys = StreamKeys(srtp);
    auto streams = offeredStreams(call, state, local);
    if (!streams) {
        calls_.erase(call);
        return fail(streams.error());
    }
    return sdp::write(sdp::makeOffer(originOf(state, local.address), *streams));
}

Result<std::vector<sdp::LocalStream>> Conference::offeredStreams(room::LegId call, Call& state,
                                                                 sdp::LocalStream audio) {
    state.audioKeys.offerOn(audio);
    std::vector<sdp::LocalStream> streams{std::move(audio)};
    auto video = videoFor(call, state, state.room);
    if (!video) return fail(video.error());
    if (*video) {
        if ((*video)->port != 0) {
            state.videoKeys.follow(state.audioKeys);
            state.videoKeys.offerOn(**video);
        }
        streams.push_back(**video);
    }
    return streams;
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
    auto streams = offeredStreams(call, found->second, local);
    if (!streams) return fail(streams.error());
    found->second.reoffered = true;
    return sdp::write(sdp::makeOffer(originOf(found->second, local.address), *streams));
}

void Conference::requestPicture(room::LegId call) {
    auto found = calls_.find(call);
    if (found == calls_.end()) return;
    if (auto fan = videos_.find(found->second.room); fan != videos_.end())
        fan->second->requestKeyFrame();
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
    if (found == calls_.end() ||
        !(found->second.offered || found->second.reoffered || found->second.videoOffered))
        return fail(Errc::invalid_input, "no offer of ours awaits an answer on this call");
    auto answer = sdp::parse(text);
    if (!answer) return fail(answer.error());
    Call& state = found->second;
    const bool source = state.media.kind == room::LegMedia::Kind::videoSource;
    if (source) { // its pictures; then its sound, if it has any, joins the room's audio
        if (auto ok = sourceAnswered(call, state, *answer); !ok) return ok;
        const sdp::Media* sound = firstAudio(*answer);
        if (!sound || sound->port == 0 || !state.offered) {
            state.offered.reset();
            return {};
        }
    }
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
    auto keys = state.audioKeys.answered(*audio);
    if (!keys) return fail(keys.error());
    const sdp::Media* video = firstVideo(*answer);
    Result<std::optional<SdesKeys>> videoKeys = std::optional<SdesKeys>();
    if (video) videoKeys = state.videoKeys.answered(*video);
    const std::string name = state.room;
    if (state.reoffered) { // the leg is in its room already: its media changes
        state.reoffered = false;
        auto room = rooms_.find(name);
        rtp::RtpStream* joined = room == rooms_.end() ? nullptr : room->second->stream(call);
        if (!joined) return fail(Errc::not_found, "the leg is in no room");
        joined->setRemote(*peer, audio->rtcpMux());
        if (auto keyed = state.audioKeys.key(*joined, *keys, state.tag + " audio"); !keyed)
            return fail(keyed.error());
        if (auto updated = room->second->update(call, codec); !updated)
            return fail(Errc::unsupported, updated.error().message);
        takeVideo(call, state, *answer, *answer, videoKeys);
        return {};
    }
    auto stream = std::move(state.offered);
    stream->setRemote(*peer, audio->rtcpMux());
    if (auto keyed = state.audioKeys.key(*stream, *keys, state.tag + " audio"); !keyed) {
        calls_.erase(found);
        return fail(keyed.error());
    }
    auto& room = rooms_[name];
    if (!room) room = makeRoom(name);
    if (auto joined = room->join(call, std::move(stream), codec, state.tag); !joined) {
        calls_.erase(found);
        if (room->participants() == 0) rooms_.erase(name);
        return fail(Errc::unsupported, joined.error().message);
    }
    if (source) // the room's audio goes out timed by the source's sound, as its video does
        room->keepTimeBy(call);
    else
        takeVideo(call, state, *answer, *answer, videoKeys);
    return {};
}

void Conference::left(room::LegId call) {
    auto found = calls_.find(call);
    if (found == calls_.end()) return;
    if (auto fan = videos_.find(found->second.room); fan != videos_.end()) {
        fan->second->remove(call);
        if (fan->second->empty()) {
            const auto& s = fan->second->stats();
            logger().info("room {}: its video ends: {} packets in, {} lost on the way in, {} out, "
                          "{} key frames asked for",
                          fan->first, s.packetsIn, s.sourceLost, s.packetsOut, s.keyFrameRequests);
            videos_.erase(fan);
        }
    }
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
