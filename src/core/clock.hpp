#pragma once
// Wall-clock time as the records carry it: Unix time in milliseconds (witness entries, tree
// heads, escalations' times).

#include <chrono>
#include <cstdint>

namespace sb {

inline std::int64_t unixTimeMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The same in microseconds (a video frame's capture time).
inline std::int64_t unixTimeMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace sb
