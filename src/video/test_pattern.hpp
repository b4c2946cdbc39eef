#pragma once
// The test pattern source: colour bars, a box that moves one step a frame (so that every
// frame differs and a frozen picture shows), and burnt into the picture the wall-clock time of
// capture, the frame number and the escalation's trace id. With `flashEvery`, the whole
// picture turns white for one frame at each multiple of that many frames: a lip-sync
// measurement pairs the flashes with the beeps of the call's audio.

#include "video/av.hpp"

#include <cstdint>
#include <string>

namespace sb::video {

class TestPattern {
public:
    TestPattern(int width, int height, std::string traceId, int flashEvery = 0)
        : width_(width), height_(height), traceId_(std::move(traceId)), flashEvery_(flashEvery) {}

    // Draws frame `number`, captured at `captureMicros` (since 1970, UTC), into `picture`
    // (YUV 4:2:0 of the pattern's size).
    void draw(AVFrame& picture, std::uint64_t number, std::int64_t captureMicros) const;

private:
    int width_, height_;
    std::string traceId_;
    int flashEvery_;
};

// Writes `text` into the luma plane at (x, y) with a 5×7 font scaled by `scale`: digits,
// a–f (the ids are lowercase hex), and : . - # and space; other characters are left blank.
void burnText(AVFrame& picture, int x, int y, int scale, std::string_view text);

} // namespace sb::video
