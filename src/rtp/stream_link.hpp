#pragma once
// The media between a call's two streams, as codec negotiation chose it (ARCHITECTURE.md
// "Codec negotiation"): relayed untouched but for the RTP header when both legs use one codec,
// or transcoded, each direction decoded and encoded again, when they do not. DTMF as RFC 4733
// telephone-events crosses either way where both legs agreed to it, re-stamped into the
// outgoing stream's numbering. Where only one leg has telephone-event, its events are reported
// (the B2BUA sends them on as SIP INFO) and events made from SIP INFO can be sent to it.

#include "media/transcoder.hpp"
#include "rtp/forwarder.hpp"
#include "rtp/rtp_stream.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace sb::rtp {

// Where a sender's numbering towards a stream stands: the next packet's sequence number and
// timestamp. Passed between senders that take turns on one stream (a room that moves between
// linking two parties and mixing), so that the far end sees one continuous stream.
struct Numbering {
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
};

struct LinkPlan {
    struct End {
        std::uint8_t payloadType = 0;
        std::uint32_t clockRate = 8000;              // the RTP clock (relaying needs no more)
        media::CodecId codec = media::CodecId::pcmu; // for transcoding
        std::optional<std::uint8_t> telephoneEvent;  // its payload type, if agreed
        std::uint32_t telephoneEventClock = 8000;
        // Our numbering towards this end continues from here; absent: random starting points.
        std::optional<Numbering> numbering = std::nullopt;
    };
    End a, b;
    bool transcode = false;
    std::uint32_t packetMs = 20; // of what we encode when transcoding
};

enum class LinkEnd { a, b };

class StreamLink {
public:
    StreamLink(RtpStream& a, RtpStream& b);
    ~StreamLink();
    StreamLink(const StreamLink&) = delete;
    StreamLink& operator=(const StreamLink&) = delete;

    // (Re)wires both directions. Errors: the transcoder's (a codec it cannot make).
    Result<void> configure(const LinkPlan& plan);

    // RFC 4733 events from an end whose other end has no telephone-event: reported once
    // each, when it ends (the B2BUA sends it on as SIP INFO).
    using EventHandler =
        std::function<void(LinkEnd from, std::uint8_t event, std::chrono::milliseconds duration)>;
    void onEvent(EventHandler handler) { onEvent_ = std::move(handler); }
    // An event of our own towards end `to` (made from SIP INFO), as RFC 4733 §2.5 sends it: a
    // packet per packet time with the duration so far, then the end packet three times, in that
    // end's numbering; events wait their turn. False when that end has no telephone-event.
    bool sendEvent(LinkEnd to, std::uint8_t event, std::chrono::milliseconds duration);

    struct Stats {
        std::uint64_t relayed = 0, transcoded = 0, dropped = 0, concealed = 0;
        std::uint64_t eventsReported = 0, eventsSent = 0; // translated to and from SIP INFO

        Stats& operator+=(const Stats& s) noexcept {
            relayed += s.relayed;
            transcoded += s.transcoded;
            dropped += s.dropped;
            concealed += s.concealed;
            eventsReported += s.eventsReported;
            eventsSent += s.eventsSent;
            return *this;
        }
    };
    const Stats& stats() const noexcept { return stats_; }
    // Where our numbering towards end `to` stands at `now`: what another sender continues from.
    Numbering numbering(LinkEnd to, std::chrono::steady_clock::time_point now) const;

private:
    // One direction: what arrives on `from` goes out on `to`.
    struct Path;
    std::unique_ptr<Path> makePath(LinkEnd from, RtpStream& to, const LinkPlan::End& in,
                                   const LinkPlan::End& out, const LinkPlan& plan);
    void onPacket(Path& path, std::span<std::byte> packet, const RtpView& view);
    // Our own events on a path: the next packet of the current one, and the next in line.
    void startEvent(Path& path);
    void continueEvent(Path& path);
    void sendEventPacket(Path& path, bool marker, bool end);

    RtpStream &a_, &b_;
    std::unique_ptr<Path> aToB_, bToA_;
    EventHandler onEvent_;
    Stats stats_;
};

} // namespace sb::rtp
