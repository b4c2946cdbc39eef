#pragma once
// The media of rooms on one media worker (session::WorkerGraph posts to it): each leg that joins
// a room gets its own RTP endpoint, the codec our answer settles on from its offer (SDES-keyed
// SRTP when it offers it), and a place in the room's mixer. Rooms are made when their first
// participant joins and go when their last one leaves. Serves the escalations' rooms and the
// conference routes (a route with `conference = "name"`), each from its own instance.
//
// The room named kEchoRoom (a route with `echo = true`) is an echo test: each call that joins it
// gets a room of its own in which it hears itself, through the jitter buffer and its codec.

#include "core/result.hpp"
#include "room/ids.hpp"
#include "room/media_graph.hpp"
#include "session/conference_room.hpp"
#include "session/echo_room.hpp"
#include "session/media_anchor.hpp"
#include "session/sdes.hpp"
#include "session/video_fanout.hpp"

#include <random>
#include <string>
#include <unordered_map>

namespace sb::session {

struct ConferenceOptions {
    MediaOptions media;         // our address, codecs (in order of preference), ptime
    std::uint32_t rate = 48000; // the mixers': 16000 or 48000
    // A room's mixer found a new active talker, the leg it names; on the room's thread.
    std::function<void(room::LegId)> talker = {};
    // A participant pressed a key, in RFC 4733 events that the party it is linked to cannot
    // take (an H.323 leg, which has no telephone-event): the leg, the digit, how long it was
    // held; on the room's thread.
    std::function<void(room::LegId, char, std::chrono::milliseconds)> digit = {};
};

class Conference {
public:
    // Streams take their ports from `pool`, which must outlive the rooms.
    Conference(rtp::PortPool& pool, ConferenceOptions options);
    ~Conference();
    Conference(const Conference&) = delete;
    Conference& operator=(const Conference&) = delete;

    // Legs that offer (a caller's, an expert's re-INVITE): our answer; the first joins `room`.
    Result<std::string> answer(room::LegId leg, std::string_view room, std::string_view offer,
                               std::string_view traceId);
    void left(room::LegId leg);

    // Legs we place into a room (an escalation's expert): our offer, whose stream waits for the
    // answer; then the answer, which joins it to the room. A leg that is never answered leaves
    // with left(). Errors: no ports left (Errc::too_large); an answer without a codec we
    // offered or a usable address (Errc::unsupported, invalid_input).
    // A video source (room::LegMedia::Kind::videoSource) is offered video to send us, alone; a
    // call is offered audio, and the room's video while it has a source; with SDES keys for
    // their SRTP as options.media.srtp asks, if its signalling carries them (LegMedia::sdes).
    Result<std::string> offer(room::LegId leg, std::string_view room, std::string_view traceId,
                              room::LegMedia media = {});
    Result<void> answered(room::LegId leg, std::string_view answer);
    // A new offer of ours for a leg in a room (its stream and port stay); its answer comes
    // through answered(). Errc::not_found when the leg is in no room.
    Result<std::string> reoffer(room::LegId leg, bool holds = false);
    // The leg lost its place in its room's video: the source is asked for a key frame.
    void requestPicture(room::LegId leg);
    // A key for the leg's far end in its RTP (ConferenceRoom::sendDigit). Errc::unsupported
    // when its media cannot carry it.
    Result<void> sendDigit(room::LegId leg, char digit, std::chrono::milliseconds duration);

    std::size_t rooms() const noexcept { return rooms_.size(); }
    std::size_t participants() const noexcept { return calls_.size(); }
    // Every room's, the closed ones' included.
    ConferenceRoom::Stats stats() const;

private:
    struct Call {
        std::string room;
        std::uint32_t version = 0; // of our o= line
        std::uint64_t sessionId = 0;
        std::unique_ptr<rtp::RtpStream> offered; // our offer's, until the answer comes
        std::string tag;                         // how log lines name the call (callTag)
        bool reoffered = false; // a new offer of ours on a joined leg awaits its answer
        room::LegMedia media = {};
        std::unique_ptr<rtp::RtpStream> videoOffered = {}; // our offer's video, likewise
        bool videoLine = false; // our offers have had an m=video: the later ones keep it
        StreamKeys audioKeys = {}, videoKeys = {}; // their SRTP (SDES) over offers and answers
    };
    // Our video stream for `call` in `room`'s video, if the room has a source (or, with
    // `line`, an m=video with port 0 where there was video before and the source has gone).
    // Its stream is the one it receives on already, or a new one kept in videoOffered.
    Result<std::optional<sdp::LocalStream>> videoFor(room::LegId call, Call& state,
                                                     const std::string& room);
    // The video of an answer to our offer, or of an offer we answered (`answer` is then ours
    // and `peer` theirs): the call receives the room's video, or no longer does.
    // `keys`: the video's SRTP as the offer and answer settled it (an error: the call cannot
    // take the video so keyed).
    void takeVideo(room::LegId call, Call& state, const sdp::Session& answer,
                   const sdp::Session& peer, const Result<std::optional<SdesKeys>>& keys);
    Result<void> sourceAnswered(room::LegId call, Call& state, const sdp::Session& answer);
    // The streams of an offer of ours to a call: `audio`, and the room's video; keyed as the
    // call's SRTP has it.
    Result<std::vector<sdp::LocalStream>> offeredStreams(room::LegId call, Call& state,
                                                         sdp::LocalStream audio);
    sdp::LocalStream localVideo(std::uint16_t port, std::vector<sdp::Codec> codecs,
                                sdp::Direction direction) const;
    sdp::Origin originOf(Call& call, std::string_view address);
    // The room a leg joins when it names `roomName`: an echo test is a room of its own.
    static std::string roomOf(std::string_view roomName, room::LegId call);
    std::unique_ptr<ConferenceRoom> makeRoom(const std::string& name);

    rtp::PortPool& pool_;
    ConferenceOptions options_;
    std::mt19937_64 random_;
    std::unordered_map<std::string, std::unique_ptr<ConferenceRoom>> rooms_;
    std::unordered_map<room::LegId, Call> calls_;
    std::unordered_map<std::string, std::unique_ptr<VideoFanout>> videos_; // by room name
    ConferenceRoom::Stats closed_;
};

} // namespace sb::session
