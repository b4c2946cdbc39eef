#pragma once
// Councils as a leg kind, "council" (ARCHITECTURE.md "Councils"): a room dials a council by its
// name, and the leg is that room's link into the council's room — one member of it, as a
// phone that dialled in would be. The council's mixer gives the link every member but the
// link, and the linked room's mixer gives its own legs everything but themselves: each side
// hears the other, and no one hears themselves (two mixers in cascade). An escalation that
// names a council dials one once its expert answers: the expert hears the council and the
// council the expert, with no case of its own in the escalation flow. Who joins and leaves
// the council comes to the linked room as the link's notices ("member_joined",
// "member_left"). Runs on the control loop, with the routes' rooms.

#include "app/route_conferences.hpp"
#include "room/leg.hpp"

#include <map>
#include <string>

namespace sb::app {

class CouncilLinks final : public room::LegProvider {
public:
    explicit CouncilLinks(RouteConferences& councils) : councils_(councils) {}
    ~CouncilLinks() override;
    CouncilLinks(const CouncilLinks&) = delete;
    CouncilLinks& operator=(const CouncilLinks&) = delete;

    // `dial.target` is the council's name; its tags' Trace-ID names a council it opens.
    Result<std::unique_ptr<room::Leg>> place(room::LegId id, const room::Dial& dial,
                                             room::LegSink& sink) override;
    // Nothing of a link leaves the process.
    bool securesSignalling(std::string_view) const override { return true; }

    // `what` happened to `who`, the council's leg `member`, in the council `name`
    // (RouteConferences::CouncilEvent): every link into it hears of it, but of its own
    // member's joining or leaving.
    void heard(std::string_view name, room::LegId member, std::string_view who,
               std::string_view what);

    std::size_t links() const noexcept { return links_.size(); }

private:
    class Link;
    class Member;
    // The link of that number, while it lasts (the council answers later).
    Link* linkOf(std::uint64_t number) const;

    RouteConferences& councils_;
    std::multimap<std::string, Link*, std::less<>> links_; // by council
    std::uint64_t nextLink_ = 1;
};

} // namespace sb::app
