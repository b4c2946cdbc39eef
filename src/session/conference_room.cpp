#include "session/conference_room.hpp"

#include "core/log.hpp"
#include "core/random.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/telephone_event.hpp"

namespace sb::session {
namespace {

spdlog::logger& logger() {
    return log::get("media");
}

constexpr auto kTick = std::chrono::milliseconds(20); // the mixer's frame

// Audio from one rate to another, its resampler made when first used: a room whose two
// parties are linked never mixes, and a member's first frame comes 20 ms after it joins, so
// the filter tables (the costly part of a resampler) are made only for rooms that mix.
class RateConverter {
public:
    RateConverter() = default;
    RateConverter(std::uint32_t from, std::uint32_t to) : from_(from), to_(to) {}

    // `in` appended to `out` at the other rate (copied, when the rates match).
    void convert(std::span<const std::int16_t> in, std::vector<std::int16_t>& out) {
        if (from_ == to_) {
            out.insert(out.end(), in.begin(), in.end());
            return;
        }
        if (!resampler_) {
            if (failed_) return;
            auto made = media::Resampler::make(from_, to_);
            if (!made) {
                failed_ = true; // said once; the member's audio is not heard
                logger().error("resampling {} to {} Hz: {}", from_, to_, made.error().message);
                return;
            }
            resampler_ = std::move(made).value();
        }
        resampler_->process(in, out);
    }

private:
    std::uint32_t from_ = 0, to_ = 0;
    std::unique_ptr<media::Resampler> resampler_;
    bool failed_ = false;
};

} // namespace

struct ConferenceRoom::Member {
    media::Mixer::Participant id = 0;
    std::string tag; // the call, as log lines name it
    std::unique_ptr<rtp::RtpStream> stream;
    ParticipantCodec codec;
    std::unique_ptr<media::Decoder> decoder;
    std::unique_ptr<media::Encoder> encoder;
    RateConverter toRoom, fromRoom;
    std::unique_ptr<rtp::JitterBuffer> jitter;
    std::uint32_t rtpTicksPerSample = 1; // G.722: 8000 Hz clock for 16000 Hz audio → 1/2
    std::uint32_t samplesPerRtpTick = 1;
    std::size_t lastPacketSamples = 0; // decoded, at the codec's rate: what a loss conceals
    std::vector<std::int16_t> decoded, heard, toSend; // heard: at the room's rate
    std::uint32_t heardTimestamp = 0;                 // the RTP time of heard's first sample
    std::optional<std::uint32_t> frameTimestamp;      // of this tick's frame, if it had sound
    std::vector<std::byte> packet = std::vector<std::byte>(1500);
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    rtp::JitterBuffer::Stats jitterBefore; // of the buffers a codec change replaced
};

ConferenceRoom::ConferenceRoom(asio::io_context& context, std::string name, std::uint32_t rate,
                               std::uint32_t packetMs, media::Mixer::Mode mode, bool linkTwo)
    : name_(std::move(name)), packetMs_(packetMs), mode_(mode), linkTwo_(linkTwo),
      mixer_(rate, kTick.count(), mode), timer_(context) {
    mixer_.onTalkerChanged([this](std::optional<media::Mixer::Participant> who) {
        for (const auto& [call, m] : members_) {
            if (who && m->id == *who) {
                logger().info("room {}: call {} is the active talker", name_, m->tag);
                if (talker_) talker_(call);
                return;
            }
        }
        logger().info("room {}: nobody is talking", name_);
    });
}

ConferenceRoom::~ConferenceRoom() = default;

Result<void> ConferenceRoom::recode(Member& m, const ParticipantCodec& codec) {
    media::OpusOptions opus;
    opus.sampleRate = mixer_.sampleRate() == 16000 ? 16000 : 48000;
    auto decoder = media::makeDecoder(codec.codec, opus);
    if (!decoder) return fail(decoder.error());
    auto encoder = media::makeEncoder(codec.codec, opus);
    if (!encoder) return fail(encoder.error());
    const std::uint32_t codecRate = (*decoder)->sampleRate();
    const auto& traits = media::traitsOf(codec.codec);
    if (m.jitter) m.jitterBefore += m.jitter->stats();
    m.jitter = std::make_unique<rtp::JitterBuffer>(rtp::JitterBuffer::Options{traits.rtpClock});
    m.codec = codec;
    m.decoder = std::move(decoder).value();
    m.encoder = std::move(encoder).value();
    m.toRoom = RateConverter(codecRate, mixer_.sampleRate());
    m.fromRoom = RateConverter(mixer_.sampleRate(), codecRate);
    // The RTP clock against the PCM rate (RFC 3551 §4.5.2: G.722's clock runs at half its rate).
    m.rtpTicksPerSample = std::max<std::uint32_t>(traits.rtpClock / codecRate, 1);
    m.samplesPerRtpTick = std::max<std::uint32_t>(codecRate / traits.rtpClock, 1);
    m.lastPacketSamples = codecRate * packetMs_ / 1000;
    m.heard.clear();
    m.toSend.clear();
    return {};
}

Result<void> ConferenceRoom::join(room::LegId call, std::unique_ptr<rtp::RtpStream> stream,
                                  const ParticipantCodec& codec, std::string tag) {
    auto m = std::make_unique<Member>();
    m->tag = std::move(tag);
    if (auto ok = recode(*m, codec); !ok) return ok;
    auto& random = threadRandom();
    m->sequence = static_cast<std::uint16_t>(random()); // RFC 3550 §5.1: random starting points
    m->timestamp = static_cast<std::uint32_t>(random());
    m->stream = std::move(stream);
    m->stream->startReports("switchboard-" + name_, media::traitsOf(codec.codec).rtpClock);
    m->id = mixer_.join();
    listen(*m);
    members_.emplace(call, std::move(m));
    logger().info("room {}: call {} joined ({}), {} in the room", name_, members_.at(call)->tag,
                  media::traitsOf(codec.codec).sdpName, members_.size());
    rewire();
    return {};
}

void ConferenceRoom::listen(Member& m) {
    m.stream->onRtp([this, member = &m](std::span<std::byte>, const rtp::RtpView& view) {
        // DTMF events and comfort noise do not go into the mix, nor what no one hears.
        if (view.payloadType != member->codec.payloadType || !heard()) return;
        member->jitter->push(view, rtp::JitterBuffer::Clock::now());
    });
}

void ConferenceRoom::rewire() {
    Member* a = nullptr;
    Member* b = nullptr;
    room::LegId idA, idB;
    if (linkTwo_ && mode_ == media::Mixer::Mode::othersOnly && members_.size() == 2) {
        auto it = members_.begin();
        idA = it->first;
        a = it->second.get();
        idB = (++it)->first;
        b = it->second.get();
        if (!a->codec.send || !b->codec.send) a = b = nullptr; // one holds: the mixer minds it
    }
    const bool linkedNow = link_ && a && idA == linkedA_ && idB == linkedB_;
    if (linkedNow) return;
    if (link_) unlink();
    if (a && b) {
        linkedA_ = idA;
        linkedB_ = idB;
        link(*a, *b);
    }
    if (link_ || members_.empty()) {
        ticking_ = false;
        timer_.cancel();
    } else if (!ticking_) {
        ticking_ = true;
        nextTick_ = std::chrono::steady_clock::now() + kTick;
        schedule();
    }
}

// The two parties' streams, joined by a link that takes over each stream's numbering.
void ConferenceRoom::link(Member& a, Member& b) {
    auto end = [](const Member& m) {
        const auto& traits = media::traitsOf(m.codec.codec);
        rtp::LinkPlan::End e;
        e.payloadType = m.codec.payloadType;
        e.clockRate = traits.rtpClock;
        e.codec = m.codec.codec;
        e.telephoneEvent = m.codec.telephoneEvent;
        e.numbering = rtp::Numbering{m.sequence, m.timestamp};
        return e;
    };
    rtp::LinkPlan plan{end(a), end(b), a.codec.codec != b.codec.codec, packetMs_};
    auto linked = std::make_unique<rtp::StreamLink>(*a.stream, *b.stream);
    linked->onEvent([this](rtp::LinkEnd from, std::uint8_t event, std::chrono::milliseconds held) {
        const auto digit = rtp::digitForEvent(event);
        if (digit && digit_) digit_(from == rtp::LinkEnd::a ? linkedA_ : linkedB_, *digit, held);
    });
    if (auto ok = linked->configure(plan); !ok) {
        logger().warn("room {}: cannot link {} and {} ({}); mixing", name_, a.tag, b.tag,
                      ok.error().message);
        listen(a);
        listen(b);
        return;
    }
    link_ = std::move(linked);
    ++stats_.moves;
    logger().info("room {}: {} and {} linked ({}), no mixer", name_, a.tag, b.tag,
                  plan.transcode ? "transcoded" : "relayed as they are");
}

bool ConferenceRoom::sendDigit(room::LegId leg, char digit, std::chrono::milliseconds duration) {
    const auto event = rtp::eventForDigit(digit);
    if (!link_ || !event || (leg != linkedA_ && leg != linkedB_)) return false;
    return link_->sendEvent(leg == linkedA_ ? rtp::LinkEnd::a : rtp::LinkEnd::b, *event, duration);
}

// Back to mixing: the members take up their streams' numbering where the link left it.
void ConferenceRoom::unlink() {
    const auto now = std::chrono::steady_clock::now();
    for (auto [id, end] : {std::pair{linkedA_, rtp::LinkEnd::a}, {linkedB_, rtp::LinkEnd::b}}) {
        auto found = members_.find(id);
        if (found == members_.end()) continue;
        Member& m = *found->second;
        const auto next = link_->numbering(end, now);
        m.sequence = next.sequence;
        m.timestamp = next.timestamp;
    }
    stats_.links += link_->stats();
    link_.reset(); // lets go of both streams' packets
    ++stats_.moves;
    for (auto& [id, m] : members_) {
        // What the jitter buffers held from before the link is stale now.
        m->jitterBefore += m->jitter->stats();
        m->jitter = std::make_unique<rtp::JitterBuffer>(
            rtp::JitterBuffer::Options{media::traitsOf(m->codec.codec).rtpClock});
        m->heard.clear();
        listen(*m);
    }
    logger().info("room {}: mixing, {} in the room", name_, members_.size());
}

Result<void> ConferenceRoom::update(room::LegId call, const ParticipantCodec& codec) {
    auto found = members_.find(call);
    if (found == members_.end()) return fail(Errc::invalid_input, "not in the room");
    Member& m = *found->second;
    if (codec.codec == m.codec.codec && codec.payloadType == m.codec.payloadType) {
        m.codec.send = codec.send;
    } else if (auto ok = recode(m, codec); !ok) {
        return ok;
    }
    // A codec or a hold changes what a link would do: take it down and make it anew.
    if (link_) unlink();
    rewire();
    return {};
}

rtp::RtpStream* ConferenceRoom::stream(room::LegId call) {
    auto found = members_.find(call);
    return found == members_.end() ? nullptr : found->second->stream.get();
}

void ConferenceRoom::leave(room::LegId call) {
    auto found = members_.find(call);
    if (found == members_.end()) return;
    Member& m = *found->second;
    mixer_.leave(m.id);
    stats_.jitter += m.jitterBefore;
    stats_.jitter += m.jitter->stats();
    stats_.streams += m.stream->stats();
    logger().info("room {}: call {} left, {} in the room", name_, m.tag, members_.size() - 1);
    if (link_ && (call == linkedA_ || call == linkedB_)) unlink(); // before its stream goes
    if (clockLeg_ == call) clockLeg_.reset();
    members_.erase(found);
    rewire();
}

ConferenceRoom::Stats& ConferenceRoom::Stats::operator+=(const Stats& s) noexcept {
    ticks += s.ticks;
    framesIn += s.framesIn;
    framesConcealed += s.framesConcealed;
    packetsOut += s.packetsOut;
    jitter += s.jitter;
    streams += s.streams;
    links += s.links;
    moves += s.moves;
    return *this;
}

ConferenceRoom::Stats ConferenceRoom::stats() const {
    Stats total = stats_;
    for (const auto& [call, m] : members_) {
        total.jitter += m->jitterBefore;
        total.jitter += m->jitter->stats();
        total.streams += m->stream->stats();
    }
    if (link_) total.links += link_->stats();
    return total;
}

void ConferenceRoom::schedule() {
    // net::Timer: a tick already queued never runs after cancel() or the room's end.
    const auto now = std::chrono::steady_clock::now();
    timer_.after(nextTick_ > now ? nextTick_ - now : std::chrono::steady_clock::duration::zero(),
                 [this] { tick(); });
}

// One frame of what `m` said into the mixer: from its jitter buffer, decoded (or concealed
// where a packet is lost) and resampled to the room's rate.
void ConferenceRoom::fill(Member& m) {
    const std::size_t frame = mixer_.frameSamples();
    while (m.heard.size() < frame) {
        const auto playout = m.jitter->next();
        if (playout.kind == rtp::JitterBuffer::Playout::Kind::waiting) break;
        if (m.heard.empty()) m.heardTimestamp = playout.timestamp;
        m.decoded.resize(std::max<std::size_t>(m.lastPacketSamples, 5760)); // 120 ms at 48 kHz
        std::size_t samples = 0;
        if (playout.kind == rtp::JitterBuffer::Playout::Kind::packet) {
            auto n = m.decoder->decode(playout.payload, m.decoded);
            if (!n) continue; // a payload the codec rejects: the next one
            samples = *n;
            m.lastPacketSamples = samples;
        } else {
            samples = m.decoder->conceal(std::span(m.decoded).first(m.lastPacketSamples));
            ++stats_.framesConcealed;
        }
        m.toRoom.convert(std::span(m.decoded).first(samples), m.heard);
    }
    const std::size_t take = std::min(frame, m.heard.size());
    mixer_.push(m.id, std::span(m.heard).first(take));
    m.heard.erase(m.heard.begin(), m.heard.begin() + static_cast<std::ptrdiff_t>(take));
    m.frameTimestamp.reset();
    if (take == 0) return;
    ++stats_.framesIn;
    m.frameTimestamp = m.heardTimestamp;
    m.heardTimestamp += static_cast<std::uint32_t>(take * media::traitsOf(m.codec.codec).rtpClock /
                                                   mixer_.sampleRate());
}

// What `m` hears, in its codec, as whole packets under its leg's SSRC.
void ConferenceRoom::send(Member& m, std::span<const std::int16_t> mixed) {
    if (!m.codec.send) { // it hears nothing now (it holds, or is a source): its clock runs on
        m.toSend.clear();
        m.timestamp += media::traitsOf(m.codec.codec).rtpClock *
                       static_cast<std::uint32_t>(kTick.count()) / 1000;
        return;
    }
    m.fromRoom.convert(mixed, m.toSend);
    const std::size_t packetSamples = m.encoder->sampleRate() * packetMs_ / 1000;
    while (m.toSend.size() >= packetSamples) {
        auto payload = std::span(m.packet).subspan(rtp::kFixedHeaderBytes);
        auto n = m.encoder->encode(std::span(m.toSend).first(packetSamples), payload);
        m.toSend.erase(m.toSend.begin(),
                       m.toSend.begin() + static_cast<std::ptrdiff_t>(packetSamples));
        if (!n) continue;
        rtp::writeRtpHeader(
            m.packet, {false, m.codec.payloadType, m.sequence++, m.timestamp, m.stream->ssrc()});
        m.timestamp +=
            static_cast<std::uint32_t>(packetSamples * m.rtpTicksPerSample / m.samplesPerRtpTick);
        m.stream->sendRtp(std::span(m.packet).first(rtp::kFixedHeaderBytes + *n));
        ++stats_.packetsOut;
    }
}

std::optional<std::uint64_t> ConferenceRoom::frameCaptured() const {
    const auto found = clockLeg_ ? members_.find(*clockLeg_) : members_.end();
    if (found == members_.end()) return std::nullopt;
    const Member& m = *found->second;
    const auto& clock = m.stream->peerClock();
    if (!clock || !m.frameTimestamp) return std::nullopt;
    return rtp::ntpTimeAt(*clock, *m.frameTimestamp, media::traitsOf(m.codec.codec).rtpClock);
}

void ConferenceRoom::tick() {
    ++stats_.ticks;
    if (heard())
        for (auto& [call, m] : members_)
            fill(*m);
    mixer_.mix();
    const auto captured = frameCaptured();
    for (auto& [call, m] : members_) {
        if (captured) { // the RTP time of this frame's first sample, in what m gets
            const auto pending = m->toSend.size() * m->rtpTicksPerSample / m->samplesPerRtpTick;
            m->stream->setMediaClock(
                {m->timestamp + static_cast<std::uint32_t>(pending), *captured});
        }
        send(*m, mixer_.output(m->id));
    }
    // The next tick on the room's own clock; after a stall (a busy machine) it starts again
    // from now rather than rushing to catch up.
    nextTick_ += kTick;
    const auto now = std::chrono::steady_clock::now();
    if (nextTick_ + 5 * kTick < now) nextTick_ = now + kTick;
    schedule();
}

} // namespace sb::session
