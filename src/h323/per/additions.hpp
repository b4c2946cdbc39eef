#pragma once
// A SEQUENCE's extension additions (X.691 §19.7 to §19.9): after the root components, the
// bitmap of which additions are present, then each present one as an open type. The SEQUENCE's
// own encoder writes its extension bit (set when any is present) with its presence bits.

#include "h323/per/decoder.hpp"
#include "h323/per/encoder.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace sb::h323::per {

template <std::size_t N>
bool anyPresent(const std::array<bool, N>& present) {
    return std::any_of(present.begin(), present.end(), [](bool p) { return p; });
}

// The bitmap, as long as the type's additions (§19.7), and `write(i, e)` for each present one.
template <class Write>
void writeAdditions(Encoder& e, std::span<const bool> present, Write&& write) {
    e.extensionPresence(present);
    for (std::size_t i = 0; i < present.size(); ++i)
        if (present[i]) e.openType([&](Encoder& inner) { write(i, inner); });
}

// After an extension bit that was set: `read(i, inner)` decodes the i-th addition from a
// decoder of its own, and gives false for one it does not know, which is skipped (§19.9: a
// receiver of an earlier version ignores it). A known one must fill its open type exactly.
template <class Read>
void readAdditions(Decoder& d, Read&& read) {
    // The bitmap (§19.8) in a register when it is 64 bits or fewer, as nearly all are.
    const auto count = d.normallySmallLength();
    if (!d.ok()) return;
    if (count > d.bitsLeft()) return d.fail("an extension bitmap longer than the encoding");
    std::uint64_t few = 0;
    std::vector<bool> many;
    if (count <= 64) {
        few = d.bits(static_cast<unsigned>(count));
    } else {
        many.reserve(static_cast<std::size_t>(count));
        for (std::uint64_t i = 0; i < count; ++i)
            many.push_back(d.bit());
    }
    std::vector<std::uint8_t> storage;
    for (std::uint64_t i = 0; i < count && d.ok(); ++i) {
        if (!(count <= 64 ? (few >> (count - 1 - i)) & 1 : many[static_cast<std::size_t>(i)]))
            continue;
        auto inner = d.nested(d.openType(storage));
        if (d.ok() && read(static_cast<std::size_t>(i), inner)) d.absorb(inner);
    }
}

} // namespace sb::h323::per
