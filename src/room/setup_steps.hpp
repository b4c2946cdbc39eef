#pragma once
// Set-up as an ordered list of steps, each with its undo (ARCHITECTURE.md "Room and bridge
// state": no half-open calls, no leaked ports or timers). A step that fails runs the undos of
// the steps before it, newest first, and names itself in the error; a set-up that succeeded
// keeps its undos, and teardown (unwind(), or the destructor) runs them the same way. So the
// code that builds something up is also the only description of how it is taken down.

#include "core/result.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::room {

class SetupSteps {
public:
    using Action = std::function<Result<void>()>;
    using Undo = std::function<void()>;

    SetupSteps() = default;
    ~SetupSteps() { unwind(); }
    SetupSteps(SetupSteps&&) = default;
    SetupSteps& operator=(SetupSteps&&) = delete;
    SetupSteps(const SetupSteps&) = delete;
    SetupSteps& operator=(const SetupSteps&) = delete;

    // Runs `action`. On success `undo` joins the stack (empty: the step leaves nothing to
    // undo); on failure every earlier undo runs and the error says which step failed.
    Result<void> step(std::string_view name, const Action& action, Undo undo = {});
    // Runs the undos, newest first, once each. Idempotent.
    void unwind() noexcept;
    // Forgets the undos without running them: what they would undo now belongs elsewhere.
    void release() noexcept { undos_.clear(); }

    std::size_t steps() const noexcept { return undos_.size(); }

private:
    std::vector<Undo> undos_;
};

} // namespace sb::room
