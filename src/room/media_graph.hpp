#pragma once
// The room's side of media: each leg's streams, kept by a graph that the composition provides
// (session::WorkerGraph: each room's media on a media worker). Keyed by leg id, which is unique
// across every room, so one graph serves them all.
//
// Asynchronous (ARCHITECTURE.md "Threads"): a room runs on the control loop and its media on a
// media worker, so every outcome comes back through a reply. A reply runs exactly once, on the
// thread that asked, either before the call returns or later; only the graph's destruction
// drops replies not yet given. The calls about one leg take effect in the order they are made.

#include "core/result.hpp"
#include "room/ids.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sb::room {

template <class T>
using Reply = std::function<void(Result<T>)>;

// What media a leg brings to its room. A call (SIP, H.323, a WebRTC peer's audio) speaks and
// hears the room's audio, and receives the room's video while the room has a source; a video
// source (a camera, a file) sends pictures that the room's calls receive. The graph's offer
// to a leg follows from it: audio, and video to send while a source is in the room; or video
// to receive alone.
struct LegMedia {
    enum class Kind : std::uint8_t { call, videoSource };
    Kind kind = Kind::call;
    // Its signalling carries SDES keys in its SDP (RFC 4568), as SIP's does: the graph's offer
    // keys its streams' SRTP as the deployment asks ([media] srtp). H.323's channels and our
    // own sources' loopback RTP carry none.
    bool sdes = false;

    bool operator==(const LegMedia&) const = default;
};

class MediaGraph {
public:
    virtual ~MediaGraph() = default;
    // Our offer for a leg we place into `room`, for the media it brings; its streams wait for
    // the answer.
    virtual void offer(LegId leg, std::string_view room, std::string_view traceId, LegMedia media,
                       Reply<std::string> reply) = 0;
    // The far end's answer to it (or to a reoffer()): the leg joins the room's media, or its
    // media changes as the answer says.
    virtual void answered(LegId leg, std::string_view answer, Reply<void> reply) = 0;
    // A new offer of ours for a leg already in the room (Switchboard's own re-offer), with the
    // room's media as it is now (the video of a source that joined since); with `holds`, one
    // that puts its far end on hold (RFC 3264 §8.4: sendonly).
    virtual void reoffer(LegId leg, bool holds, Reply<std::string> reply) = 0;
    // Our answer to an offer from the far end (the first joins `room`; later ones change the
    // leg's media). Errors as LegSink::onLegOffer's.
    virtual void answer(LegId leg, std::string_view room, std::string_view offer,
                        std::string_view traceId, Reply<std::string> reply) = 0;
    // The leg lost its place in the room's video: the source is asked for a picture to start
    // from (an RTCP PLI, as the leg's own would be). Nothing when the room has no video.
    virtual void requestPicture(LegId leg) = 0;
    // The leg's streams and ports go. Idempotent.
    virtual void left(LegId leg) = 0;
    // A DTMF key for the leg's far end in its media, as RFC 4733 events held `duration`.
    // Errc::unsupported when its streams carry no telephone-event: its signalling carries it.
    virtual void sendDigit(LegId leg, char digit, std::chrono::milliseconds duration,
                           Reply<void> reply) = 0;
};

} // namespace sb::room
