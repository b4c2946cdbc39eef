#include "session/worker_graph.hpp"

#include <algorithm>
#include <asio/post.hpp>
#include <fmt/format.h>

namespace sb::session {

WorkerGraph::Figures& WorkerGraph::Figures::operator+=(const Figures& f) {
    rooms += f.rooms;
    participants += f.participants;
    stats += f.stats;
    return *this;
}

WorkerGraph::WorkerGraph(MediaLanes& lanes, const ConferenceOptions& options) : lanes_(lanes) {
    auto withTalker = options;
    withTalker.talker = [this](room::LegId leg) { // on a lane: to the control loop
        asio::post(lanes_.control(), [this, leg] {
            if (talker_) talker_(leg);
        });
    };
    withTalker.digit = [this](room::LegId leg, char digit, std::chrono::milliseconds held) {
        asio::post(lanes_.control(), [this, leg, digit, held] {
            if (digit_) digit_(leg, digit, held);
        });
    };
    for (std::size_t i = 0; i < lanes.size(); ++i)
        lane_.push_back(
            {lanes.lane(i), std::make_unique<Conference>(lanes.lane(i).ports, withTalker), {}, 0});
}

WorkerGraph::~WorkerGraph() {
    lanes_.stop(); // no lane thread may be inside a Conference that goes now
}

namespace {

WorkerGraph::Figures figuresOf(const Conference& conference) {
    return {conference.rooms(), conference.participants(), conference.stats()};
}

} // namespace

template <class T, class Work>
void WorkerGraph::runOn(std::size_t index, Work work, room::Reply<T> reply) {
    Lane& lane = lane_[index];
    ++inFlight_;
    asio::post(lane.lane.context, [this, index, &conference = *lane.conference,
                                   work = std::move(work), reply = std::move(reply)]() mutable {
        Result<T> outcome = work(conference);
        asio::post(lanes_.control(),
                   [this, index, figures = figuresOf(conference), outcome = std::move(outcome),
                    reply = std::move(reply)]() mutable {
                       lane_[index].reported = figures;
                       --inFlight_;
                       reply(std::move(outcome));
                   });
    });
}

template <class T, class Work>
void WorkerGraph::run(room::LegId leg, Work work, room::Reply<T> reply) {
    auto found = legs_.find(leg);
    if (found == legs_.end()) return reply(fail(Errc::not_found, "the leg is in no room"));
    runOn<T>(found->second.lane, std::move(work), std::move(reply));
}

std::size_t WorkerGraph::place(room::LegId leg, std::string_view room) {
    if (auto known = legs_.find(leg); known != legs_.end()) return known->second.lane;
    // Each echo call is a room of its own (Conference names it so too).
    const std::string key =
        room == kEchoRoom ? fmt::format("{}/{}", kEchoRoom, leg.value()) : std::string(room);
    auto [where, fresh] = rooms_.try_emplace(key);
    if (fresh) {
        auto fewest =
            std::min_element(lane_.begin(), lane_.end(),
                             [](const Lane& a, const Lane& b) { return a.rooms < b.rooms; });
        where->second.lane = static_cast<std::size_t>(fewest - lane_.begin());
        ++fewest->rooms;
    }
    ++where->second.legs;
    legs_.emplace(leg, Placed{where->second.lane, key});
    return where->second.lane;
}

void WorkerGraph::offer(room::LegId leg, std::string_view room, std::string_view traceId,
                        room::LegMedia media, room::Reply<std::string> reply) {
    runOn<std::string>(
        place(leg, room),
        [leg, room = std::string(room), trace = std::string(traceId), media](Conference& c) {
            return c.offer(leg, room, trace, media);
        },
        std::move(reply));
}

void WorkerGraph::answered(room::LegId leg, std::string_view answer, room::Reply<void> reply) {
    run<void>(
        leg, [leg, answer = std::string(answer)](Conference& c) { return c.answered(leg, answer); },
        std::move(reply));
}

void WorkerGraph::reoffer(room::LegId leg, bool holds, room::Reply<std::string> reply) {
    run<std::string>(
        leg, [leg, holds](Conference& c) { return c.reoffer(leg, holds); }, std::move(reply));
}

void WorkerGraph::answer(room::LegId leg, std::string_view room, std::string_view offer,
                         std::string_view traceId, room::Reply<std::string> reply) {
    runOn<std::string>(
        place(leg, room),
        [leg, room = std::string(room), offer = std::string(offer),
         trace = std::string(traceId)](Conference& c) { return c.answer(leg, room, offer, trace); },
        std::move(reply));
}

void WorkerGraph::sendDigit(room::LegId leg, char digit, std::chrono::milliseconds duration,
                            room::Reply<void> reply) {
    run<void>(
        leg, [leg, digit, duration](Conference& c) { return c.sendDigit(leg, digit, duration); },
        std::move(reply));
}

void WorkerGraph::left(room::LegId leg) {
    auto found = legs_.find(leg);
    if (found == legs_.end()) return;
    const Placed placed = std::move(found->second);
    legs_.erase(found);
    if (auto room = rooms_.find(placed.room); room != rooms_.end() && --room->second.legs == 0) {
        --lane_[placed.lane].rooms;
        rooms_.erase(room);
    }
    runOn<void>(
        placed.lane,
        [leg](Conference& c) {
            c.left(leg);
            return Result<void>();
        },
        [](const Result<void>&) {});
}

void WorkerGraph::requestPicture(room::LegId leg) {
    run<void>(
        leg,
        [leg](Conference& c) {
            c.requestPicture(leg);
            return Result<void>();
        },
        [](const Result<void>&) {});
}

WorkerGraph::Figures WorkerGraph::figures() const {
    Figures total;
    for (const auto& lane : lane_)
        total += lanes_.stopped() ? figuresOf(*lane.conference) : lane.reported;
    return total;
}

void WorkerGraph::refresh(const std::function<void()>& done) {
    if (lanes_.stopped()) return done();
    auto waiting = std::make_shared<std::size_t>(lane_.size());
    for (std::size_t i = 0; i < lane_.size(); ++i)
        runOn<void>(
            i, [](Conference&) { return Result<void>(); },
            [waiting, done](const Result<void>&) {
                if (--*waiting == 0) done();
            });
}

} // namespace sb::session
