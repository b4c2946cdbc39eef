#pragma once
// The room's side of media: each leg's streams, kept by a graph that the composition provides
// (today the conference mixer; forwarding without decoding for two parties comes next). Keyed
// by leg id, which is unique across every room, so one graph serves them all.

#include "core/result.hpp"
#include "room/ids.hpp"

#include <string>
#include <string_view>

namespace sb::room {

class MediaGraph {
public:
    virtual ~MediaGraph() = default;
    // Our offer for a leg we place into `room`; its streams wait for the answer.
    virtual Result<std::string> offer(LegId leg, std::string_view room,
                                      std::string_view traceId) = 0;
    // The far end's answer to it (or to a reoffer()): the leg joins the room's media, or its
    // media changes as the answer says.
    virtual Result<void> answered(LegId leg, std::string_view answer) = 0;
    // A new offer of ours for a leg already in the room (Switchboard's own re-offer).
    virtual Result<std::string> reoffer(LegId leg) = 0;
    // Our answer to an offer from the far end (the first joins `room`; later ones change the
    // leg's media). Errors as LegSink::onLegOffer's.
    virtual Result<std::string> answer(LegId leg, std::string_view room, std::string_view offer,
                                       std::string_view traceId) = 0;
    // The leg's streams and ports go. Idempotent.
    virtual void left(LegId leg) = 0;
};

} // namespace sb::room
