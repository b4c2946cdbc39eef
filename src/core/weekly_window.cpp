#include "core/weekly_window.hpp"

#include <array>

namespace sb {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

bool has(std::uint8_t days, unsigned weekday) {
    return (days >> weekday) & 1u;
}

} // namespace

bool WeeklyWindow::contains(unsigned weekday, int minute) const noexcept {
    if (weekday > 6) return false;
    if (!crossesMidnight()) return has(days, weekday) && minute >= from && minute < to;
    // The evening part belongs to today's window, the morning part to yesterday's.
    const unsigned yesterday = (weekday + 6) % 7;
    return (has(days, weekday) && minute >= from) || (has(days, yesterday) && minute < to);
}

std::optional<int> parseClock(std::string_view text, bool allowEndOfDay) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (text.size() != 5 || text[2] != ':' || !digit(text[0]) || !digit(text[1]) ||
        !digit(text[3]) || !digit(text[4]))
        return std::nullopt;
    const int hours = (text[0] - '0') * 10 + (text[1] - '0');
    const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (hours == 24 && minutes == 0 && allowEndOfDay) return 1440;
    if (hours > 23 || minutes > 59) return std::nullopt;
    return hours * 60 + minutes;
}

std::string formatClock(int minutes) {
    std::string out = "00:00";
    if (minutes < 0 || minutes > 1440) return out;
    out[0] = static_cast<char>('0' + minutes / 600);
    out[1] = static_cast<char>('0' + minutes / 60 % 10);
    out[3] = static_cast<char>('0' + minutes % 60 / 10);
    out[4] = static_cast<char>('0' + minutes % 10);
    return out;
}

std::optional<unsigned> parseWeekday(std::string_view name) {
    for (unsigned d = 0; d < kDayNames.size(); ++d)
        if (kDayNames[d] == name) return d;
    return std::nullopt;
}

std::string_view weekdayName(unsigned weekday) {
    return weekday < kDayNames.size() ? kDayNames[weekday] : std::string_view("?");
}

std::vector<std::string_view> weekdayNames(std::uint8_t days) {
    std::vector<std::string_view> out;
    for (unsigned i = 1; i <= 7; ++i) // Monday first, Sunday last
        if (has(days, i % 7)) out.push_back(kDayNames[i % 7]);
    return out;
}

} // namespace sb
