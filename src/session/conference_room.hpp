#pragma once
// One conference room: its participants' RTP streams around a mixer (media/mixer.hpp) that runs
// on the room's own clock, one frame every 20 ms — or, while exactly two parties are in it and
// both take media, a link between their two streams (rtp/stream_link.hpp): their packets
// relayed as they are (only the RTP header rewritten) when they share a codec, transcoded when
// they do not, with no mixer, jitter buffer or clock. A third party joining moves the room to
// mixing, and the room moves back when it shrinks to two; each stream's numbering (sequence
// and timestamp) continues across the move, so the far ends hear one stream.
//
// While mixing, each participant speaks its own codec. What it sends waits in an adaptive jitter
// buffer (rtp/jitter_buffer.hpp) and is decoded, concealed where packets are lost, and resampled to
// the room's rate; each tick takes one frame from every participant, mixes, and gives each
// participant everyone but itself, resampled and encoded in its codec, under its leg's SSRC.

#include "media/codec.hpp"
#include "media/mixer.hpp"
#include "media/resampler.hpp"
#include "net/timer.hpp"
#include "room/ids.hpp"
#include "rtp/jitter_buffer.hpp"
#include "rtp/rtp_stream.hpp"
#include "rtp/stream_link.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace sb::session {

// How a participant's RTP is coded, as its offer and our answer settled it.
struct ParticipantCodec {
    media::CodecId codec = media::CodecId::pcmu;
    std::uint8_t payloadType = 0;
    // false while it holds the call (our answer is recvonly or inactive), and for a video
    // source's sound, which hears nothing: nothing is encoded for it meanwhile
    bool send = true;
    std::optional<std::uint8_t> telephoneEvent = {}; // RFC 4733's payload type, if agreed
};

class ConferenceRoom {
public:
    // `rate`: the mixer's, 16000 or 48000; `packetMs`: of what we send; `mode`: echo gives
    // every participant itself too. `linkTwo`: false mixes two parties too (as bench/room_pair
    // measures against).
    ConferenceRoom(asio::io_context& context, std::string name, std::uint32_t rate,
                   std::uint32_t packetMs, media::Mixer::Mode mode = media::Mixer::Mode::othersOnly,
                   bool linkTwo = true);
    ~ConferenceRoom();
    ConferenceRoom(const ConferenceRoom&) = delete;
    ConferenceRoom& operator=(const ConferenceRoom&) = delete;

    // Adds leg `leg` with its stream, or changes how it is coded; `tag` names it in log lines
    // (core/trace.hpp's callTag). Errors: a codec we cannot make.
    Result<void> join(room::LegId leg, std::unique_ptr<rtp::RtpStream> stream,
                      const ParticipantCodec& codec, std::string tag);
    Result<void> update(room::LegId leg, const ParticipantCodec& codec);
    // The participant fades out and its stream (and ports) go.
    // Who hears of each new active talker (the mixer's, three or more in the room), on this
    // room's thread.
    void onTalker(std::function<void(room::LegId)> talker) { talker_ = std::move(talker); }
    // Who hears of the keys a participant presses (RFC 4733 events) that the party it is
    // linked to cannot take, on this room's thread. (Mixing, events are not heard.)
    using DigitHandler = std::function<void(room::LegId, char, std::chrono::milliseconds)>;
    void onDigit(DigitHandler digit) { digit_ = std::move(digit); }
    // A key for `leg`'s far end, sent in its RTP as RFC 4733 events (§2.5), held `duration`:
    // false unless the leg is linked and agreed telephone-event (then its signalling carries it).
    bool sendDigit(room::LegId leg, char digit, std::chrono::milliseconds duration);
    void leave(room::LegId leg);
    rtp::RtpStream* stream(room::LegId leg);
    // The room's sender reports time what it sends by `leg`'s sound (a video source's, whose
    // pictures the room's calls receive too): each frame mixed carries the capture time of that
    // leg's sound in it, from that leg's own reports, so that a receiver can play the room's
    // audio in sync with the video (RFC 3550 §6.4.1). Mixing only: a leg that sends and does
    // not listen is never linked.
    void keepTimeBy(room::LegId leg) { clockLeg_ = leg; }

    const std::string& name() const noexcept { return name_; }
    std::size_t participants() const noexcept { return members_.size(); }

    struct Stats {
        std::uint64_t ticks = 0, framesIn = 0, framesConcealed = 0, packetsOut = 0;
        rtp::JitterBuffer::Stats jitter; // the participants' who left included
        rtp::StreamStats streams;        // likewise
        rtp::StreamLink::Stats links;    // while two parties were linked: relayed, transcoded
        std::uint64_t moves = 0;         // between linking and mixing

        Stats& operator+=(const Stats& s) noexcept;
    };
    Stats stats() const;

private:
    struct Member;
    void tick();
    void fill(Member& m);
    void send(Member& m, std::span<const std::int16_t> mixed);
    // When the clock leg's sound in this tick's frame was captured (NTP), if known.
    std::optional<std::uint64_t> frameCaptured() const;
    Result<void> recode(Member& m, const ParticipantCodec& codec);
    void schedule();
    // Links the two parties, or mixes, as the room's members now call for.
    void rewire();
    void link(Member& a, Member& b);
    void unlink();
    void listen(Member& m); // its packets go to its jitter buffer, for the mixer
    // Whether anyone hears what the members say: not a member alone (an expert waiting for the
    // agent's side), whose packets are dropped undecoded while it hears the room's silence.
    bool heard() const noexcept { return members_.size() > 1 || mode_ == media::Mixer::Mode::echo; }

    std::string name_;
    std::uint32_t packetMs_;
    media::Mixer::Mode mode_;
    bool linkTwo_;
    media::Mixer mixer_;
    net::Timer timer_;
    bool ticking_ = false;
    std::chrono::steady_clock::time_point nextTick_;
    std::function<void(room::LegId)> talker_;
    DigitHandler digit_;
    std::map<room::LegId, std::unique_ptr<Member>> members_;
    std::unique_ptr<rtp::StreamLink> link_; // while two parties are linked
    room::LegId linkedA_, linkedB_;         // its ends a and b
    std::optional<room::LegId> clockLeg_;   // keepTimeBy's
    Stats stats_;
};

} // namespace sb::session
