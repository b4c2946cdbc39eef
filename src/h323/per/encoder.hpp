#pragma once
// The encoding half of our aligned PER (ITU-T X.691 (02/2021), the ALIGNED variant), for the
// types H.225.0 and H.245 use. Generated code does not call this; hand-written encoders of the
// message types do (docs/ARCHITECTURE.md "H.323": why hand-written), one call per field, in the
// order X.691 lays the fields out. Section numbers below are X.691's.
//
// Bits go most significant first into octets (§11.1); align() pads the last octet with zero
// bits where a field is "octet-aligned in the ALIGNED variant". finish() gives the complete
// encoding, a whole number of octets (§11.1.3), at least one (§11.1.3: an empty one is 0x00).

#include "h323/per/alphabet.hpp"
#include "h323/per/object_identifier.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace sb::h323::per {

// 64K: where lengths stop being constrained whole numbers (§11.9.4.1), and 16K, the fragment
// unit of longer ones (§11.9.3.8).
inline constexpr std::uint64_t k64K = 65536;
inline constexpr std::uint64_t k16K = 16384;
// A size constraint's upper bound when there is none (SIZE (lb..MAX), or no constraint).
inline constexpr std::uint64_t kUnbounded = ~std::uint64_t{0};

class Encoder {
public:
    Encoder() : out_(256) {}

    void bit(bool b) {
        acc_ = (acc_ << 1) | static_cast<std::uint64_t>(b);
        if (++pending_ == 64) spill();
    }
    // The low `count` bits of `value` (count ≤ 64), most significant first.
    void bits(std::uint64_t value, unsigned count) {
        if (count == 0) return;
        if (count < 64) value &= (std::uint64_t{1} << count) - 1;
        const unsigned room = 64 - pending_;
        if (count < room) {
            acc_ = (acc_ << count) | value;
            pending_ += count;
            return;
        }
        const unsigned rest = count - room; // < 64: room is at least 1
        acc_ = room == 64 ? value >> rest : (acc_ << room) | (value >> rest);
        pending_ = 64;
        spill();
        acc_ = rest == 0 ? 0 : value & ((std::uint64_t{1} << rest) - 1);
        pending_ = rest;
    }
    // Zero bits up to the next octet boundary.
    void align() {
        const unsigned pad = (8 - pending_ % 8) % 8;
        if (pad == 0) return;
        acc_ <<= pad;
        if ((pending_ += pad) == 64) spill();
    }
    // Whole octets, from the current bit position (callers align first where X.691 says so).
    void octets(std::span<const std::uint8_t> bytes);

    // §11.5.7: a constrained whole number, given as its offset from the lower bound and the
    // range ub − lb + 1 (0 for a range of 2^64). The bit-field case up to 255, one aligned
    // octet for 256, two for up to 64K, and above that the indefinite-length case: the octet
    // count as a constrained whole number, then the octets, aligned.
    void constrainedWholeNumber(std::uint64_t offset, std::uint64_t range) {
        if (range == 1) return; // §11.5.4: a range of one value takes no bits
        // §11.5.7.2: the bit-field case, in the bits of range − 1
        if (range != 0 && range <= 255)
            return bits(offset, static_cast<unsigned>(std::bit_width(range - 1)));
        // §11.5.7.3: one aligned octet for a range of 256, two for up to 64K.
        if (range == 256 || (range != 0 && range <= k64K)) {
            align();
            return bits(offset, range == 256 ? 8 : 16);
        }
        wholeNumberOctets(offset, range);
    }
    // §11.6: a normally small non-negative whole number (a CHOICE's or ENUMERATED's extension
    // index).
    void normallySmall(std::uint64_t n);
    // §11.7: a semi-constrained whole number, given as its offset from the lower bound.
    void semiConstrained(std::uint64_t offset);
    // §11.8: an unconstrained whole number (two's complement).
    void unconstrained(std::int64_t n);

    // §11.9: the length of something whose size is constrained to lb..ub: nothing when they
    // are equal, a constrained whole number when ub < 64K. Otherwise (ub ≥ 64K, or
    // kUnbounded) use items(), which also fragments (§11.9.3.8).
    void constrainedLength(std::uint64_t n, std::uint64_t lb, std::uint64_t ub);
    // §11.9.3.4: a normally small length (an extension bitmap's, 1 to 64 mostly).
    void normallySmallLength(std::uint64_t n);
    // §11.9.4.2: `n` items with an unconstrained length determinant, in fragments of 16K, 32K,
    // 48K or 64K items each (§11.9.3.8): `emit(first, count)` writes items first…first+count−1.
    template <class Emit>
    void items(std::uint64_t n, Emit&& emit) {
        align();
        std::uint64_t first = 0;
        for (;;) {
            const std::uint64_t left = n - first;
            if (left < 128) {
                bits(left, 8);
            } else if (left < k16K) {
                bits(0x8000 | left, 16);
            } else { // §11.9.3.8: a fragment of m × 16K items, m 1..4
                const std::uint64_t m = left / k16K < 4 ? left / k16K : 4;
                bits(0xC0 | m, 8);
                emit(first, m * k16K);
                first += m * k16K;
                align();
                continue; // and a final length after, 0 if nothing is left
            }
            if (left > 0) emit(first, left);
            return;
        }
    }

    // §13: INTEGER (lb..ub), and with an extension marker (…) a value outside it.
    void integer(std::int64_t value, std::int64_t lb, std::int64_t ub) {
        constrainedWholeNumber(static_cast<std::uint64_t>(value) - static_cast<std::uint64_t>(lb),
                               static_cast<std::uint64_t>(ub) - static_cast<std::uint64_t>(lb) + 1);
    }
    void extensibleInteger(std::int64_t value, std::int64_t lb, std::int64_t ub);
    // §17: OCTET STRING (SIZE (lb..ub)); ub kUnbounded for none.
    void octetString(std::span<const std::uint8_t> bytes, std::uint64_t lb, std::uint64_t ub);
    // §16: BIT STRING (SIZE (lb..ub)), `bits` bits of `bytes` from the first octet's first bit.
    void bitString(std::span<const std::uint8_t> bytes, std::uint64_t bits, std::uint64_t lb,
                   std::uint64_t ub);
    // §30: a known-multiplier character string (IA5String, NumericString, PrintableString,
    // VisibleString) of `alphabet`, SIZE (lb..ub), ub kUnbounded for none. The characters
    // must be in the alphabet (the message's encoder checks its values first).
    void characterString(std::string_view text, const Alphabet& alphabet, std::uint64_t lb,
                         std::uint64_t ub);
    // §30: BMPString, SIZE (lb..ub), as UTF-16 code units.
    void bmpString(std::u16string_view text, std::uint64_t lb, std::uint64_t ub);
    // §24: OBJECT IDENTIFIER, its contents octets (X.690 §8.19) with their length.
    void objectIdentifier(const ObjectIdentifier& oid) { lengthAndOctets(oid.contents()); }
    // §11.2: an open type (an extension addition, or an unknown alternative's value): what
    // `inner` encodes, as a whole encoding of its own, then its length and octets.
    template <class Inner>
    void openType(Inner&& inner) {
        const auto lengthAt = openTypeStart();
        inner(*this);
        openTypeEnd(lengthAt);
    }
    // An open type whose encoding is at hand already (an unknown extension kept as it came).
    void openTypeOctets(std::span<const std::uint8_t> encoding);

    // §19: a SEQUENCE's extension additions, after its root components (whose extension bit,
    // set when any addition is present, and presence bits are plain bit() calls): the bitmap
    // of which are present, as a normally small length and the bits (§19.8); each present one
    // then follows as an open type.
    void extensionPresence(std::span<const bool> present);
    // §23: a CHOICE's alternative: `index` among the root's `rootCount`, after the extension
    // bit when the type is `extensible`; then the alternative's value.
    void choice(std::uint64_t index, std::uint64_t rootCount, bool extensible) {
        if (extensible) bit(false);
        constrainedWholeNumber(index, rootCount);
    }
    // §23.8: an extension alternative, the `index`th addition; its value follows as an open
    // type.
    void choiceExtension(std::uint64_t index);
    // §14: an ENUMERATED value, the `index`th of the root's `rootCount` in order of value, or
    // with `extension` the index-th addition.
    void enumerated(std::uint64_t index, std::uint64_t rootCount, bool extensible,
                    bool extension = false);

    // The complete encoding (§11.1.3).
    std::vector<std::uint8_t> finish();

private:
    // openType()'s two halves: the value is written in place, after a one-octet length that
    // openTypeEnd() fixes up (and widens when the value turns out longer).
    std::size_t openTypeStart();
    void openTypeEnd(std::size_t lengthAt);
    // constrainedWholeNumber's indefinite-length case (a range above 64K).
    void wholeNumberOctets(std::uint64_t offset, std::uint64_t range);
    // An unconstrained length and whole octets, aligned (an open type's, an OID's).
    void lengthAndOctets(std::span<const std::uint8_t> bytes);

    // Room for `n` more octets after the used_ ones.
    void reserve(std::size_t n) {
        if (used_ + n > out_.size()) [[unlikely]]
            grow(n);
    }
    void grow(std::size_t n);
    // Writes the pending bits (a whole number of octets) to out_: one 8-octet store, of which
    // the octets past the pending ones are overwritten by the next.
    void flush() {
        const unsigned n = pending_ / 8;
        if (n > 0) {
            reserve(8);
            // The pending octets to the top of the register, in memory order.
            const std::uint64_t octets = __builtin_bswap64(acc_ << (64 - pending_));
            std::memcpy(out_.data() + used_, &octets, 8);
            used_ += n;
        }
        acc_ = 0;
        pending_ = 0;
    }
    // flush() when all 64 are pending.
    void spill() { flush(); }

    // Bits go to acc_, a 64-bit register (the last `pending_` bits, the latest lowest), and on
    // to out_ as whole octets when it fills or the encoding needs its octets (§11.1 order).
    // out_ is sized ahead (its first used_ octets are the encoding so far), so that a flush is
    // a store and not an insert.
    std::vector<std::uint8_t> out_;
    std::size_t used_ = 0;
    std::uint64_t acc_ = 0;
    unsigned pending_ = 0;
};

} // namespace sb::h323::per
