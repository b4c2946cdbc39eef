#include "session/media_anchor.hpp"

#include "core/log.hpp"
#include "media/codec.hpp"
#include "rtp/telephone_event.hpp"
#include "sdp/negotiation.hpp"
#include "sdp/offer_answer.hpp"
#include "sdp/parser.hpp"
#include "session/sdes.hpp"
#include "session/sdp_media.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <fmt/format.h>

namespace sb::session {
namespace {

spdlog::logger& logger() {
    return log::get("media");
}

} // namespace

// On the call's lane: its streams and the link between them.
struct MediaAnchor::Carried {
    std::unique_ptr<rtp::RtpStream> caller, callee;
    std::unique_ptr<rtp::StreamLink> link; // declared last: it uses the streams
    rtp::RtpStream& of(Party party) { return party == Party::arrived ? *caller : *callee; }
    Stats stats() const {
        Stats s;
        s.streams += caller->stats();
        s.streams += callee->stats();
        if (link) s.links += link->stats();
        return s;
    }
};

// One lane's calls, touched on that lane's thread only.
struct MediaAnchor::LaneCalls {
    std::unordered_map<std::uint64_t, std::unique_ptr<Carried>> calls;
    Stats ended; // what its ended calls counted
    Stats stats() const {
        Stats total = ended;
        for (const auto& [id, c] : calls)
            total += c->stats();
        return total;
    }
};

// On the control loop: what the negotiation needs to know of a call.
struct MediaAnchor::PartyMedia {
    std::uint16_t port = 0;      // ours towards this party, once its stream is made
    std::string lastIn, lastOut; // a repeated description gets the same rewrite
    bool lastWasAnswer = false;
    std::uint32_t version = 0; // of our o= towards this side
    // Its stream's SDES keys over the call's offers and answers: a re-INVITE that keeps them
    // keeps the stream's SRTP contexts, and with them their rollover counters (RFC 3711
    // §3.3.1; new contexts would start at 0 and refuse every packet after a wrap).
    StreamKeys keys;
};

struct MediaAnchor::Session {
    std::size_t lane = 0;
    PartyMedia caller, callee;
    std::optional<SdesKeys> offererKeys;               // the pending offer's SRTP, as we accept it
    sdp::SrtpPolicy calleeSrtp = sdp::SrtpPolicy::off; // the route's, or options.srtp
    std::uint64_t sessionId = 0;
    std::optional<Party> offerFrom;      // an offer crossing, until its answer
    sdp::Session pendingOffer;           // that offer, as the offerer wrote it
    std::optional<rtp::LinkPlan> linked; // the link's plan, once it is configured
    PartyMedia& of(Party party) { return party == Party::arrived ? caller : callee; }
};

MediaAnchor::Stats& MediaAnchor::Stats::operator+=(const Stats& s) noexcept {
    streams += s.streams;
    links += s.links;
    return *this;
}

MediaAnchor::MediaAnchor(MediaLanes& lanes, MediaOptions options)
    : options_(std::move(options)), lanes_(lanes), reported_(lanes.size()),
      callsOnLane_(lanes.size(), 0), random_(std::random_device{}()) {
    if (options_.advertise.empty())
        options_.advertise = lanes.lane(0).callPorts.address().to_string();
    for (std::size_t i = 0; i < lanes.size(); ++i)
        laneCalls_.push_back(std::make_unique<LaneCalls>());
}

MediaAnchor::~MediaAnchor() {
    lanes_.stop(); // no lane thread may be inside a call whose streams go now
}

// What one relay() asks of the call's lane, posted as one message when it returns: a
// description costs the worker one wake-up, not one per step.
struct MediaAnchor::Batch {
    std::uint64_t call = 0;
    std::size_t lane = 0;
    std::unique_ptr<rtp::PortLease> caller, callee; // the ports of the call's new streams
    std::vector<std::function<void(Carried&)>> steps;
};

void MediaAnchor::flush() {
    Batch batch = std::move(*batch_);
    batch_.reset();
    if (!batch.caller && batch.steps.empty()) return;
    const std::size_t lane = batch.lane;
    asio::post(lanes_.lane(lane).context, [&calls = *laneCalls_[lane], latching = options_.latching,
                                           batch = std::move(batch)]() mutable {
        if (batch.caller) {
            auto carried = std::make_unique<Carried>();
            carried->caller = std::make_unique<rtp::RtpStream>(std::move(batch.caller), latching);
            carried->callee = std::make_unique<rtp::RtpStream>(std::move(batch.callee), latching);
            calls.calls[batch.call] = std::move(carried);
        }
        auto found = calls.calls.find(batch.call);
        if (found == calls.calls.end()) return;
        for (auto& step : batch.steps)
            step(*found->second);
    });
}

template <class Work>
void MediaAnchor::onLane(std::uint64_t call, const Session& s, Work work) {
    if (batch_ && batch_->call == call) {
        batch_->steps.emplace_back(std::move(work));
        return;
    }
    asio::post(lanes_.lane(s.lane).context,
               [&calls = *laneCalls_[s.lane], call, work = std::move(work)]() mutable {
                   if (auto found = calls.calls.find(call); found != calls.calls.end())
                       work(*found->second);
               });
}

bool MediaAnchor::dtmfFromInfo(room::RoomId pair, Party from, char digit,
                               std::chrono::milliseconds duration) {
    const std::uint64_t call = pair.value();
    auto found = sessions_.find(call);
    const auto event = rtp::eventForDigit(digit);
    if (found == sessions_.end() || !found->second->linked || !event) return false;
    // The link's end a is the caller's stream; the other leg must take DTMF events.
    const auto to = from == Party::arrived ? rtp::LinkEnd::b : rtp::LinkEnd::a;
    const auto& plan = *found->second->linked;
    if (!(to == rtp::LinkEnd::a ? plan.a : plan.b).telephoneEvent) return false;
    onLane(call, *found->second, [to, event = *event, duration](Carried& c) {
        if (c.link) c.link->sendEvent(to, event, duration);
    });
    return true;
}

void MediaAnchor::left(room::RoomId pair) {
    const std::uint64_t call = pair.value();
    auto found = sessions_.find(call);
    if (found == sessions_.end()) return;
    const std::size_t lane = found->second->lane;
    --callsOnLane_[lane];
    sessions_.erase(found);
    LaneCalls& calls = *laneCalls_[lane];
    asio::post(lanes_.lane(lane).context, [&calls, call] {
        if (auto c = calls.calls.find(call); c != calls.calls.end()) {
            calls.ended += c->second->stats();
            calls.calls.erase(c); // link, then streams: the ports go back to the pool
        }
    });
}

MediaAnchor::Stats MediaAnchor::stats() const {
    Stats total;
    for (std::size_t i = 0; i < laneCalls_.size(); ++i)
        total += lanes_.stopped() ? laneCalls_[i]->stats() : reported_[i];
    return total;
}

void MediaAnchor::refresh(const std::function<void()>& done) {
    if (lanes_.stopped()) return done();
    auto waiting = std::make_shared<std::size_t>(laneCalls_.size());
    for (std::size_t i = 0; i < laneCalls_.size(); ++i) {
        asio::post(lanes_.lane(i).context, [this, &calls = *laneCalls_[i], i, waiting, done] {
            asio::post(lanes_.control(), [this, i, stats = calls.stats(), waiting, done] {
                reported_[i] = stats;
                if (--*waiting == 0) done();
            });
        });
    }
}

sdp::Origin MediaAnchor::originFor(Session& s, PartyMedia& towards) {
    const bool v6 = options_.advertise.find(':') != std::string::npos;
    return {"switchboard", std::to_string(s.sessionId), std::to_string(++towards.version),
            "IN",          v6 ? "IP6" : "IP4",          options_.advertise};
}

Result<void> MediaAnchor::ensureStreams(Session& s) {
    if (s.caller.port != 0) return {};
    // Leased here, so that our description can name the ports; the streams are made on the
    // lane, whose thread runs their sockets.
    auto& pool = lanes_.lane(s.lane).callPorts;
    auto caller = pool.lease();
    if (!caller) return fail(caller.error());
    auto callee = pool.lease();
    if (!callee) return fail(callee.error());
    s.caller.port = (*caller)->port();
    s.callee.port = (*callee)->port();
    batch_->caller = std::move(caller).value(); // the streams are made first on the lane
    batch_->callee = std::move(callee).value();
    return {};
}

MediaAnchor::Session& MediaAnchor::session(std::uint64_t call) {
    auto& owned = sessions_[call];
    if (!owned) {
        owned = std::make_unique<Session>();
        owned->sessionId = random_() >> 1;
        owned->calleeSrtp = options_.srtp;
        // The lane with the fewest calls.
        owned->lane = static_cast<std::size_t>(
            std::min_element(callsOnLane_.begin(), callsOnLane_.end()) - callsOnLane_.begin());
        ++callsOnLane_[owned->lane];
    }
    return *owned;
}

void MediaAnchor::routed(room::RoomId pair, const sip::RouteMatch& route) {
    const std::uint64_t call = pair.value();
    // The configuration reader let only the three names through.
    if (auto policy = sdp::srtpPolicyByName(route.srtp)) session(call).calleeSrtp = *policy;
}

void MediaAnchor::keyOnLane(std::uint64_t call, Session& s, Party party,
                            const std::optional<SdesKeys>& keys) {
    const auto before = s.of(party).keys.settled();
    if (!s.of(party).keys.settle(keys)) return; // the same keys: the contexts go on
    const char* name = party == Party::arrived ? "caller" : "callee";
    logger().info("call {}: {} towards the {}", call,
                  keys ? fmt::format("SRTP {}", rtp::srtpSuiteName(keys->suite)) : "plain RTP",
                  name);
    onLane(call, s, [call, party, keys, before, name](Carried& c) {
        if (!keys) return c.of(party).setSrtp(nullptr, nullptr);
        if (auto ok = secure(c.of(party), *keys, before); !ok)
            logger().warn("call {}: SRTP towards the {} cannot be keyed: {}", call, name,
                          ok.error().message);
    });
}

Result<std::string> MediaAnchor::relay(room::RoomId pair, Party from, std::string_view text) {
    const std::uint64_t call = pair.value();
    Session& s = session(call);
    PartyMedia& in = s.of(from);
    const bool isAnswer = s.offerFrom == room::other(from);
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
    batch_ = std::make_unique<Batch>(Batch{call, s.lane, {}, {}, {}});
    auto rewritten = isAnswer ? answer(call, s, from, *parsed) : offer(call, s, from, *parsed);
    flush(); // what the lane is to do, even when a later step failed (as it would be at once)
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
    onLane(call, s, [from, peer = *peer, mux = audio->rtcpMux()](Carried& c) {
        c.of(from).setRemote(peer, mux);
    });
    s.offererKeys = s.of(from).keys.offered(*audio);
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
    // DTMF events at each clock the offerer has them (48000 beside Opus: RFC 4733 §2.1 wants
    // the audio's clock), and at 8000, which every phone takes.
    for (const auto& events : telephoneEvents(*audio))
        add({"telephone-event", events.codec.clockRate, 1});
    add({"telephone-event", 8000, 1});
    PartyMedia& to = s.of(room::other(from));
    sdp::LocalStream local;
    local.address = options_.advertise;
    local.port = to.port;
    local.codecs = std::move(codecs);
    local.ptime = options_.packetMs;
    local.direction = offered.direction(*audio); // hold and resume cross as they came
    // SRTP as the route asks towards the callee, and the keys again wherever a leg has them.
    if (room::other(from) == Party::dialled) to.keys.unkeyedPolicy(s.calleeSrtp);
    to.keys.offerOn(local);
    s.pendingOffer = offered;
    s.offerFrom = from;
    logger().debug("call {}: offer from the {} relayed", call,
                   from == Party::arrived ? "caller" : "callee");
    return sdp::write(sdp::makeOffer(originFor(s, to), {local}));
}

Result<std::string> MediaAnchor::answer(std::uint64_t call, Session& s, Party from,
                                        const sdp::Session& answered) {
    const Party offerer = room::other(from);
    s.offerFrom.reset();
    const sdp::Session& offered = s.pendingOffer;
    const sdp::Media* offerAudio = firstAudio(offered);
    const sdp::Media* audio = firstAudio(answered);
    PartyMedia& back = s.of(offerer);
    sdp::LocalStream local;
    local.address = options_.advertise;
    local.port = back.port;
    local.ptime = options_.packetMs;
    if (!audio || audio->port == 0) {
        // The answerer refused the audio: so do we (port 0 in our answer).
        local.port = 0;
        s.linked.reset();
        onLane(call, s, [](Carried& c) { c.link.reset(); });
        auto refused = sdp::makeAnswer(offered, originFor(s, back), {local});
        if (!refused) return fail(refused.error());
        return sdp::write(*refused);
    }
    auto peer = peerOf(answered, *audio);
    if (!peer) return fail(peer.error());
    onLane(call, s, [from, peer = *peer, mux = audio->rtcpMux()](Carried& c) {
        c.of(from).setRemote(peer, mux);
    });
    // SRTP towards the answerer: the line of ours it chose, and its key.
    auto answererKeys = s.of(from).keys.answered(*audio);
    if (!answererKeys) return fail(answererKeys.error());
    keyOnLane(call, s, from, *answererKeys);

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
    const auto offererEvents = telephoneEventOf(*offerAudio, choice->a.codec.clockRate);
    const auto answererEvents = telephoneEventOf(*audio, choice->b.codec.clockRate);
    local.codecs = {choice->a.codec};
    if (offererEvents)
        local.codecs.push_back(
            {"telephone-event", sdp::codecOf(*offerAudio, *offererEvents)->clockRate, 1});
    local.direction = answered.direction(*audio);
    if (s.offererKeys) StreamKeys::answerOn(local, *s.offererKeys); // RFC 4568 §7.1.2.2
    keyOnLane(call, s, offerer, s.offererKeys);
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
    plan.a = offerer == Party::arrived ? offererSide : answererSide;
    plan.b = offerer == Party::arrived ? answererSide : offererSide;
    plan.transcode = choice->stage != sdp::CodecChoice::Stage::direct;
    plan.packetMs = options_.packetMs;
    s.linked = plan;
    const std::string cname = "switchboard@" + options_.advertise;
    onLane(call, s,
           [this, call, plan, offerer, from, cname, offererClock = choice->a.codec.clockRate,
            answererClock = choice->b.codec.clockRate](Carried& c) {
               if (!c.link) {
                   c.link = std::make_unique<rtp::StreamLink>(*c.caller, *c.callee);
                   // DTMF from a leg whose other leg has no telephone-event goes on as SIP INFO.
                   c.link->onEvent([this, call](rtp::LinkEnd from, std::uint8_t event,
                                                std::chrono::milliseconds duration) {
                       asio::post(lanes_.control(), [this, call, from, event, duration] {
                           const auto digit = rtp::digitForEvent(event);
                           if (!digit || !infoSender_) return;
                           infoSender_(room::RoomId(call),
                                       from == rtp::LinkEnd::a ? Party::dialled : Party::arrived,
                                       *digit, duration);
                       });
                   });
               }
               if (auto ok = c.link->configure(plan); !ok)
                   logger().warn("call {}: the link cannot be made: {}", call, ok.error().message);
               // Each leg gets our RTCP reports on what it sends us (RFC 3550 §6).
               c.of(offerer).startReports(cname, offererClock);
               c.of(from).startReports(cname, answererClock);
           });
    return sdp::write(*reply);
}

} // namespace sb::session
