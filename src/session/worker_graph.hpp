#pragma once
// The rooms' media graph (room::MediaGraph) on the media workers: each room lives on one lane
// (session/media_lanes.hpp), chosen when its first leg arrives (the lane with the fewest
// rooms); the graph's calls are posted there, to that lane's Conference, and their outcomes
// posted back to the control loop. Figures come back with every outcome, and on refresh().
//
// Used from the control loop only. It must outlive the control loop's running (replies queued
// for it run there) and its lanes must outlive it; its destruction stops the lanes first.

#include "room/media_graph.hpp"
#include "session/conference.hpp"
#include "session/media_lanes.hpp"

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sb::session {

class WorkerGraph final : public room::MediaGraph {
public:
    WorkerGraph(MediaLanes& lanes, const ConferenceOptions& options);
    ~WorkerGraph() override;
    WorkerGraph(const WorkerGraph&) = delete;
    WorkerGraph& operator=(const WorkerGraph&) = delete;

    void offer(room::LegId leg, std::string_view room, std::string_view traceId,
               room::LegMedia media, room::Reply<std::string> reply) override;
    void answered(room::LegId leg, std::string_view answer, room::Reply<void> reply) override;
    void reoffer(room::LegId leg, bool holds, room::Reply<std::string> reply) override;
    void answer(room::LegId leg, std::string_view room, std::string_view offer,
                std::string_view traceId, room::Reply<std::string> reply) override;
    void left(room::LegId leg) override;
    void requestPicture(room::LegId leg) override;
    void sendDigit(room::LegId leg, char digit, std::chrono::milliseconds duration,
                   room::Reply<void> reply) override;

    struct Figures {
        std::size_t rooms = 0, participants = 0;
        ConferenceRoom::Stats stats; // every room's, the closed ones' included
        Figures& operator+=(const Figures& f);
    };
    // As the lanes last reported them (exact once the lanes have stopped).
    Figures figures() const;
    // Asks every lane for its figures; `done` runs on the control loop once all have answered.
    void refresh(const std::function<void()>& done);
    // Who hears, on the control loop, of each room's new active talker (a leg of three or more
    // mixed; session/conference_room.hpp).
    void onTalker(std::function<void(room::LegId)> talker) { talker_ = std::move(talker); }
    // Who hears, on the control loop, of the keys a participant presses in RFC 4733 events
    // that its linked party cannot take (ConferenceRoom::onDigit).
    void onDigit(ConferenceRoom::DigitHandler digit) { digit_ = std::move(digit); }
    // Calls posted to the lanes whose outcome has not come back yet.
    std::size_t inFlight() const noexcept { return inFlight_; }

private:
    struct Lane {
        MediaLanes::Lane& lane;
        std::unique_ptr<Conference> conference; // used on the lane's thread only
        Figures reported;
        std::size_t rooms = 0; // rooms placed here, as the control loop counts them
    };
    struct Placed {
        std::size_t lane = 0;
        std::string room; // the key of rooms_
    };
    // The lane of a new leg of `room`: the room's, or the lane with the fewest rooms.
    std::size_t place(room::LegId leg, std::string_view room);
    // Runs `work` on the leg's lane, then `reply` with its outcome on the control loop. A leg
    // the graph does not know is answered at once with Errc::not_found.
    template <class T, class Work>
    void run(room::LegId leg, Work work, room::Reply<T> reply);
    template <class T, class Work>
    void runOn(std::size_t lane, Work work, room::Reply<T> reply);

    MediaLanes& lanes_;
    std::vector<Lane> lane_;
    std::unordered_map<room::LegId, Placed> legs_;
    struct RoomPlace {
        std::size_t lane = 0, legs = 0;
    };
    std::unordered_map<std::string, RoomPlace> rooms_;
    std::size_t inFlight_ = 0;
    std::function<void(room::LegId)> talker_;
    ConferenceRoom::DigitHandler digit_;
};

} // namespace sb::session
