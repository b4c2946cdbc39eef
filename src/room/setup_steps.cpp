#include "room/setup_steps.hpp"

#include <algorithm>

namespace sb::room {

void SetupSteps::unwind() noexcept {
    // Moved out first: an undo may end the owner of this SetupSteps, which unwinds again.
    auto undos = std::move(undos_);
    undos_.clear();
    std::for_each(undos.rbegin(), undos.rend(), [](Undo& undo) { undo(); });
}

} // namespace sb::room
