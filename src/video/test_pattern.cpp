#include "video/test_pattern.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <fmt/format.h>

namespace sb::video {
namespace {

// Seven rows of five pixels each, the leftmost the highest bit.
struct Glyph {
    char c;
    std::array<std::uint8_t, 7> rows;
};
constexpr std::array kFont = {
    Glyph{'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    Glyph{'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    Glyph{'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    Glyph{'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    Glyph{'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    Glyph{'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    Glyph{'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    Glyph{'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    Glyph{'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    Glyph{'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    Glyph{'a', {0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F}},
    Glyph{'b', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}},
    Glyph{'c', {0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E}},
    Glyph{'d', {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}},
    Glyph{'e', {0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E}},
    Glyph{'f', {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}},
    Glyph{':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    Glyph{'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    Glyph{'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    Glyph{'#', {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}},
};

const Glyph* glyphOf(char c) {
    for (const auto& glyph : kFont)
        if (glyph.c == c) return &glyph;
    return nullptr;
}

void fillPlane(std::uint8_t* plane, int stride, int x0, int y0, int w, int h, std::uint8_t value) {
    for (int y = y0; y < y0 + h; ++y)
        std::memset(plane + static_cast<std::ptrdiff_t>(y) * stride + x0, value,
                    static_cast<std::size_t>(w));
}

// Seven bars of 75% colour (ITU-R BT.801's order: white, yellow, cyan, green, magenta, red,
// blue), as BT.601 limited-range Y, Cb, Cr.
constexpr std::array<std::array<std::uint8_t, 3>, 7> kBars = {{
    {180, 128, 128},
    {162, 44, 142},
    {131, 156, 44},
    {112, 72, 58},
    {84, 184, 198},
    {65, 100, 212},
    {35, 212, 114},
}};

std::string clockText(std::int64_t captureMicros) {
    const std::time_t seconds = static_cast<std::time_t>(captureMicros / 1000000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    return fmt::format("{:02}:{:02}:{:02}.{:03}", utc.tm_hour, utc.tm_min, utc.tm_sec,
                       (captureMicros / 1000) % 1000);
}

} // namespace

void burnText(AVFrame& picture, int x, int y, int scale, std::string_view text) {
    const int cell = 6 * scale;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const Glyph* glyph = glyphOf(text[i]);
        const int left = x + static_cast<int>(i) * cell;
        // A black box behind each character keeps the text legible on any bar.
        if (left + cell > picture.width || y + 9 * scale > picture.height) return;
        fillPlane(picture.data[0], picture.linesize[0], left, y, cell, 9 * scale, 16);
        for (int plane : {1, 2})
            fillPlane(picture.data[plane], picture.linesize[plane], left / 2, y / 2, cell / 2,
                      9 * scale / 2, 128);
        if (!glyph) continue;
        for (int row = 0; row < 7; ++row)
            for (int column = 0; column < 5; ++column)
                if (glyph->rows[static_cast<std::size_t>(row)] & (0x10 >> column))
                    fillPlane(picture.data[0], picture.linesize[0], left + column * scale,
                              y + (row + 1) * scale, scale, scale, 235);
    }
}

void TestPattern::draw(AVFrame& picture, std::uint64_t number, std::int64_t captureMicros) const {
    // av_frame_make_writable: the encoder may still hold the last frame's buffers.
    av_frame_make_writable(&picture);
    const bool flash = flashEvery_ > 0 && number % static_cast<std::uint64_t>(flashEvery_) == 0;
    const int halfWidth = width_ / 2, halfHeight = height_ / 2;
    if (flash) {
        fillPlane(picture.data[0], picture.linesize[0], 0, 0, width_, height_, 235);
        fillPlane(picture.data[1], picture.linesize[1], 0, 0, halfWidth, halfHeight, 128);
        fillPlane(picture.data[2], picture.linesize[2], 0, 0, halfWidth, halfHeight, 128);
        return;
    }
    for (std::size_t bar = 0; bar < kBars.size(); ++bar) {
        // Even edges, so that the chroma planes line up with luma.
        const int x0 = static_cast<int>(bar) * width_ / 7 / 2 * 2;
        const int x1 =
            bar + 1 == kBars.size() ? width_ : static_cast<int>(bar + 1) * width_ / 7 / 2 * 2;
        fillPlane(picture.data[0], picture.linesize[0], x0, 0, x1 - x0, height_, kBars[bar][0]);
        fillPlane(picture.data[1], picture.linesize[1], x0 / 2, 0, (x1 - x0) / 2, halfHeight,
                  kBars[bar][1]);
        fillPlane(picture.data[2], picture.linesize[2], x0 / 2, 0, (x1 - x0) / 2, halfHeight,
                  kBars[bar][2]);
    }
    // The moving box: a sixteenth of the height, across the lower third, one step a frame.
    const int side = std::max(2, height_ / 16 / 2 * 2);
    const int travel = std::max(1, width_ - side);
    const int x = static_cast<int>(number * 4 % static_cast<std::uint64_t>(travel)) / 2 * 2;
    const int y = height_ * 2 / 3 / 2 * 2;
    fillPlane(picture.data[0], picture.linesize[0], x, y, side, side, 235);
    fillPlane(picture.data[1], picture.linesize[1], x / 2, y / 2, side / 2, side / 2, 128);
    fillPlane(picture.data[2], picture.linesize[2], x / 2, y / 2, side / 2, side / 2, 128);

    const int scale = std::max(1, height_ / 240);
    burnText(picture, 8 * scale, 8 * scale, scale,
             fmt::format("{} #{}", clockText(captureMicros), number));
    burnText(picture, 8 * scale, 20 * scale, scale, traceId_);
}

} // namespace sb::video
