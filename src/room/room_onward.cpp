// A gateway's call (Room::dialOnward): a leg that arrived and waits for the one it goes on to,
// and what crosses between the two: ringing and answer, their ends with status and cause,
// digits, hold.
#include "core/log.hpp"
#include "room/room.hpp"

#include <fmt/format.h>

namespace sb::room {
namespace {

spdlog::logger& logger() {
    return log::get("room");
}

} // namespace

Result<LegId> Room::dialOnward(LegId arrivedId, std::string_view kind, Dial dial) {
    Record* arrived = find(arrivedId);
    if (!arrived || !arrived->waits || arrived->onward || !arrived->leg ||
        isFinal(arrived->summary.state))
        return fail(Errc::invalid_input, "the leg does not wait for one to go on to");
    if (dial.caller.empty()) dial.caller = arrived->leg->caller();
    auto id = this->dial(kind, std::move(dial), Role::essential);
    if (!id) {
        endAs(arrivedId, id.error().code == Errc::too_large ? 503 : 502, id.error().message, "");
        return id;
    }
    arrived->onward = *id;
    legs_[*id].answersFor = arrivedId;
    return id;
}

void Room::crossOnward(LegId id, LegState to, int status, const std::string& reason) {
    const Record* r = find(id);
    if (!r) return;
    if (r->onward) {
        if (isFinal(to)) endAs(*r->onward, status, reason, r->cause);
        return;
    }
    if (!r->answersFor) return;
    const LegId arrivedId = *r->answersFor;
    Record* arrived = find(arrivedId);
    if (!arrived || !arrived->leg || isFinal(arrived->summary.state)) return;
    const LegState now = arrived->summary.state;
    const bool waiting = now == LegState::setup || now == LegState::ringing;
    if (to == LegState::ringing && waiting)
        return arrived->leg->alert(r->early, r->early ? std::string_view(arrived->answer)
                                                      : std::string_view());
    if (to == LegState::connected && waiting) {
        if (!observer_) return answerOnward(arrivedId, id, {});
        return observer_->beforeAnswer(
            *this, arrivedId, id,
            later<void>([arrivedId, id](Room& room, const Result<void>& agreed) {
                room.answerOnward(arrivedId, id, agreed);
            }));
    }
    // RFC 3398 §8.2.6.1's like: a leg that ended unanswered without a status is unavailable.
    if (isFinal(to)) endAs(arrivedId, waiting && status < 300 ? 480 : status, reason, r->cause);
}

void Room::endAs(LegId id, int status, std::string reason, const std::string& cause) {
    Record* r = find(id);
    if (!r || isFinal(r->summary.state) || r->summary.state == LegState::disconnecting) return;
    const LegState was = r->summary.state;
    const bool up =
        was == LegState::connected || was == LegState::hold || was == LegState::degraded;
    if (up) move(id, LegState::disconnecting, 0, reason);
    // The leg's `ended` closes it, from inside release() or later.
    if (Record* still = find(id); still && still->leg) still->leg->release(status, reason, cause);
    if (!up) move(id, LegState::closed, status, std::move(reason)); // if release() did not
}

void Room::onDigit(LegId id, char digit, std::chrono::milliseconds duration) {
    const Record* r = find(id);
    if (!r || isFinal(r->summary.state)) return;
    const auto to = r->onward ? r->onward : r->answersFor;
    if (!to || !upLeg(*to)) return; // a conference takes no digits
    // In the other leg's RTP where it agreed telephone-event (RFC 4733), as its far end sends
    // keys itself; in its signalling (SIP INFO, H.245 user input) where it did not.
    auto inSignalling = [from = id, to = *to, digit, duration](Room& room,
                                                               const Result<void>& inMedia) {
        const char* how = "in its RTP";
        Result<void> sent;
        if (!inMedia) {
            Leg* leg = room.upLeg(to);
            if (!leg) return;
            sent = leg->sendDigit(digit, duration);
            how = "in its signalling";
        }
        logger().info("trace={} room {}: digit {} ({} ms) from leg {} to leg {} {}{}{}",
                      room.traceId_, room.name_, digit, duration.count(), from.value(), to.value(),
                      how, sent ? "" : ": ", sent ? "" : sent.error().message);
    };
    rooms_.media_->sendDigit(*to, digit, duration, later<void>(std::move(inSignalling)));
}

void Room::crossHold(LegId id, bool holds) {
    const Record* r = find(id);
    const auto other = r ? (r->onward ? r->onward : r->answersFor) : std::nullopt;
    if (!other || !upLeg(*other)) return;
    auto crossed = reoffer(
        *other,
        [other = *other, holds, traceId = traceId_, name = name_](const Result<void>& done) {
            if (!done)
                logger().info("trace={} room {}: leg {} not {}: {}", traceId, name, other.value(),
                              holds ? "held" : "resumed", done.error().message);
        },
        holds);
    if (!crossed)
        logger().info("trace={} room {}: leg {} not {}: {}", traceId_, name_, other->value(),
                      holds ? "held" : "resumed", crossed.error().message);
}

void Room::answerOnward(LegId arrivedId, LegId onwardId, const Result<void>& agreed) {
    Record* arrived = find(arrivedId);
    Record* onward = find(onwardId);
    if (!arrived || !arrived->leg || !onward) return;
    const LegState now = arrived->summary.state;
    if (now != LegState::setup && now != LegState::ringing) return; // it ended meanwhile
    if (agreed) return arrived->leg->accept(std::exchange(arrived->answer, {}));
    // The undos, newest first, each leg ended on its own terms rather than as the other.
    arrived->onward.reset();
    onward->answersFor.reset();
    const std::string reason = agreed.error().message;
    logger().warn("trace={} room {}: the call of leg {} is undone: {}", traceId_, name_,
                  arrivedId.value(), reason);
    endAs(onwardId, 500, reason, "");
    endAs(arrivedId, 500, reason, "");
}

} // namespace sb::room
