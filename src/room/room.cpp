#include "room/room.hpp"

#include "core/log.hpp"
#include "sdp/parser.hpp"

#include <fmt/format.h>
#include <vector>

namespace sb::room {
namespace {

spdlog::logger& logger() {
    return log::get("room");
}

// RFC 3264 §8.4: a stream offered sendonly or inactive puts the offerer's peer on hold.
bool offersHold(std::string_view offer) {
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

Room::Room(Rooms& rooms, RoomId id, std::string name, std::string traceId, RoomObserver& observer)
    : rooms_(rooms), id_(id), name_(std::move(name)), traceId_(std::move(traceId)),
      observer_(&observer) {
    ++rooms_.stats_.rooms;
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

// Every leg's two set-up steps: its media (undone by its streams going), then the leg itself
// (undone by hanging it up). The leg joins the room once both have succeeded.
Result<LegId> Room::setUp(Role role, std::string_view mediaStep, const MediaStep& media,
                          std::string_view legStep, const MakeLeg& make) {
    const LegId id(rooms_.nextLeg_++);
    MediaGraph& graph = rooms_.media_;
    Record record;
    record.summary = {LegState::setup, role};
    auto done = record.setup.step(
        mediaStep, [&] { return media(id); }, [&graph, id] { graph.left(id); });
    if (done)
        done = record.setup.step(
            legStep,
            [&]() -> Result<void> {
                auto leg = make(id, *this);
                if (!leg) return fail(leg.error());
                record.leg = std::move(leg).value();
                return {};
            },
            // The record's leg, by then in legs_ (a record moved into the map keeps its heap).
            [this, id] {
                if (auto* r = find(id); r && r->leg) r->leg->hangUp();
            });
    if (!done) {
        ++rooms_.stats_.undone;
        return fail(done.error());
    }
    record.description = record.leg->describe();
    legs_.emplace(id, std::move(record));
    ++rooms_.stats_.legs;
    return id;
}

Result<LegId> Room::dial(std::string_view kind, Dial dial, Role role) {
    auto provider = rooms_.providers_.find(std::string(kind));
    if (provider == rooms_.providers_.end())
        return fail(Errc::unsupported, fmt::format("no provider of {} legs", kind));
    auto id = setUp(
        role, "media offer",
        [&](LegId leg) -> Result<void> {
            auto offer = rooms_.media_.offer(leg, name_, traceId_);
            if (!offer) return fail(offer.error());
            dial.offer = std::move(offer).value();
            return {};
        },
        "call", [&](LegId leg, LegSink& sink) { return provider->second->place(leg, dial, sink); });
    if (!id) return id;
    ++rooms_.stats_.dialled;
    logger().info("trace={} room {}: leg {} ({}) placed to {}", traceId_, name_, id->value(),
                  describe(*id), dial.target);
    recompute();
    return id;
}

void Room::recompute() {
    std::vector<LegSummary> summaries;
    summaries.reserve(legs_.size());
    for (const auto& [id, record] : legs_)
        summaries.push_back(record.summary);
    state_ = roomState(summaries);
}

void Room::hangUp(LegId id, std::string reason) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    const LegState was = r->summary.state;
    if (was == LegState::connected || was == LegState::hold) {
        move(id, LegState::disconnecting, 0, reason);
        // The leg's `ended` closes it; it may come from inside hangUp().
        if (Record* still = find(id); still && still->leg) still->leg->hangUp();
        return;
    }
    if (was == LegState::disconnecting) return;
    move(id, LegState::closed, 0, std::move(reason)); // cancelled before it was answered
}

Result<void> Room::reoffer(LegId id, std::function<void(Result<void>)> done) {
    Record* r = find(id);
    if (!r || r->summary.state != LegState::connected || !r->leg)
        return fail(Errc::incomplete, "the leg is not connected");
    auto offer = rooms_.media_.reoffer(id);
    if (!offer) return fail(offer.error());
    // A leg's adapter drops `done` if the leg goes first, so `this` is alive when it runs.
    return r->leg->reoffer(
        std::move(offer).value(), [this, id, done = std::move(done)](Result<std::string> answer) {
            if (!answer) {
                logger().info("trace={} room {}: leg {} kept its media: {}", traceId_, name_,
                              id.value(), answer.error().message);
                return done(fail(answer.error()));
            }
            auto applied = rooms_.media_.answered(id, *answer);
            if (!applied)
                logger().warn("trace={} room {}: leg {}'s answer to our offer is unusable: {}",
                              traceId_, name_, id.value(), applied.error().message);
            done(applied);
        });
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
    if (observer_) observer_->onLegChange(*this, {id, from, to, status, std::move(reason)}, before);
}

void Room::onLegEvent(LegId id, LegEvent event) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    using Kind = LegEvent::Kind;
    switch (event.kind) {
    case Kind::ringing:
        return move(id, LegState::ringing, event.status, std::move(event.reason));
    case Kind::answered: {
        if (r->summary.state != LegState::setup && r->summary.state != LegState::ringing) return;
        if (auto joined = rooms_.media_.answered(id, event.answer); !joined) {
            // An answer we cannot use ends the leg, which never joined the room.
            return move(id, LegState::closed, event.status,
                        "its answer is unusable: " + joined.error().message);
        }
        return move(id, LegState::connected, event.status, std::move(event.reason));
    }
    case Kind::ended:
        return move(id, LegState::closed, event.status, std::move(event.reason));
    case Kind::failed:
        return move(id, LegState::failed, event.status, std::move(event.reason));
    }
}

Result<Room::Admitted> Room::admit(std::string_view offer, Role role, const MakeLeg& make) {
    std::string answer;
    auto id = setUp(
        role, "media answer",
        [&](LegId leg) -> Result<void> {
            auto ours = rooms_.media_.answer(leg, name_, offer, traceId_);
            if (!ours) return fail(ours.error());
            answer = std::move(ours).value();
            return {};
        },
        "leg", make);
    if (!id) return fail(id.error());
    logger().info("trace={} room {}: leg {} ({}) admitted", traceId_, name_, id->value(),
                  describe(*id));
    move(*id, LegState::connected, 0, "answered by us");
    return Admitted{*id, std::move(answer)};
}

Result<std::string> Room::onLegOffer(LegId id, std::string_view offer) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return fail(Errc::closed, "the leg has left the room");
    auto answer = rooms_.media_.answer(id, name_, offer, traceId_);
    if (!answer) return answer;
    const LegState now = r->summary.state;
    if (offersHold(offer)) {
        if (now == LegState::connected) move(id, LegState::hold, 0, "the far end holds");
    } else if (now == LegState::hold) {
        move(id, LegState::connected, 0, "the far end resumes");
    }
    return answer;
}

} // namespace sb::room
