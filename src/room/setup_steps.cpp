#include "room/setup_steps.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::room {

Result<void> SetupSteps::step(std::string_view name, const Action& action, Undo undo) {
    if (auto done = action(); !done) {
        unwind();
        return fail(done.error().code, fmt::format("{}: {}", name, done.error().message));
    }
    undos_.push_back(undo ? std::move(undo) : Undo([] {}));
    return {};
}

void SetupSteps::unwind() noexcept {
    // Moved out first: an undo may end the owner of this SetupSteps, which unwinds again.
    auto undos = std::move(undos_);
    undos_.clear();
    std::for_each(undos.rbegin(), undos.rend(), [](Undo& undo) { undo(); });
}

} // namespace sb::room
