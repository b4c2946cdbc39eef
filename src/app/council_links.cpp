#include "app/council_links.hpp"

#include <fmt/format.h>
#include <utility>

namespace sb::app {

namespace {

std::string tagOf(const room::Dial& dial, std::string_view name) {
    for (const auto& [key, value] : dial.tags)
        if (key == name) return value;
    return {};
}

} // namespace

// The link's side in the council's room: a member whose audio is the linked room's.
class CouncilLinks::Member final : public room::Leg {
public:
    Member(Link& link, room::LegId id, room::LegSink& sink, std::string description)
        : link_(&link), id_(id), sink_(sink), description_(std::move(description)) {}
    ~Member() override { hangUp(); }
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;

    // The council lets it go (or its room closes): the link ends with it.
    void hangUp() override;
    std::string describe() const override { return description_; }
    // A link's media is set once: the two rooms' graphs agreed it (no hold crosses it).
    Result<void> reoffer(std::string, Answered) override {
        return fail(Errc::unsupported, "a council link takes no new offer");
    }
    room::LegId id() const noexcept { return id_; }
    // The link went first: the member leaves the council.
    void unlink(std::string_view why) {
        link_ = nullptr;
        over(why);
    }

private:
    void over(std::string_view why) {
        if (std::exchange(over_, true)) return;
        sink_.onLegEvent(id_, {room::LegEvent::Kind::ended, 0, std::string(why), {}, {}});
    }

    Link* link_;
    room::LegId id_;
    room::LegSink& sink_;
    std::string description_;
    bool over_ = false;
};

// The link's side in the room that dialled the council.
class CouncilLinks::Link final : public room::Leg {
public:
    Link(CouncilLinks& links, room::LegId id, room::LegSink& sink, std::string council)
        : links_(links), id_(id), sink_(sink), council_(std::move(council)),
          number_(links_.nextLink_++) {
        links_.links_.emplace(council_, this);
    }
    ~Link() override {
        hangUp();
        for (auto [it, end] = links_.links_.equal_range(council_); it != end; ++it)
            if (it->second == this) {
                links_.links_.erase(it);
                break;
            }
    }
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    void hangUp() override {
        if (over_) return;
        if (Member* member = std::exchange(member_, nullptr)) {
            member->unlink("the linked room left");
            links_.councils_.leave(council_, member->id(), "the linked room left");
        }
        over("hung up");
    }
    std::string describe() const override { return "the council " + council_; }
    Result<void> reoffer(std::string, Answered) override {
        return fail(Errc::unsupported, "a council link takes no new offer");
    }
    std::uint64_t number() const noexcept { return number_; }

    // The council's room made its member, then answered: the link is up.
    Result<std::unique_ptr<room::Leg>> makeMember(room::LegId id, room::LegSink& sink,
                                                  std::string description) {
        if (over_) return fail(Errc::closed, "the linked room left");
        auto member = std::make_unique<Member>(*this, id, sink, std::move(description));
        member_ = member.get();
        return std::unique_ptr<room::Leg>(std::move(member));
    }
    void entered(Result<room::Room::Admitted> admitted) {
        if (over_) return;
        if (!admitted) {
            member_ = nullptr;
            return over(fmt::format("the council could not take it: {}", admitted.error().message),
                        room::LegEvent::Kind::failed, 503);
        }
        sink_.onLegEvent(id_, {room::LegEvent::Kind::answered, 0, "in the council",
                               std::move(admitted->answer)});
    }
    // The council let its member go.
    void memberGone() {
        member_ = nullptr;
        over("the council let it go");
    }
    void notice(room::LegId member, std::string_view who, std::string_view what) {
        if (over_ || !member_) return;
        if (member_->id() == member && what != "active_talker") return; // its own coming, going
        sink_.onLegNotice(id_, what, who);
    }

private:
    void over(std::string why, room::LegEvent::Kind kind = room::LegEvent::Kind::ended,
              int status = 0) {
        if (std::exchange(over_, true)) return;
        sink_.onLegEvent(id_, {kind, status, std::move(why), {}, {}});
    }

    CouncilLinks& links_;
    room::LegId id_;
    room::LegSink& sink_;
    std::string council_;
    std::uint64_t number_;
    Member* member_ = nullptr;
    bool over_ = false;
};

void CouncilLinks::Member::hangUp() {
    if (Link* link = std::exchange(link_, nullptr)) link->memberGone();
    over("hung up");
}

CouncilLinks::~CouncilLinks() = default;

CouncilLinks::Link* CouncilLinks::linkOf(std::uint64_t number) const {
    for (const auto& [council, link] : links_)
        if (link->number() == number) return link;
    return nullptr;
}

Result<std::unique_ptr<room::Leg>> CouncilLinks::place(room::LegId id, const room::Dial& dial,
                                                       room::LegSink& sink) {
    if (dial.target.empty()) return fail(Errc::invalid_input, "no council is named");
    auto link = std::make_unique<Link>(*this, id, sink, dial.target);
    const auto escalation = tagOf(dial, "Escalation-ID");
    const auto description =
        escalation.empty() ? std::string("a linked room") : "escalation " + escalation;
    // The council answers later (its graph), when the link may be gone.
    councils_.enter(
        dial.target, tagOf(dial, "Trace-ID"), dial.offer,
        [this, number = link->number(), description](
            room::LegId member, room::LegSink& council) -> Result<std::unique_ptr<room::Leg>> {
            Link* live = linkOf(number);
            if (!live) return fail(Errc::closed, "the linked room left");
            return live->makeMember(member, council, description);
        },
        [this, number = link->number()](Result<room::Room::Admitted> admitted) {
            if (Link* live = linkOf(number)) live->entered(std::move(admitted));
        });
    return std::unique_ptr<room::Leg>(std::move(link));
}

void CouncilLinks::heard(std::string_view name, room::LegId member, std::string_view who,
                         std::string_view what) {
    for (auto [it, end] = links_.equal_range(name); it != end; ++it)
        it->second->notice(member, who, what);
}

} // namespace sb::app
