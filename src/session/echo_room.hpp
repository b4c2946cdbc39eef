#pragma once

#include <string_view>

namespace sb::session {

// The room of a route with `echo = true`: not a name a configured room can have (letters,
// digits, '-', '_', '.'). Each call that joins it hears itself.
inline constexpr std::string_view kEchoRoom = "*echo";

} // namespace sb::session
