#pragma once
// IANA time zones (the system's tz database, through Howard Hinnant's date/tz), for on-call
// windows and policy hours.

#include <string_view>

namespace date {
class time_zone;
}

namespace sb {

// The zone named `name` ("Europe/Berlin"), or nullptr when the name is unknown or is not made
// of the characters IANA names use (checked first, so that no path-like text reaches the
// database).
const date::time_zone* findZone(std::string_view name);

} // namespace sb
