#include "rtp/stream_link.hpp"

#include "core/random.hpp"
#include "net/timer.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/telephone_event.hpp"

#include <memory>

namespace sb::rtp {

namespace {
// What a transcoded path conceals for one gap, at most (100 ms at 20 ms a packet): a longer
// hole is the sender's silence or a restart, not loss worth filling.
constexpr int kMostConcealed = 5;
// How far behind the last packet one may be and still be taken as late rather than as a
// sender that started its numbering again (RFC 3550 A.1's MAX_MISORDER).
constexpr int kMostMisordered = 100;
} // namespace

struct StreamLink::Path {
    Path(LinkEnd end, RtpStream& stream) : from(end), to(stream), eventTimer(stream.context()) {}
    LinkEnd from;
    RtpStream& to;
    std::optional<RtpForwarder> forwarder; // relayed
    std::unique_ptr<media::Transcoder> transcoder;
    std::uint8_t inPayloadType = 0, outPayloadType = 0;
    std::uint32_t outClock = 8000;
    // Our numbering of what we encode (RFC 3550 §5.1: random starting points).
    std::uint32_t ssrc = 0, timestamp = 0;
    std::uint16_t sequence = 0;
    std::optional<std::uint16_t> lastIn; // the last incoming sequence number, for gaps
    std::uint32_t inSamplesPerPacket = 0;
    std::uint32_t packetMs = 20;
    // RFC 4733 events: each end's payload type, if it has telephone-event.
    std::optional<std::uint8_t> inEvents, outEvents;
    std::uint32_t inEventClock = 8000, outEventClock = 8000;
    std::optional<std::uint32_t> eventIn;  // through a transcoded path: the event's timestamp
    std::uint32_t eventOut = 0;            // as it came, and as we send it
    std::optional<std::uint32_t> reported; // the last event reported (its timestamp)
    // Our own events towards `to`.
    struct Pending {
        std::uint8_t event;
        std::uint32_t ticks; // its duration in the event clock
    };
    std::deque<Pending> pending; // the front one is being sent
    net::Timer eventTimer;       // never fires once the path has gone
    std::uint32_t ownEventTimestamp = 0, ownEventDuration = 0;
    int endsSent = 0;
    bool sendingEvent = false;
    std::vector<std::byte> packet = std::vector<std::byte>(1500);
};

StreamLink::StreamLink(RtpStream& a, RtpStream& b) : a_(a), b_(b) {}

StreamLink::~StreamLink() {
    a_.onRtp(nullptr);
    b_.onRtp(nullptr);
}

std::unique_ptr<StreamLink::Path> StreamLink::makePath(LinkEnd from, RtpStream& to,
                                                       const LinkPlan::End& in,
                                                       const LinkPlan::End& out,
                                                       const LinkPlan& plan) {
    auto path = std::make_unique<Path>(from, to);
    path->ssrc = to.ssrc(); // the leg's own SSRC, which its RTCP reports too
    path->sequence =
        out.numbering ? out.numbering->sequence : static_cast<std::uint16_t>(threadRandom()());
    path->timestamp =
        out.numbering ? out.numbering->timestamp : static_cast<std::uint32_t>(threadRandom()());
    path->inPayloadType = in.payloadType;
    path->outPayloadType = out.payloadType;
    path->outClock = out.clockRate;
    path->packetMs = plan.packetMs;
    path->inEvents = in.telephoneEvent;
    path->outEvents = out.telephoneEvent;
    path->inEventClock = in.telephoneEventClock;
    path->outEventClock = out.telephoneEventClock;
    if (!plan.transcode) {
        RtpForwarder::Options o{path->ssrc, path->sequence, path->timestamp, {}};
        o.payloadTypes[in.payloadType] = {out.payloadType, in.clockRate};
        if (in.telephoneEvent && out.telephoneEvent)
            o.payloadTypes[*in.telephoneEvent] = {*out.telephoneEvent, in.telephoneEventClock};
        path->forwarder.emplace(std::move(o));
    }
    return path;
}

Result<void> StreamLink::configure(const LinkPlan& plan) {
    auto aToB = makePath(LinkEnd::a, b_, plan.a, plan.b, plan);
    auto bToA = makePath(LinkEnd::b, a_, plan.b, plan.a, plan);
    if (plan.transcode) {
        auto ab = media::Transcoder::make(plan.a.codec, plan.b.codec, plan.packetMs);
        if (!ab) return fail(ab.error());
        auto ba = media::Transcoder::make(plan.b.codec, plan.a.codec, plan.packetMs);
        if (!ba) return fail(ba.error());
        aToB->transcoder = std::move(ab).value();
        bToA->transcoder = std::move(ba).value();
        aToB->inSamplesPerPacket = media::traitsOf(plan.a.codec).sampleRate * plan.packetMs / 1000;
        bToA->inSamplesPerPacket = media::traitsOf(plan.b.codec).sampleRate * plan.packetMs / 1000;
    }
    aToB_ = std::move(aToB);
    bToA_ = std::move(bToA);
    a_.onRtp([this, path = aToB_.get()](std::span<std::byte> packet, const RtpView& view) {
        onPacket(*path, packet, view);
    });
    b_.onRtp([this, path = bToA_.get()](std::span<std::byte> packet, const RtpView& view) {
        onPacket(*path, packet, view);
    });
    return {};
}

Numbering StreamLink::numbering(LinkEnd to, std::chrono::steady_clock::time_point now) const {
    const Path* path = to == LinkEnd::b ? aToB_.get() : bToA_.get();
    if (!path) return {};
    if (path->forwarder)
        return {path->forwarder->nextSequence(), path->forwarder->timestampAt(now, path->outClock)};
    return {path->sequence, path->timestamp};
}

void StreamLink::onPacket(Path& path, std::span<std::byte> packet, const RtpView& view) {
    // RFC 4733 events for an end without telephone-event: reported once, at their end (§2.5.1.4:
    // the end packet is sent three times, all with the event's timestamp).
    if (path.inEvents && !path.outEvents && view.payloadType == *path.inEvents) {
        auto event = parseTelephoneEvent(view.payload);
        if (event && event->end && view.timestamp != path.reported) {
            path.reported = view.timestamp;
            ++stats_.eventsReported;
            if (onEvent_)
                onEvent_(path.from, event->event,
                         std::chrono::milliseconds(event->duration * 1000 / path.inEventClock));
        }
        return;
    }
    if (path.forwarder) {
        if (path.forwarder->rewrite(packet, view, RtpForwarder::Clock::now())) {
            if (path.inEvents && view.payloadType == *path.inEvents) {
                const auto at = static_cast<std::size_t>(view.payload.data() - packet.data());
                rescaleTelephoneEvents(packet.subspan(at, view.payload.size()), path.inEventClock,
                                       path.outEventClock);
            }
            path.to.sendRtp(packet);
            ++stats_.relayed;
        } else {
            ++stats_.dropped;
        }
        return;
    }
    if (path.inEvents && path.outEvents && view.payloadType == *path.inEvents) {
        // An event is four octets (RFC 4733 §2.3), a few with redundancy; what a datagram can
        // hold beyond our packet buffer is no event of anybody's.
        if (kFixedHeaderBytes + view.payload.size() > path.packet.size()) {
            ++stats_.dropped;
            return;
        }
        // RFC 4733 §2.5: every packet of an event carries the event's start timestamp; ours is
        // where our stream stands when the event begins.
        if (view.timestamp != path.eventIn) {
            path.eventIn = view.timestamp;
            path.eventOut = path.timestamp;
        }
        writeRtpHeader(path.packet,
                       {view.marker, *path.outEvents, path.sequence++, path.eventOut, path.ssrc});
        std::copy(view.payload.begin(), view.payload.end(),
                  path.packet.begin() + kFixedHeaderBytes);
        rescaleTelephoneEvents(
            std::span(path.packet).subspan(kFixedHeaderBytes, view.payload.size()),
            path.inEventClock, path.outEventClock);
        path.to.sendRtp(std::span(path.packet).first(kFixedHeaderBytes + view.payload.size()));
        ++stats_.relayed;
        return;
    }
    if (view.payloadType != path.inPayloadType) {
        ++stats_.dropped; // comfort noise and types nobody agreed to
        return;
    }
    auto emit = [&path](std::span<const std::byte> payload, std::uint32_t step) {
        writeRtpHeader(path.packet,
                       {false, path.outPayloadType, path.sequence++, path.timestamp, path.ssrc});
        std::copy(payload.begin(), payload.end(), path.packet.begin() + kFixedHeaderBytes);
        path.timestamp += step;
        path.to.sendRtp(std::span(path.packet).first(kFixedHeaderBytes + payload.size()));
    };
    // A gap in the sequence numbers: conceal what is missing (at most a few packets), so that
    // the far end hears no hole and our timestamps stay in step. A packet from behind is late
    // or a duplicate (RFC 3550 A.1: misordering, not loss): its moment has been concealed or
    // played already, so it is dropped, unless it is so far behind that the sender restarted.
    if (path.lastIn) {
        const auto ahead = static_cast<std::int16_t>(view.sequence - *path.lastIn);
        if (ahead <= 0 && ahead > -kMostMisordered) {
            ++stats_.dropped;
            return;
        }
        for (int i = 1; i < std::min<int>(ahead, kMostConcealed + 1); ++i) {
            path.transcoder->lost(path.inSamplesPerPacket, emit);
            ++stats_.concealed;
        }
    }
    path.lastIn = view.sequence;
    if (path.transcoder->push(view.payload, emit))
        ++stats_.transcoded;
    else
        ++stats_.dropped;
}

bool StreamLink::sendEvent(LinkEnd to, std::uint8_t event, std::chrono::milliseconds duration) {
    Path* path = to == LinkEnd::a ? bToA_.get() : aToB_.get();
    if (!path || !path->outEvents) return false;
    const auto ticks = static_cast<std::uint32_t>(duration.count() * path->outEventClock / 1000);
    path->pending.push_back({event, std::clamp<std::uint32_t>(ticks, 1, 0xffff)});
    if (!path->sendingEvent) startEvent(*path);
    return true;
}

void StreamLink::sendEventPacket(Path& path, bool marker, bool end) {
    const auto& e = path.pending.front();
    const std::uint16_t sequence =
        path.forwarder ? path.forwarder->takeSequence() : path.sequence++;
    writeRtpHeader(path.packet,
                   {marker, *path.outEvents, sequence, path.ownEventTimestamp, path.ssrc});
    writeTelephoneEvent(std::span(path.packet).subspan(kFixedHeaderBytes),
                        {e.event, end, 10, static_cast<std::uint16_t>(path.ownEventDuration)});
    path.to.sendRtp(std::span(path.packet).first(kFixedHeaderBytes + kTelephoneEventBytes));
}

void StreamLink::startEvent(Path& path) {
    if (path.pending.empty()) {
        path.sendingEvent = false;
        return;
    }
    path.sendingEvent = true;
    ++stats_.eventsSent;
    // The event starts where our stream stands now (§2.5.1.2), with the marker bit.
    path.ownEventTimestamp =
        path.forwarder ? path.forwarder->timestampAt(RtpForwarder::Clock::now(), path.outClock)
                       : path.timestamp;
    path.ownEventDuration = 0;
    path.endsSent = 0;
    sendEventPacket(path, true, false);
    continueEvent(path);
}

void StreamLink::continueEvent(Path& path) {
    path.eventTimer.after(std::chrono::milliseconds(path.packetMs), [this, p = &path] {
        const auto total = p->pending.front().ticks;
        // At least a tick a packet: an event clock under 50 Hz would otherwise never end one.
        const auto step = std::max<std::uint32_t>(1, p->outEventClock * p->packetMs / 1000);
        p->ownEventDuration = std::min(total, p->ownEventDuration + step);
        if (p->ownEventDuration < total) {
            sendEventPacket(*p, false, false);
            return continueEvent(*p);
        }
        // §2.5.1.4: the final packet three times, at the update interval (each with its own
        // sequence number, which SRTP's replay check needs).
        sendEventPacket(*p, false, true);
        if (++p->endsSent < 3) return continueEvent(*p);
        p->pending.pop_front();
        startEvent(*p);
    });
}

} // namespace sb::rtp
