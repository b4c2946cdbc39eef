#include "rtp/bridge.hpp"

#include "rtp/rtp_packet.hpp"

namespace sb::rtp {

struct Bridge::Path {
    explicit Path(RtpStream& stream) : to(stream) {}
    RtpStream& to;
    std::optional<RtpForwarder> forwarder; // relayed
    std::unique_ptr<media::Transcoder> transcoder;
    std::uint8_t inPayloadType = 0, outPayloadType = 0;
    // Our numbering of what we encode (RFC 3550 §5.1: random starting points).
    std::uint32_t ssrc = 0, timestamp = 0;
    std::uint16_t sequence = 0;
    std::optional<std::uint16_t> lastIn; // the last incoming sequence number, for gaps
    std::uint32_t inSamplesPerPacket = 0;
    // RFC 4733 events through a transcoded path: re-stamped into our numbering.
    std::optional<std::uint8_t> inEvents, outEvents;
    std::optional<std::uint32_t> eventIn; // the current event's timestamp as it came
    std::uint32_t eventOut = 0;           // and as we send it
    std::vector<std::byte> packet = std::vector<std::byte>(1500);
};

Bridge::Bridge(RtpStream& a, RtpStream& b) : a_(a), b_(b), random_(std::random_device{}()) {}

Bridge::~Bridge() {
    a_.onRtp(nullptr);
    b_.onRtp(nullptr);
}

std::unique_ptr<Bridge::Path> Bridge::makePath(RtpStream& to, const BridgePlan::Side& in,
                                               const BridgePlan::Side& out,
                                               const BridgePlan& plan) {
    auto path = std::make_unique<Path>(to);
    path->ssrc = to.ssrc(); // the leg's own SSRC, which its RTCP reports too
    path->sequence = static_cast<std::uint16_t>(random_());
    path->timestamp = static_cast<std::uint32_t>(random_());
    path->inPayloadType = in.payloadType;
    path->outPayloadType = out.payloadType;
    if (in.telephoneEvent && out.telephoneEvent) {
        path->inEvents = in.telephoneEvent;
        path->outEvents = out.telephoneEvent;
    }
    if (!plan.transcode) {
        RtpForwarder::Options o{path->ssrc, path->sequence, path->timestamp, {}};
        o.payloadTypes[in.payloadType] = {out.payloadType, in.clockRate};
        if (in.telephoneEvent && out.telephoneEvent)
            o.payloadTypes[*in.telephoneEvent] = {*out.telephoneEvent, 8000};
        path->forwarder.emplace(std::move(o));
    }
    return path;
}

Result<void> Bridge::configure(const BridgePlan& plan) {
    auto aToB = makePath(b_, plan.a, plan.b, plan);
    auto bToA = makePath(a_, plan.b, plan.a, plan);
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
    auto handler = [this](Path& path) {
        return [this, &path](std::span<std::byte> packet) {
            if (path.forwarder) {
                if (path.forwarder->rewrite(packet, RtpForwarder::Clock::now())) {
                    path.to.sendRtp(packet);
                    ++stats_.relayed;
                } else {
                    ++stats_.dropped;
                }
                return;
            }
            auto view = parseRtp(packet);
            if (view && path.inEvents && view->payloadType == *path.inEvents) {
                // RFC 4733 §2.5: every packet of an event carries the event's start timestamp;
                // ours is where our stream stands when the event begins.
                if (view->timestamp != path.eventIn) {
                    path.eventIn = view->timestamp;
                    path.eventOut = path.timestamp;
                }
                writeRtpHeader(path.packet, {view->marker, *path.outEvents, path.sequence++,
                                             path.eventOut, path.ssrc});
                std::copy(view->payload.begin(), view->payload.end(),
                          path.packet.begin() + kFixedHeaderBytes);
                path.to.sendRtp(
                    std::span(path.packet).first(kFixedHeaderBytes + view->payload.size()));
                ++stats_.relayed;
                return;
            }
            if (!view || view->payloadType != path.inPayloadType) {
                ++stats_.dropped; // comfort noise and types nobody agreed to
                return;
            }
            auto emit = [&path](std::span<const std::byte> payload, std::uint32_t step) {
                writeRtpHeader(path.packet, {false, path.outPayloadType, path.sequence++,
                                             path.timestamp, path.ssrc});
                std::copy(payload.begin(), payload.end(), path.packet.begin() + kFixedHeaderBytes);
                path.timestamp += step;
                path.to.sendRtp(std::span(path.packet).first(kFixedHeaderBytes + payload.size()));
            };
            // A gap in the sequence numbers: conceal what is missing (at most a few packets),
            // so that the far end hears no hole and our timestamps stay in step.
            if (path.lastIn) {
                const auto missing = static_cast<std::uint16_t>(view->sequence - *path.lastIn - 1);
                for (std::uint16_t i = 0; i < std::min<std::uint16_t>(missing, 5); ++i) {
                    path.transcoder->lost(path.inSamplesPerPacket, emit);
                    ++stats_.concealed;
                }
            }
            path.lastIn = view->sequence;
            if (path.transcoder->push(view->payload, emit))
                ++stats_.transcoded;
            else
                ++stats_.dropped;
        };
    };
    a_.onRtp(handler(*aToB_));
    b_.onRtp(handler(*bToA_));
    return {};
}

} // namespace sb::rtp
