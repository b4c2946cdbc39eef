#pragma once
// A weekly window of local wall-clock time ("mon–fri 08:00–18:00"), shared by the guard's
// office hours and the registry's on-call schedules. Pure arithmetic: the caller turns an
// instant into a local weekday and minute with its time zone (date/tz), so that daylight-
// saving changes are handled where the zone is known.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb {

// Weekdays are numbered as date::weekday and struct tm's tm_wday: 0 = Sunday … 6 = Saturday.
inline constexpr std::uint8_t kEveryDay = 0x7f;

struct WeeklyWindow {
    std::uint8_t days = kEveryDay; // bit d: the window opens on weekday d
    int from = 0;                  // minutes after local midnight, 0 … 1439
    int to = 1440;                 // 1 … 1440 ("24:00"); to <= from: it closes the next day

    // True when local weekday `weekday` (0 = Sunday) at `minute` after midnight is inside. A
    // window that crosses midnight ("fri 22:00–06:00") belongs to the day it opens on, so it
    // covers Friday 22:00 to Saturday 06:00.
    bool contains(unsigned weekday, int minute) const noexcept;
    bool crossesMidnight() const noexcept { return to <= from; }

    bool operator==(const WeeklyWindow&) const = default;
};

// "HH:MM" (two digits each) → minutes after midnight; "24:00" only when `allowEndOfDay`.
std::optional<int> parseClock(std::string_view text, bool allowEndOfDay);
std::string formatClock(int minutes); // 0 … 1440 → "HH:MM"

// "mon" … "sun" (lower case) → 0 = Sunday … 6 = Saturday.
std::optional<unsigned> parseWeekday(std::string_view name);
std::string_view weekdayName(unsigned weekday); // 0 … 6 → "sun" … "sat"

// The names of the days in `days`, Monday first ("mon", "tue", …), as written in files.
std::vector<std::string_view> weekdayNames(std::uint8_t days);

} // namespace sb
