#include "session/conference_room.hpp"

#include "core/log.hpp"
#include "core/random.hpp"
#include "rtp/rtp_packet.hpp"

namespace sb::session {
namespace {

spdlog::logger& logger() {
    return log::get("media");
}

constexpr auto kTick = std::chrono::milliseconds(20); // the mixer's frame

// `in` at one rate appended to `out` at another (or copied, when the rates match).
void convert(media::Resampler* resampler, std::span<const std::int16_t> in,
             std::vector<std::int16_t>& out) {
    if (resampler)
        resampler->process(in, out);
    else
        out.insert(out.end(), in.begin(), in.end());
}

Result<std::unique_ptr<media::Resampler>> resamplerFor(std::uint32_t from, std::uint32_t to) {
    if (from == to) return std::unique_ptr<media::Resampler>();
    return media::Resampler::make(from, to);
}

} // namespace

struct ConferenceRoom::Member {
    media::Mixer::Participant id = 0;
    std::string tag; // the call, as log lines name it
    std::unique_ptr<rtp::RtpStream> stream;
    ParticipantCodec codec;
    std::unique_ptr<media::Decoder> decoder;
    std::unique_ptr<media::Encoder> encoder;
    std::unique_ptr<media::Resampler> toRoom, fromRoom; // null where the rates match
    std::unique_ptr<rtp::JitterBuffer> jitter;
    std::uint32_t rtpTicksPerSample = 1; // G.722: 8000 Hz clock for 16000 Hz audio → 1/2
    std::uint32_t samplesPerRtpTick = 1;
    std::size_t lastPacketSamples = 0; // decoded, at the codec's rate: what a loss conceals
    std::vector<std::int16_t> decoded, heard, toSend; // heard: at the room's rate
    std::vector<std::byte> packet = std::vector<std::byte>(1500);
    std::uint16_t sequence = 0;
    std::uint32_t timestamp = 0;
    rtp::JitterBuffer::Stats jitterBefore; // of the buffers a codec change replaced
};

ConferenceRoom::ConferenceRoom(asio::io_context& context, std::string name, std::uint32_t rate,
                               std::uint32_t packetMs, media::Mixer::Mode mode)
    : name_(std::move(name)), packetMs_(packetMs), mixer_(rate, kTick.count(), mode),
      timer_(context) {
    mixer_.onTalkerChanged([this](std::optional<media::Mixer::Participant> who) {
        for (const auto& [call, m] : members_) {
            if (who && m->id == *who) {
                logger().info("room {}: call {} is the active talker", name_, m->tag);
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
    auto toRoom = resamplerFor(codecRate, mixer_.sampleRate());
    if (!toRoom) return fail(toRoom.error());
    auto fromRoom = resamplerFor(mixer_.sampleRate(), codecRate);
    if (!fromRoom) return fail(fromRoom.error());
    const auto& traits = media::traitsOf(codec.codec);
    if (m.jitter) m.jitterBefore += m.jitter->stats();
    m.jitter = std::make_unique<rtp::JitterBuffer>(rtp::JitterBuffer::Options{traits.rtpClock});
    m.codec = codec;
    m.decoder = std::move(decoder).value();
    m.encoder = std::move(encoder).value();
    m.toRoom = std::move(toRoom).value();
    m.fromRoom = std::move(fromRoom).value();
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
    m->stream->onRtp([member = m.get()](std::span<std::byte>, const rtp::RtpView& view) {
        // DTMF events and comfort noise do not go into the mix.
        if (view.payloadType != member->codec.payloadType) return;
        member->jitter->push(view, rtp::JitterBuffer::Clock::now());
    });
    m->stream->startReports("switchboard-" + name_, media::traitsOf(codec.codec).rtpClock);
    m->id = mixer_.join();
    if (members_.empty()) {
        nextTick_ = std::chrono::steady_clock::now() + kTick;
        schedule();
    }
    members_.emplace(call, std::move(m));
    logger().info("room {}: call {} joined ({}), {} in the room", name_, members_.at(call)->tag,
                  media::traitsOf(codec.codec).sdpName, members_.size());
    return {};
}

Result<void> ConferenceRoom::update(room::LegId call, const ParticipantCodec& codec) {
    auto found = members_.find(call);
    if (found == members_.end()) return fail(Errc::invalid_input, "not in the room");
    Member& m = *found->second;
    if (codec.codec == m.codec.codec && codec.payloadType == m.codec.payloadType) {
        m.codec.send = codec.send;
        return {};
    }
    return recode(m, codec);
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
    members_.erase(found);
    if (members_.empty()) timer_.cancel();
}

ConferenceRoom::Stats& ConferenceRoom::Stats::operator+=(const Stats& s) noexcept {
    ticks += s.ticks;
    framesIn += s.framesIn;
    framesConcealed += s.framesConcealed;
    packetsOut += s.packetsOut;
    jitter += s.jitter;
    streams += s.streams;
    return *this;
}

ConferenceRoom::Stats ConferenceRoom::stats() const {
    Stats total = stats_;
    for (const auto& [call, m] : members_) {
        total.jitter += m->jitterBefore;
        total.jitter += m->jitter->stats();
        total.streams += m->stream->stats();
    }
    return total;
}

void ConferenceRoom::schedule() {
    timer_.expires_at(nextTick_);
    // A completion already queued when the room is destroyed still runs, with success: Asio
    // cancels only waits that have not completed. The token tells the handler the room is gone.
    timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const std::error_code& ec) {
        if (ec || alive.expired()) return; // cancelled: the room emptied or is going
        tick();
    });
}

// One frame of what `m` said into the mixer: from its jitter buffer, decoded (or concealed
// where a packet is lost) and resampled to the room's rate.
void ConferenceRoom::fill(Member& m) {
    const std::size_t frame = mixer_.frameSamples();
    while (m.heard.size() < frame) {
        const auto playout = m.jitter->next();
        if (playout.kind == rtp::JitterBuffer::Playout::Kind::waiting) break;
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
        convert(m.toRoom.get(), std::span(m.decoded).first(samples), m.heard);
    }
    const std::size_t take = std::min(frame, m.heard.size());
    mixer_.push(m.id, std::span(m.heard).first(take));
    m.heard.erase(m.heard.begin(), m.heard.begin() + static_cast<std::ptrdiff_t>(take));
    if (take > 0) ++stats_.framesIn;
}

// What `m` hears, in its codec, as whole packets under its leg's SSRC.
void ConferenceRoom::send(Member& m, std::span<const std::int16_t> mixed) {
    convert(m.fromRoom.get(), mixed, m.toSend);
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
        if (m.codec.send) {
            m.stream->sendRtp(std::span(m.packet).first(rtp::kFixedHeaderBytes + *n));
            ++stats_.packetsOut;
        }
    }
}

void ConferenceRoom::tick() {
    ++stats_.ticks;
    for (auto& [call, m] : members_)
        fill(*m);
    mixer_.mix();
    for (auto& [call, m] : members_)
        send(*m, mixer_.output(m->id));
    // The next tick on the room's own clock; after a stall (a busy machine) it starts again
    // from now rather than rushing to catch up.
    nextTick_ += kTick;
    const auto now = std::chrono::steady_clock::now();
    if (nextTick_ + 5 * kTick < now) nextTick_ = now + kTick;
    schedule();
}

} // namespace sb::session
