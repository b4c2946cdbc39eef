#include "h323/per/encoder.hpp"

#include <algorithm>
#include <bit>

namespace sb::h323::per {
namespace {

// Octets needed for `n` as a non-negative binary integer, at least one (§11.3).
unsigned octetsFor(std::uint64_t n) {
    return n == 0 ? 1u : static_cast<unsigned>((std::bit_width(n) + 7) / 8);
}

} // namespace

void Encoder::grow(std::size_t n) {
    out_.resize(std::max(2 * out_.size(), used_ + n));
}

void Encoder::octets(std::span<const std::uint8_t> bytes) {
    if (pending_ % 8 == 0) {
        flush();
        reserve(bytes.size());
        if (!bytes.empty()) std::memcpy(out_.data() + used_, bytes.data(), bytes.size());
        used_ += bytes.size();
        return;
    }
    for (auto b : bytes)
        bits(b, 8);
}

void Encoder::wholeNumberOctets(std::uint64_t offset, std::uint64_t range) {
    // §11.5.7.4: the indefinite-length case; the octet count is itself constrained to
    // 1..the octets of range − 1 (§11.9.4.1 with §13.2.6 a)).
    const unsigned most = range == 0 ? 8 : octetsFor(range - 1);
    const unsigned n = octetsFor(offset);
    constrainedWholeNumber(n - 1, most);
    align();
    bits(offset, 8 * n);
}

void Encoder::normallySmall(std::uint64_t n) {
    if (n <= 63) {
        bit(false);
        return bits(n, 6);
    }
    bit(true);
    semiConstrained(n);
}

void Encoder::semiConstrained(std::uint64_t offset) {
    const unsigned n = octetsFor(offset);
    align();
    bits(n, 8); // an unconstrained length of at most 8 (§11.9.4.2)
    bits(offset, 8 * n);
}

void Encoder::unconstrained(std::int64_t n) {
    // The fewest octets of two's complement that keep the sign (§11.4).
    unsigned octets = 1;
    while (octets < 8) {
        const std::int64_t low = -(std::int64_t{1} << (8 * octets - 1));
        if (n >= low && n < -low) break;
        ++octets;
    }
    align();
    bits(octets, 8);
    bits(static_cast<std::uint64_t>(n), 8 * octets);
}

void Encoder::constrainedLength(std::uint64_t n, std::uint64_t lb, std::uint64_t ub) {
    if (lb == ub) return;
    constrainedWholeNumber(n - lb, ub - lb + 1);
}

void Encoder::normallySmallLength(std::uint64_t n) {
    if (n >= 1 && n <= 64) {
        bit(false);
        return bits(n - 1, 6);
    }
    bit(true);
    items(n, [](std::uint64_t, std::uint64_t) {}); // the length alone; its items follow
}

void Encoder::extensibleInteger(std::int64_t value, std::int64_t lb, std::int64_t ub) {
    const bool outside = value < lb || value > ub;
    bit(outside); // §13.1
    if (outside) return unconstrained(value);
    integer(value, lb, ub);
}

void Encoder::octetString(std::span<const std::uint8_t> bytes, std::uint64_t lb, std::uint64_t ub) {
    const std::uint64_t n = bytes.size();
    if (lb == ub && ub < k64K) { // §17.6, §17.7: a fixed size carries no length
        if (n > 2) align();
        return octets(bytes);
    }
    if (ub < k64K) {
        constrainedLength(n, lb, ub);
        if (n > 0) align();
        return octets(bytes);
    }
    items(n,
          [&](std::uint64_t first, std::uint64_t count) { octets(bytes.subspan(first, count)); });
}

void Encoder::bitString(std::span<const std::uint8_t> bytes, std::uint64_t bitCount,
                        std::uint64_t lb, std::uint64_t ub) {
    const auto emit = [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count; ++i)
            bit((bytes[i / 8] >> (7 - i % 8)) & 1);
    };
    if (lb == ub && ub < k64K) { // §16.9, §16.10
        if (bitCount > 16) align();
        return emit(0, bitCount);
    }
    if (ub < k64K) {
        constrainedLength(bitCount, lb, ub);
        if (bitCount > 0) align();
        return emit(0, bitCount);
    }
    items(bitCount, emit);
}

void Encoder::characterString(std::string_view text, const Alphabet& alphabet, std::uint64_t lb,
                              std::uint64_t ub) {
    const unsigned b = alphabet.bits();
    const auto emit = [&](std::uint64_t first, std::uint64_t count) {
        // As many characters as 56 bits hold at a time (14 digits, 7 IA5 characters).
        const std::uint64_t perWrite = b == 0 ? 56 : 56 / b;
        for (std::uint64_t i = first; i < first + count;) {
            const std::uint64_t k = std::min(perWrite, first + count - i);
            std::uint64_t codes = 0;
            for (std::uint64_t j = 0; j < k; ++j)
                codes = (codes << b) | static_cast<std::uint64_t>(alphabet.code(text[i++]));
            bits(codes, static_cast<unsigned>(k * b));
        }
    };
    const std::uint64_t n = text.size();
    // §30.5.7: aligned in the ALIGNED variant unless the longest string fits 16 bits.
    const bool aligned = ub >= k64K || ub * b > 16;
    if (lb == ub && ub < k64K) {
        if (aligned) align();
        return emit(0, n);
    }
    if (ub < k64K) {
        constrainedLength(n, lb, ub);
        if (aligned && n > 0) align();
        return emit(0, n);
    }
    items(n, emit);
}

void Encoder::bmpString(std::u16string_view text, std::uint64_t lb, std::uint64_t ub) {
    const auto emit = [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t i = first; i < first + count;) { // three code units a write
            const std::uint64_t k = std::min<std::uint64_t>(3, first + count - i);
            std::uint64_t units = 0;
            for (std::uint64_t j = 0; j < k; ++j)
                units = (units << 16) | text[i++];
            bits(units, static_cast<unsigned>(16 * k));
        }
    };
    const std::uint64_t n = text.size();
    if (lb == ub && ub < k64K) {
        if (ub > 1) align();
        return emit(0, n);
    }
    if (ub < k64K) {
        constrainedLength(n, lb, ub);
        if (ub > 1 && n > 0) align();
        return emit(0, n);
    }
    items(n, emit);
}

std::size_t Encoder::openTypeStart() {
    // The value starts on an octet boundary, so its alignment is that of an encoding of its
    // own; the one-octet length (under 128) is fixed up after, and widened to two (under 16K)
    // or to fragments (§11.9.3.8) when the value turns out longer.
    align();
    flush();
    reserve(1);
    out_[used_] = 0;
    return used_++;
}

void Encoder::openTypeEnd(std::size_t lengthAt) {
    const std::size_t start = lengthAt + 1;
    align();
    flush();
    if (used_ == start) { // §11.1.3: an empty value is one octet
        reserve(1);
        out_[used_++] = 0;
    }
    const std::size_t n = used_ - start;
    if (n < 128) {
        out_[lengthAt] = static_cast<std::uint8_t>(n);
    } else if (n < k16K) {
        reserve(1);
        std::memmove(out_.data() + start + 1, out_.data() + start, n);
        ++used_;
        out_[lengthAt] = static_cast<std::uint8_t>(0x80 | (n >> 8));
        out_[lengthAt + 1] = static_cast<std::uint8_t>(n & 0xFF);
    } else {
        const std::vector<std::uint8_t> value(out_.begin() + static_cast<std::ptrdiff_t>(start),
                                              out_.begin() + static_cast<std::ptrdiff_t>(used_));
        used_ = lengthAt;
        lengthAndOctets(value);
    }
}

void Encoder::openTypeOctets(std::span<const std::uint8_t> encoding) {
    lengthAndOctets(encoding);
}

void Encoder::lengthAndOctets(std::span<const std::uint8_t> bytes) {
    items(bytes.size(),
          [&](std::uint64_t first, std::uint64_t count) { octets(bytes.subspan(first, count)); });
}

void Encoder::extensionPresence(std::span<const bool> present) {
    normallySmallLength(present.size());
    for (bool p : present)
        bit(p);
}

void Encoder::choiceExtension(std::uint64_t index) {
    bit(true);
    normallySmall(index);
}

void Encoder::enumerated(std::uint64_t index, std::uint64_t rootCount, bool extensible,
                         bool extension) {
    // The same layout as a CHOICE's index (§14.2, §14.3).
    if (extension) return choiceExtension(index);
    choice(index, rootCount, extensible);
}

std::vector<std::uint8_t> Encoder::finish() {
    align();
    flush();
    if (used_ == 0) { // §11.1.3: never empty
        reserve(1);
        out_[used_++] = 0;
    }
    out_.resize(used_);
    return std::move(out_);
}

} // namespace sb::h323::per
