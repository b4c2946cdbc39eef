#include "video/nal.hpp"

namespace sb::video {

const char* codecName(Codec codec) noexcept {
    return codec == Codec::h264 ? "H264" : "H265";
}

std::vector<Nal> splitAnnexB(std::span<const std::uint8_t> stream) {
    std::vector<Nal> units;
    const std::size_t n = stream.size();
    std::size_t start = n; // where the current unit begins, n while there is none
    std::size_t i = 0;
    const auto close = [&](std::size_t end) {
        while (end > start && stream[end - 1] == 0) // trailing_zero_8bits (B.2)
            --end;
        if (end > start) units.push_back(stream.subspan(start, end - start));
    };
    while (i + 2 < n) {
        if (stream[i + 2] > 1) { // neither 00 00 01 at i nor at i + 1
            i += 3;
            continue;
        }
        if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
            if (start != n) close(i);
            start = i + 3;
            i += 3;
            continue;
        }
        ++i;
    }
    if (start != n) close(n);
    return units;
}

int nalType(Codec codec, Nal nal) noexcept {
    if (nal.size() < nalHeaderBytes(codec)) return -1;
    return codec == Codec::h264 ? nal[0] & 0x1F : (nal[0] >> 1) & 0x3F;
}

bool isVcl(Codec codec, int type) noexcept {
    return codec == Codec::h264 ? type >= 1 && type <= 5 : type >= 0 && type <= 31;
}

bool isRandomAccess(Codec codec, int type) noexcept {
    return codec == Codec::h264 ? type == h264::kIdr
                                : type >= h265::kBlaFirst && type <= h265::kIrapLast;
}

void appendEscaped(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> rbsp) {
    int zeros = 0;
    for (const std::uint8_t b : rbsp) {
        if (zeros >= 2 && b <= 3) {
            out.push_back(3); // emulation_prevention_three_byte
            zeros = 0;
        }
        out.push_back(b);
        zeros = b == 0 ? zeros + 1 : 0;
    }
}

std::vector<std::uint8_t> unescape(std::span<const std::uint8_t> escaped) {
    std::vector<std::uint8_t> out;
    out.reserve(escaped.size());
    int zeros = 0;
    for (const std::uint8_t b : escaped) {
        if (zeros >= 2 && b == 3) {
            zeros = 0;
            continue;
        }
        out.push_back(b);
        zeros = b == 0 ? zeros + 1 : 0;
    }
    return out;
}

} // namespace sb::video
