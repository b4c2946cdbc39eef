#include "session/media_anchor.hpp"

#include "core/log.hpp"
#include "media/codec.hpp"
#include "rtp/telephone_event.hpp"
#include "sdp/negotiation.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/parser.hpp"
#include "session/sdes.hpp"
#include "session/sdp_media.hpp"

#include <fmt/format.h>

namespace sb::session {
namespace {

spdlog::logger& logger() {
    return log::get("media");
}

using Party = sip::MediaPolicy::Party;

Party other(Party leg) {
    return leg == Party::caller ? Party::callee : Party::caller;
}

} // namespace

struct MediaAnchor::PartyMedia {
    std::unique_ptr<rtp::RtpStream> stream;
    std::string lastIn, lastOut; // a repeated description gets the same rewrite
    bool lastWasAnswer = false;
    std::uint32_t version = 0; // of our o= towards this side
    bool secured = false;      // its RTP is SRTP: our re-offers to it keep RTP/SAVP
};

struct MediaAnchor::Session {
    PartyMedia caller, callee;
    std::optional<SdesKeys> offererKeys;                // the pending offer's SRTP, as we accept it
    std::vector<sdp::Crypto> offeredKeys;               // ours in the offer we made for it
    sdp::SrtpPolicy offeredSrtp = sdp::SrtpPolicy::off; // and how we offered them
    sdp::SrtpPolicy calleeSrtp = sdp::SrtpPolicy::off;  // the route's, or options.srtp
    std::uint64_t sessionId = 0;
    std::optional<Party> offerFrom;        // an offer crossing, until its answer
    sdp::Session pendingOffer;             // that offer, as the offerer wrote it
    std::unique_ptr<rtp::StreamLink> link; // declared last: it uses the sides' streams
    PartyMedia& of(Party party) { return party == Party::caller ? caller : callee; }
};

MediaAnchor::MediaAnchor(rtp::PortPool& pool, MediaOptions options)
    : options_(std::move(options)), pool_(pool), random_(std::random_device{}()) {
    if (options_.advertise.empty()) options_.advertise = pool.address().to_string();
}

MediaAnchor::~MediaAnchor() = default;

namespace {

void addSession(MediaAnchor::Stats& to, const rtp::StreamLink* link,
                std::initializer_list<const rtp::RtpStream*> streams) {
    for (const auto* stream : streams)
        if (stream) to.streams += stream->stats();
    if (link) to.links += link->stats();
}

} // namespace

bool MediaAnchor::dtmfFromInfo(std::uint64_t call, Party from, char digit,
                               std::chrono::milliseconds duration) {
    auto found = sessions_.find(call);
    const auto event = rtp::eventForDigit(digit);
    if (found == sessions_.end() || !found->second->link || !event) return false;
    // The link's end a is the caller's stream.
    const auto to = from == Party::caller ? rtp::LinkEnd::b : rtp::LinkEnd::a;
    return found->second->link->sendEvent(to, *event, duration);
}

void MediaAnchor::ended(std::uint64_t call) {
    auto found = sessions_.find(call);
    if (found == sessions_.end()) return;
    const Session& s = *found->second;
    addSession(ended_, s.link.get(), {s.caller.stream.get(), s.callee.stream.get()});
    sessions_.erase(found); // link, then streams: the ports go back to the pool
}

MediaAnchor::Stats MediaAnchor::stats() const {
    Stats total = ended_;
    for (const auto& [id, s] : sessions_)
        addSession(total, s->link.get(), {s->caller.stream.get(), s->callee.stream.get()});
    return total;
}

sdp::Origin MediaAnchor::originFor(Session& s, PartyMedia& towards) {
    const bool v6 = options_.advertise.find(':') != std::string::npos;
    return {"switchboard", std::to_string(s.sessionId), std::to_string(++towards.version),
            "IN",          v6 ? "IP6" : "IP4",          options_.advertise};
}

Result<void> MediaAnchor::ensureStreams(Session& s) {
    for (PartyMedia* side : {&s.caller, &s.callee}) {
        if (side->stream) continue;
        auto lease = pool_.lease();
        if (!lease) return fail(lease.error());
        side->stream =
            std::make_unique<rtp::RtpStream>(std::move(lease).value(), options_.latching);
    }
    return {};
}

MediaAnchor::Session& MediaAnchor::session(std::uint64_t call) {
    auto& owned = sessions_[call];
    if (!owned) {
        owned = std::make_unique<Session>();
        owned->sessionId = random_() >> 1;
        owned->calleeSrtp = options_.srtp;
    }
    return *owned;
}

void MediaAnchor::routed(std::uint64_t call, const sip::RouteMatch& route) {
    // The configuration reader let only the three names through.
    if (auto policy = sdp::srtpPolicyByName(route.srtp)) session(call).calleeSrtp = *policy;
}

Result<std::string> MediaAnchor::relay(std::uint64_t call, Party from, std::string_view text) {
    Session& s = session(call);
    PartyMedia& in = s.of(from);
    const bool isAnswer = s.offerFrom == other(from);
    auto parsed = sdp::parse(text);
    if (!parsed) return fail(parsed.error());
    if (!isAnswer && !in.lastOut.empty() && text == in.lastIn) {
        // The same description again: an answer repeated (a 183, then the 200) goes on as
        // before; an offer repeated (a session refresh) goes on as before and awaits its answer,
        // with our description unchanged (RFC 3264 §8: same content, same version).
        if (!in.lastWasAnswer) {
            s.pendingOffer = std::move(parsed).value();
            s.offerFrom = from;
        }
        return in.lastOut;
    }
    auto rewritten = isAnswer ? answer(call, s, from, *parsed) : offer(call, s, from, *parsed);
    if (!rewritten) return rewritten;
    in.lastIn = text;
    in.lastOut = *rewritten;
    in.lastWasAnswer = isAnswer;
    return rewritten;
}

Result<std::string> MediaAnchor::offer(std::uint64_t call, Session& s, Party from,
                                       const sdp::Session& offered) {
    const sdp::Media* audio = firstAudio(offered);
    if (!audio) return fail(Errc::unsupported, "SDP: no audio stream offered");
    auto peer = peerOf(offered, *audio);
    if (!peer) return fail(peer.error());
    if (auto ok = ensureStreams(s); !ok) return fail(ok.error());
    s.of(from).stream->setRemote(*peer, audio->rtcpMux());
    s.offererKeys = acceptOffered(*audio);
    if (!s.offererKeys && audio->proto.find("SAVP") != std::string::npos)
        return fail(Errc::unsupported, "SRTP: no a=crypto line with a suite and key we take");

    // Our offer to the other leg: the offerer's codecs first (so that one may be relayed
    // untouched), then those we can transcode to, then DTMF events.
    std::vector<sdp::Codec> codecs;
    auto add = [&](const sdp::Codec& c) {
        for (const auto& have : codecs)
            if (have.sameAs(c)) return;
        codecs.push_back(c);
    };
    for (const auto& offeredCodec : sdp::voiceCodecs(*audio))
        add(offeredCodec.codec);
    for (const auto& ours : options_.codecs)
        add(ours);
    add({"telephone-event", 8000, 1});
    PartyMedia& to = s.of(other(from));
    sdp::LocalStream local;
    local.address = options_.advertise;
    local.port = to.stream->localPort();
    local.codecs = std::move(codecs);
    local.ptime = options_.packetMs;
    local.direction = offered.direction(*audio); // hold and resume cross as they came
    // SRTP as the route asks towards the callee, and kept wherever a leg already has it.
    local.srtp = to.secured                     ? sdp::SrtpPolicy::required
                 : other(from) == Party::callee ? s.calleeSrtp
                                                : sdp::SrtpPolicy::off;
    if (local.srtp != sdp::SrtpPolicy::off) local.keys = offerKeys();
    s.offeredKeys = local.keys;
    s.offeredSrtp = local.srtp;
    s.pendingOffer = offered;
    s.offerFrom = from;
    logger().debug("call {}: offer from the {} relayed", call,
                   from == Party::caller ? "caller" : "callee");
    return sdp::write(sdp::makeOffer(originFor(s, to), {local}));
}

Result<std::string> MediaAnchor::answer(std::uint64_t call, Session& s, Party from,
                                        const sdp::Session& answered) {
    const Party offerer = other(from);
    s.offerFrom.reset();
    const sdp::Session& offered = s.pendingOffer;
    const sdp::Media* offerAudio = firstAudio(offered);
    const sdp::Media* audio = firstAudio(answered);
    PartyMedia& back = s.of(offerer);
    sdp::LocalStream local;
    local.address = options_.advertise;
    local.port = back.stream->localPort();
    local.ptime = options_.packetMs;
    if (!audio || audio->port == 0) {
        // The answerer refused the audio: so do we (port 0 in our answer).
        local.port = 0;
        s.link.reset();
        auto refused = sdp::makeAnswer(offered, originFor(s, back), {local});
        if (!refused) return fail(refused.error());
        return sdp::write(*refused);
    }
    auto peer = peerOf(answered, *audio);
    if (!peer) return fail(peer.error());
    s.of(from).stream->setRemote(*peer, audio->rtcpMux());
    // SRTP towards the answerer: the line of ours it chose, and its key.
    if (s.offeredSrtp == sdp::SrtpPolicy::required ||
        (s.offeredSrtp == sdp::SrtpPolicy::optional && !audio->cryptos().empty())) {
        auto keys = acceptAnswered(*audio, s.offeredKeys);
        if (!keys) return fail(keys.error());
        if (auto ok = secure(*s.of(from).stream, *keys); !ok) return fail(ok.error());
        s.of(from).secured = true;
        logger().info("call {}: SRTP {} towards the {}", call, rtp::srtpSuiteName(keys->suite),
                      from == Party::caller ? "caller" : "callee");
    }

    std::vector<sdp::Codec> implemented;
    for (const auto& c : options_.codecs)
        implemented.push_back(c);
    auto choice =
        sdp::chooseCodecs(sdp::voiceCodecs(*offerAudio), sdp::voiceCodecs(*audio), implemented);
    if (!choice) return fail(choice.error());
    logger().info("call {}: codec {}: {} ({} ↔ {})", call, sdp::stageName(choice->stage),
                  choice->reason, choice->a.codec.name, choice->b.codec.name);

    // Our answer to the offerer: the codec chosen for its side, and DTMF events if it offered
    // them (when the answerer has none, they cross as SIP INFO).
    const auto offererEvents = telephoneEventOf(*offerAudio);
    const auto answererEvents = telephoneEventOf(*audio);
    local.codecs = {choice->a.codec};
    if (offererEvents)
        local.codecs.push_back(
            {"telephone-event", sdp::codecOf(*offerAudio, *offererEvents)->clockRate, 1});
    local.direction = answered.direction(*audio);
    if (s.offererKeys) {
        // Towards the offerer: its tag and suite, our key (RFC 4568 §7.1.2.2).
        local.srtp = sdp::SrtpPolicy::optional;
        local.keys = {{s.offererKeys->tag,
                       std::string(rtp::srtpSuiteName(s.offererKeys->suite)),
                       s.offererKeys->oursParams,
                       {}}};
        if (auto ok = secure(*back.stream, *s.offererKeys); !ok) return fail(ok.error());
        back.secured = true;
        logger().info("call {}: SRTP {} towards the {}", call,
                      rtp::srtpSuiteName(s.offererKeys->suite),
                      offerer == Party::caller ? "caller" : "callee");
    }
    auto reply = sdp::makeAnswer(offered, originFor(s, back), {local});
    if (!reply) return fail(reply.error());

    // The link: end a is the caller's stream, end b the callee's.
    auto sideOf = [](const sdp::PayloadCodec& p, const sdp::Media& m,
                     std::optional<std::uint8_t> events) {
        rtp::LinkPlan::End side;
        side.payloadType = static_cast<std::uint8_t>(p.payloadType);
        side.clockRate = p.codec.clockRate;
        side.codec = media::codecByName(p.codec.name, p.codec.clockRate, p.codec.channels)
                         .value_or(media::CodecId::pcmu);
        side.telephoneEvent = events;
        if (events) side.telephoneEventClock = sdp::codecOf(m, *events)->clockRate;
        return side;
    };
    auto offererSide = sideOf(choice->a, *offerAudio, offererEvents);
    auto answererSide = sideOf(choice->b, *audio, answererEvents);
    rtp::LinkPlan plan;
    plan.a = offerer == Party::caller ? offererSide : answererSide;
    plan.b = offerer == Party::caller ? answererSide : offererSide;
    plan.transcode = choice->stage != sdp::CodecChoice::Stage::direct;
    plan.packetMs = options_.packetMs;
    if (!s.link) {
        s.link = std::make_unique<rtp::StreamLink>(*s.caller.stream, *s.callee.stream);
        // DTMF from a leg whose other leg has no telephone-event goes on as SIP INFO.
        s.link->onEvent([this, call](rtp::LinkEnd from, std::uint8_t event,
                                     std::chrono::milliseconds duration) {
            const auto digit = rtp::digitForEvent(event);
            if (!digit || !infoSender_) return;
            infoSender_(call, from == rtp::LinkEnd::a ? Party::callee : Party::caller, *digit,
                        duration);
        });
    }
    if (auto ok = s.link->configure(plan); !ok) return fail(Errc::unsupported, ok.error().message);
    // Each leg gets our RTCP reports on what it sends us (RFC 3550 §6).
    const std::string cname = "switchboard@" + options_.advertise;
    s.of(offerer).stream->startReports(cname, choice->a.codec.clockRate);
    s.of(from).stream->startReports(cname, choice->b.codec.clockRate);
    return sdp::write(*reply);
}

} // namespace sb::session
