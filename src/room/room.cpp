#include "room/room.hpp"

#include "core/log.hpp"
#include "sdp/parser.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <span>
#include <vector>

namespace sb::room {
namespace {

spdlog::logger& logger() {
    return log::get("room");
}

// RFC 3264 §8.4: a stream offered sendonly or inactive puts the offerer's peer on hold.
bool offersHold(std::string_view offer) {
    // Most offers say neither (a call's first offer, a refresh): those need no parse.
    if (offer.find("a=sendonly") == std::string_view::npos &&
        offer.find("a=inactive") == std::string_view::npos)
        return false;
    auto session = sdp::parse(offer);
    if (!session || session->media.empty()) return false;
    for (const auto& m : session->media) {
        const auto d = session->direction(m);
        if (d != sdp::Direction::sendonly && d != sdp::Direction::inactive) return false;
    }
    return true;
}

} // namespace

void Rooms::provide(std::string kind, LegProvider& provider) {
    providers_[std::move(kind)] = &provider;
}

bool Rooms::securesSignalling(std::string_view kind, std::string_view target) const {
    auto provider = providers_.find(std::string(kind));
    return provider != providers_.end() && provider->second->securesSignalling(target);
}

std::unique_ptr<Room> Rooms::open(std::string name, std::string traceId, RoomObserver& observer) {
    return std::make_unique<Room>(*this, RoomId(nextRoom_++), std::move(name), std::move(traceId),
                                  observer);
}

Room* Rooms::find(RoomId id) const {
    auto found = open_.find(id);
    return found == open_.end() ? nullptr : found->second;
}

Room::Room(Rooms& rooms, RoomId id, std::string name, std::string traceId, RoomObserver& observer)
    : rooms_(rooms), id_(id), name_(std::move(name)), traceId_(std::move(traceId)),
      observer_(&observer) {
    ++rooms_.stats_.rooms;
    rooms_.open_.emplace(id_, this);
}

Room::~Room() {
    observer_ = nullptr;
    for (auto& [id, record] : legs_)
        if (!isFinal(record.summary.state)) {
            // Closed first: an `ended` that the hang-up below reports at once finds it so.
            record.summary.state = LegState::closed;
            --rooms_.stats_.legs;
            record.setup.unwind();
        }
    rooms_.open_.erase(id_);
    --rooms_.stats_.rooms;
}

Room::Record* Room::find(LegId leg) {
    auto found = legs_.find(leg);
    return found == legs_.end() ? nullptr : &found->second;
}

std::optional<LegState> Room::legState(LegId leg) const {
    auto found = legs_.find(leg);
    if (found == legs_.end()) return std::nullopt;
    return found->second.summary.state;
}

std::string Room::describe(LegId leg) const {
    auto found = legs_.find(leg);
    return found == legs_.end() ? std::string("no leg") : found->second.description;
}

std::size_t Room::liveLegs() const noexcept {
    std::size_t n = 0;
    for (const auto& [id, record] : legs_)
        n += isFinal(record.summary.state) ? 0 : 1;
    return n;
}

LegId Room::begin(Role role, bool ownSession) {
    const LegId id(rooms_.nextLeg_++);
    Record& record = legs_[id];
    record.summary = {LegState::setup, role};
    record.ownSession = ownSession;
    if (MediaGraph* graph = rooms_.media_; graph && !ownSession)
        record.setup.add([graph, id] { graph->left(id); });
    ++rooms_.stats_.legs;
    return id;
}

Result<LegId> Room::dial(std::string_view kind, Dial dial, Role role) {
    if (!rooms_.media_ || pair_) return fail(Errc::unsupported, "a pair's room dials no leg");
    auto provider = rooms_.providers_.find(std::string(kind));
    if (provider == rooms_.providers_.end())
        return fail(Errc::unsupported, fmt::format("no provider of {} legs", kind));
    const LegId id = begin(role);
    const LegMedia media = provider->second->media();
    legs_[id].media = media;
    // What fails before dial() returns, dial() reports, as if the leg had never been.
    dialling_ = id;
    dialFailed_.reset();
    rooms_.media_->offer(
        id, name_, traceId_, media,
        later<std::string>([id, &provider = *provider->second,
                            dial = std::move(dial)](Room& room, Result<std::string> offer) {
            room.place(id, provider, dial, std::move(offer));
        }));
    dialling_ = {};
    if (dialFailed_) return fail(*std::exchange(dialFailed_, std::nullopt));
    recompute();
    return id;
}

void Room::place(LegId id, LegProvider& provider, Dial dial, Result<std::string> offer) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return; // hung up meanwhile; its media is gone
    const bool quiet = dialling_ == id;
    if (!offer) {
        setUpFailed(id, "media offer", offer.error(), quiet);
        return;
    }
    dial.offer = std::move(offer).value();
    if (auto placed = attach(id, provider.place(id, dial, *this)); !placed) {
        setUpFailed(id, "call", placed.error(), quiet);
        return;
    }
    ++rooms_.stats_.dialled;
    logger().info("trace={} room {}: leg {} ({}) placed to {}", traceId_, name_, id.value(),
                  describe(id), dial.target);
}

Result<void> Room::attach(LegId id, Result<std::unique_ptr<Leg>> leg) {
    if (!leg) return fail(leg.error());
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return fail(Errc::closed, "the leg has left the room");
    r->leg = std::move(leg).value();
    r->description = r->leg->describe();
    r->setup.add([this, id] {
        if (auto* still = find(id); still && still->leg) still->leg->hangUp();
    });
    return {};
}

Error Room::setUpFailed(LegId id, std::string_view step, const Error& error, bool quiet) {
    Error named{error.code, fmt::format("{}: {}", step, error.message)};
    ++rooms_.stats_.undone;
    if (!quiet) {
        // Resources of ours exhausted (RTP ports) are 503 to whoever waits on the leg, as the
        // synchronous refusal in dialOnward() is (RFC 3261 §21.5.4).
        move(id, LegState::closed, error.code == Errc::too_large ? 503 : 0, named.message);
        return named;
    }
    if (auto found = legs_.find(id); found != legs_.end()) {
        --rooms_.stats_.legs;
        auto setup = std::move(found->second.setup);
        legs_.erase(found);
        setup.unwind();
    }
    if (dialling_ == id) dialFailed_ = named;
    return named;
}

void Room::recompute() {
    // Most rooms have a few legs: their summaries fit on the stack.
    constexpr std::size_t kOnStack = 8;
    std::array<LegSummary, kOnStack> few;
    std::vector<LegSummary> many;
    std::span<LegSummary> summaries(few.data(), std::min(legs_.size(), kOnStack));
    if (legs_.size() > kOnStack) {
        many.resize(legs_.size());
        summaries = many;
    }
    std::size_t i = 0;
    for (const auto& [id, record] : legs_)
        if (!record.superseded) summaries[i++] = record.summary;
    state_ = roomState(summaries.first(i));
}

void Room::hangUp(LegId id, std::string reason) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    const LegState was = r->summary.state;
    if (was == LegState::connected || was == LegState::hold || was == LegState::degraded) {
        move(id, LegState::disconnecting, 0, reason);
        // The leg's `ended` closes it; it may come from inside hangUp().
        if (Record* still = find(id); still && still->leg) still->leg->hangUp();
        return;
    }
    if (was == LegState::disconnecting) return;
    move(id, LegState::closed, 0, std::move(reason)); // cancelled before it was answered
}

Result<void> Room::reoffer(LegId id, const Reply<void>& done, bool holds) {
    Record* r = find(id);
    if (!r || r->summary.state != LegState::connected || !r->leg)
        return fail(Errc::incomplete, "the leg is not connected");
    if (pair_) return fail(Errc::unsupported, "a pair's session runs end to end");
    // Three steps, each of which may take a while: the graph's offer, the far end's answer
    // through the leg, the graph taking that answer in.
    auto sendOffer = [id, done](Room& room, Result<std::string> offer) {
        if (!offer) return done(fail(offer.error()));
        Record* r = room.find(id);
        if (!r || r->summary.state != LegState::connected || !r->leg)
            return done(fail(Errc::closed, "the leg is no longer connected"));
        auto takeAnswer = [id, done](Room& room, Result<std::string> answer) {
            if (!answer) {
                logger().info("trace={} room {}: leg {} kept its media: {}", room.traceId_,
                              room.name_, id.value(), answer.error().message);
                return done(fail(answer.error()));
            }
            room.rooms_.media_->answered(
                id, *answer,
                room.later<void>(
                    [id, done](Room& room, Result<void> applied) {
                        if (!applied)
                            logger().warn("trace={} room {}: leg {}'s answer to our offer is "
                                          "unusable: {}",
                                          room.traceId_, room.name_, id.value(),
                                          applied.error().message);
                        done(std::move(applied));
                    },
                    done));
        };
        auto sent = r->leg->reoffer(std::move(offer).value(),
                                    room.later<std::string>(std::move(takeAnswer), [done](auto) {
                                        done(fail(Errc::closed, "the room has closed"));
                                    }));
        if (!sent) done(fail(sent.error()));
    };
    rooms_.media_->reoffer(id, holds, later<std::string>(std::move(sendOffer), [done](auto) {
                               done(fail(Errc::closed, "the room has closed"));
                           }));
    return {};
}

Leg* Room::upLeg(LegId id) {
    Record* r = find(id);
    if (!r || !r->leg) return nullptr;
    const LegState s = r->summary.state;
    return s == LegState::connected || s == LegState::hold || s == LegState::degraded ? r->leg.get()
                                                                                      : nullptr;
}

Result<void> Room::sendText(LegId id, std::string_view text) {
    Leg* leg = upLeg(id);
    if (!leg) return fail(Errc::incomplete, "the leg is not connected");
    return leg->sendText(text);
}

Result<void> Room::sendContext(LegId id, std::string_view summary, std::string_view context) {
    Leg* leg = upLeg(id);
    if (!leg) return fail(Errc::incomplete, "the leg is not connected");
    return leg->sendContext(summary, context);
}

Result<std::string> Room::sendFile(LegId id, const std::shared_ptr<const EvidenceFile>& file,
                                   std::uint32_t fromChunk) {
    Leg* leg = upLeg(id);
    if (!leg) return fail(Errc::incomplete, "the leg is not connected");
    return leg->sendFile(file, fromChunk);
}

void Room::onFileProgress(LegId id, const FileProgress& progress) {
    Record* r = find(id);
    if (r && !isFinal(r->summary.state) && observer_)
        observer_->onFileProgress(*this, id, progress);
}

void Room::onLegNotice(LegId id, std::string_view kind, std::string_view detail) {
    Record* r = find(id);
    if (r && !isFinal(r->summary.state) && observer_)
        observer_->onLegNotice(*this, id, kind, detail);
}

Result<LegId> Room::join(Role role, const MakeLeg& make, std::optional<LegId> takesOver) {
    if (pair_) return fail(Errc::unsupported, "a pair's room admits no leg");
    const LegId id = begin(role, true);
    legs_[id].takesOver = takesOver;
    if (auto made = attach(id, make(id, *this)); !made)
        return fail(setUpFailed(id, "leg", made.error(), true));
    recompute();
    logger().info("trace={} room {}: leg {} ({}) joined", traceId_, name_, id.value(),
                  describe(id));
    return id;
}

void Room::hangUpAll(const std::string& reason) {
    std::vector<LegId> ids;
    for (const auto& [id, r] : legs_)
        if (!isFinal(r.summary.state)) ids.push_back(id);
    for (auto id : ids)
        hangUp(id, reason);
}

void Room::move(LegId id, LegState to, int status, std::string reason) {
    Record* r = find(id);
    if (!r || !canMove(r->summary.state, to)) return;
    const LegState from = r->summary.state;
    r->summary.state = to;
    if (to == LegState::connected && r->takesOver)
        if (Record* old = find(*std::exchange(r->takesOver, std::nullopt));
            old && old->summary.state == LegState::failed)
            old->superseded = true;
    // A leg that is over leaves nothing: its call is hung up (a no-op if it already ended)
    // and its media goes. The Leg object itself stays, inert, until the room goes: it may be
    // the caller of this very function.
    if (isFinal(to)) {
        --rooms_.stats_.legs;
        r->setup.unwind();
    }
    const RoomState before = state_;
    recompute();
    logger().info("trace={} room {}: leg {} {} -> {}{}{} (room {})", traceId_, name_, id.value(),
                  stateName(from), stateName(to), reason.empty() ? "" : ": ", reason,
                  stateName(state_));
    const bool sourceJoined = r->media.kind == LegMedia::Kind::videoSource &&
                              to == LegState::connected && from != LegState::degraded;
    if (observer_) observer_->onLegChange(*this, {id, from, to, status, reason, r->cause}, before);
    crossOnward(id, to, status, reason);
    if (sourceJoined) offerVideo();
}

void Room::onPictureLoss(LegId id) {
    if (upLeg(id) && rooms_.media_) rooms_.media_->requestPicture(id);
}

void Room::offerVideo() {
    // The calls that are up hear of the room's new video in a new offer each (the graph's
    // reoffer() adds it); a call that connects later gets it in its first offer or answer.
    std::vector<LegId> calls;
    for (const auto& [id, record] : legs_)
        if (record.media.kind == LegMedia::Kind::call &&
            record.summary.state == LegState::connected && record.leg && !pair_)
            calls.push_back(id);
    for (const LegId call : calls) {
        // The outcome may come once the room has gone: it names the room by copies.
        auto sent = reoffer(call, [trace = traceId_, name = name_, call](const Result<void>& done) {
            if (!done)
                logger().info("trace={} room {}: leg {} takes no video: {}", trace, name,
                              call.value(), done.error().message);
        });
        if (!sent)
            logger().info("trace={} room {}: leg {} was not offered the video: {}", traceId_, name_,
                          call.value(), sent.error().message);
    }
}

void Room::onLegEvent(LegId id, LegEvent event) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    using Kind = LegEvent::Kind;
    switch (event.kind) {
    case Kind::ringing:
        if (event.answer.empty() || pair_ || r->ownSession || r->agreed || r->early ||
            r->earlyPending || !rooms_.media_)
            return move(id, LegState::ringing, event.status, std::move(event.reason));
        r->earlyPending = true;
        rooms_.media_->answered(
            id, event.answer,
            later<void>([id, status = event.status, reason = std::move(event.reason)](
                            Room& room, const Result<void>& media) mutable {
                room.rangEarly(id, status, std::move(reason), media);
            }));
        return;
    case Kind::answered: {
        if (r->summary.state != LegState::setup && r->summary.state != LegState::ringing) return;
        if (pair_ || r->ownSession || r->agreed || r->early)
            return move(id, LegState::connected, event.status, std::move(event.reason));
        if (r->earlyPending) {
            r->answeredMeanwhile = std::move(event);
            return;
        }
        rooms_.media_->answered(
            id, event.answer,
            later<void>([id, status = event.status, reason = std::move(event.reason)](
                            Room& room, const Result<void>& media) mutable {
                room.joined(id, status, std::move(reason), media);
            }));
        return;
    }
    case Kind::ended:
        r->cause = std::move(event.cause);
        return move(id, LegState::closed, event.status, std::move(event.reason));
    case Kind::failed:
        r->cause = std::move(event.cause);
        return move(id, LegState::failed, event.status, std::move(event.reason));
    case Kind::degraded:
        return move(id, LegState::degraded, event.status, std::move(event.reason));
    case Kind::recovered:
        if (r->summary.state != LegState::degraded) return;
        return move(id, LegState::connected, event.status, std::move(event.reason));
    }
}

void Room::rangEarly(LegId id, int status, std::string reason, const Result<void>& media) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    if (!media)
        logger().info("trace={} room {}: leg {}'s early answer is unusable: {}", traceId_, name_,
                      id.value(), media.error().message);
    r->earlyPending = false;
    r->early = media.has_value();
    auto answered = std::exchange(r->answeredMeanwhile, std::nullopt);
    if (r->summary.state == LegState::ringing) // rang already: its media now flows
        crossOnward(id, LegState::ringing, status, reason);
    else
        move(id, LegState::ringing, status, std::move(reason));
    // It answered while the graph took its early answer: it connects now, or, the early answer
    // being unusable, its answer goes to the graph as any answer does.
    if (answered) onLegEvent(id, std::move(*answered));
}

void Room::joined(LegId id, int status, std::string reason, const Result<void>& media) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    // An answer we cannot use ends the leg, which never joined the room.
    if (!media)
        return move(id, LegState::closed, status,
                    "its answer is unusable: " + media.error().message);
    move(id, LegState::connected, status, std::move(reason));
}

void Room::admit(std::string_view offer, Role role, MakeLeg make, const Reply<Admitted>& reply,
                 bool waits) {
    if (!rooms_.media_ || pair_)
        return reply(fail(Errc::unsupported, "a pair's room admits no leg"));
    const LegId id = begin(role);
    legs_[id].waits = legs_[id].agreed = waits;
    rooms_.media_->answer(
        id, name_, offer, traceId_,
        later<std::string>(
            [id, make = std::move(make), reply](Room& room, Result<std::string> answer) {
                room.admitted(id, make, std::move(answer), reply);
            },
            [reply](auto) { reply(fail(Errc::closed, "the room has closed")); }));
}

void Room::admitted(LegId id, const MakeLeg& make, Result<std::string> answer,
                    const Reply<Admitted>& reply) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state))
        return reply(fail(Errc::closed, "the leg has left the room"));
    if (!answer) return reply(fail(setUpFailed(id, "media answer", answer.error(), true)));
    if (auto made = attach(id, make(id, *this)); !made)
        return reply(fail(setUpFailed(id, "leg", made.error(), true)));
    logger().info("trace={} room {}: leg {} ({}) admitted", traceId_, name_, id.value(),
                  describe(id));
    if (r->waits) {
        r->answer = *answer;
        recompute();
    } else {
        move(id, LegState::connected, 0, "answered by us");
    }
    reply(Admitted{id, std::move(answer).value()});
}

void Room::adopt(Role role, MakeOffered make, const Reply<LegId>& reply, bool waits) {
    if (!rooms_.media_ || pair_)
        return reply(fail(Errc::unsupported, "a pair's room adopts no leg"));
    const LegId id = begin(role);
    legs_[id].waits = waits;
    rooms_.media_->offer(
        id, name_, traceId_, LegMedia{},
        later<std::string>(
            [id, make = std::move(make), reply](Room& room, Result<std::string> offer) {
                room.adopted(id, make, std::move(offer), reply);
            },
            [reply](auto) { reply(fail(Errc::closed, "the room has closed")); }));
}

void Room::adopted(LegId id, const MakeOffered& make, Result<std::string> offer,
                   const Reply<LegId>& reply) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state))
        return reply(fail(Errc::closed, "the leg has left the room"));
    if (!offer) return reply(fail(setUpFailed(id, "media offer", offer.error(), true)));
    if (auto made = attach(id, make(id, *this, std::move(offer).value())); !made)
        return reply(fail(setUpFailed(id, "leg", made.error(), true)));
    logger().info("trace={} room {}: leg {} ({}) adopted", traceId_, name_, id.value(),
                  describe(id));
    recompute();
    reply(id);
}

void Room::onLegOffer(LegId id, std::string_view offer, Reply<std::string> reply) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state))
        return reply(fail(Errc::closed, "the leg has left the room"));
    MediaGraph* graph = rooms_.media_;
    if (!graph) // a pair's offers cross to the other leg (relay())
        return reply(fail(Errc::unsupported, "a pair's offers cross end to end"));
    // A leg with a session of its own (join()) takes media from the graph from its first
    // offer on, and gives it back when it closes (left() is idempotent, so at once).
    if (r->ownSession && !r->withMedia) {
        r->withMedia = true;
        r->setup.add([graph, id] { graph->left(id); });
    }
    graph->answer(
        id, name_, offer, traceId_,
        later<std::string>(
            [id, holds = offersHold(offer), reply](Room& room, Result<std::string> answer) {
                if (answer) room.heldOrResumed(id, holds);
                reply(std::move(answer));
            },
            reply));
}

void Room::heldOrResumed(LegId id, bool holds) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    const LegState now = r->summary.state;
    if (holds && now == LegState::connected)
        move(id, LegState::hold, 0, "the far end holds");
    else if (!holds && now == LegState::hold)
        move(id, LegState::connected, 0, "the far end resumes");
    else
        return;
    crossHold(id, holds);
}

Result<Room::Pair> Room::pair(const MakeLeg& arrived, const MakeLeg& dialled) {
    if (pair_ || !legs_.empty()) return fail(Errc::invalid_input, "the room has legs already");
    const Pair legs{begin(Role::essential), begin(Role::essential)};
    if (PairMedia* media = rooms_.pairs_)
        for (LegId id : {legs.arrived, legs.dialled})
            legs_[id].setup.add([media, room = id_] { media->left(room); });
    for (auto [id, make] : {std::pair{legs.arrived, &arrived}, std::pair{legs.dialled, &dialled}})
        if (auto made = attach(id, (*make)(id, *this)); !made) {
            const Error why = setUpFailed(id, "leg", made.error(), true);
            setUpFailed(id == legs.arrived ? legs.dialled : legs.arrived, "leg", why, true);
            return fail(why);
        }
    pair_.emplace(legs);
    recompute();
    return legs;
}

Result<std::string> Room::relay(LegId from, std::string_view description) {
    if (!pair_ || (from != pair_->legs.arrived && from != pair_->legs.dialled))
        return fail(Errc::invalid_input, "the leg is not one of a pair");
    const End end = from == pair_->legs.arrived ? End::arrived : End::dialled;
    auto out = rooms_.pairs_ ? rooms_.pairs_->relay(id_, end, description)
                             : Result<std::string>(std::string(description));
    if (!out) return out;
    // RFC 3264 §4: a description answers when the other end's offer awaits its answer; any
    // other is an offer, except the same answer again (a 183's, then the 200's).
    Crossing& c = *pair_;
    const auto i = static_cast<std::size_t>(end);
    const std::size_t hash = std::hash<std::string_view>{}(description);
    if (c.offerer == other(end)) {
        c.offerer.reset();
        c.lastHash[i] = hash;
        c.lastAnswered[i] = true;
        heldOrResumed(c.leg(other(end)), c.offerHolds);
    } else if (!(c.lastAnswered[i] && c.lastHash[i] == hash)) {
        c.offerer = end;
        c.offerHolds = offersHold(description);
        c.lastHash[i] = hash;
        c.lastAnswered[i] = false;
    }
    return out;
}

} // namespace sb::room
