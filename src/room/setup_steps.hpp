#pragma once
// Set-up as an ordered list of steps, each with its undo (ARCHITECTURE.md "Room and bridge
// state": no half-open calls, no leaked ports or timers). Each step's undo joins the list as
// the step is taken; when a later step fails, or at teardown, the undos run newest first. So
// the code that builds something up is also the only description of how it is taken down.
// A step's outcome may come later (the media graph answers from its worker), so an undo must
// be safe whether or not its step has completed; the Room names the step that failed.

#include <functional>
#include <vector>

namespace sb::room {

class SetupSteps {
public:
    using Undo = std::function<void()>;

    SetupSteps() = default;
    ~SetupSteps() { unwind(); }
    SetupSteps(SetupSteps&&) = default;
    SetupSteps& operator=(SetupSteps&&) = delete;
    SetupSteps(const SetupSteps&) = delete;
    SetupSteps& operator=(const SetupSteps&) = delete;

    // A step taken or begun: its undo joins the list.
    void add(Undo undo) { undos_.push_back(std::move(undo)); }
    // Runs the undos, newest first, once each. Idempotent.
    void unwind() noexcept;

    std::size_t steps() const noexcept { return undos_.size(); }

private:
    std::vector<Undo> undos_;
};

} // namespace sb::room
