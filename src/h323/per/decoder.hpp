#pragma once
// The decoding half of our aligned PER (ITU-T X.691 (02/2021), ALIGNED variant): the mirror of
// encoder.hpp, call for call. It never reads past its input, refuses what breaks a constraint,
// and names the field: the message's decoder opens a Field for each component it reads, and
// the first error records the path of fields open at the time ("setup.fastStart[2]: …").
// After an error every read gives zeros and the decoder stays failed, so that a message's
// decoder need not check each call; it checks ok() where it would loop or allocate, and
// finish() at the end, which also refuses octets left over.

#include "core/result.hpp"
#include "h323/per/alphabet.hpp"
#include "h323/per/object_identifier.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sb::h323::per {

class Decoder {
public:
    explicit Decoder(std::span<const std::uint8_t> encoding) : in_(encoding) {}
    // It reads the encoding in place: one that would be gone at once is refused.
    explicit Decoder(std::vector<std::uint8_t>&&) = delete;

    bool bit() {
        if (!have(1)) return false;
        const bool b = (in_[position_ / 8] >> (7 - position_ % 8)) & 1;
        ++position_;
        return b;
    }
    std::uint64_t bits(unsigned count) {
        if (count == 0 || !have(count)) return 0;
        const std::size_t at = position_ / 8;
        if (count > 56) return bitsSlowly(count);
        // One unaligned 64-bit read; near the end (have() checked that the bits wanted are
        // among the octets left), of the last eight, shifted to start at `at`. Most of an
        // H.245 message's values are short open types, read near their ends.
        std::uint64_t window = 0;
        if (at + 8 <= in_.size()) [[likely]] {
            std::memcpy(&window, in_.data() + at, 8);
            window = __builtin_bswap64(window);
        } else if (in_.size() >= 8) {
            std::memcpy(&window, in_.data() + in_.size() - 8, 8);
            window = __builtin_bswap64(window) << 8 * (at + 8 - in_.size());
        } else {
            for (std::size_t i = 0; at + i < in_.size(); ++i)
                window |= std::uint64_t{in_[at + i]} << (56 - 8 * i);
        }
        window <<= position_ % 8;
        position_ += count;
        return window >> (64 - count);
    }
    // `N` bits in one read, the first first: a SEQUENCE's presence bitmap (X.691 §19.2).
    template <std::size_t N>
    std::array<bool, N> bitmap() {
        static_assert(N > 0 && N <= 56);
        const auto word = bits(N);
        std::array<bool, N> out;
        for (std::size_t i = 0; i < N; ++i)
            out[i] = (word >> (N - 1 - i)) & 1;
        return out;
    }
    void align() {
        position_ = (position_ + 7) / 8 * 8;
        if (position_ > in_.size() * 8) position_ = in_.size() * 8;
    }
    // `n` whole octets from the current bit position.
    std::vector<std::uint8_t> octets(std::uint64_t n);
    // The same in place, after aligning (empty after an error).
    std::span<const std::uint8_t> alignedOctets(std::uint64_t n);

    // The mirror of Encoder's methods of the same names (§11.5 to §11.9): offsets from the
    // lower bound where the encoder took offsets.
    std::uint64_t constrainedWholeNumber(std::uint64_t range) {
        if (range == 1) return 0;
        std::uint64_t offset = 0;
        if (range != 0 && range <= 255) {
            offset = bits(static_cast<unsigned>(std::bit_width(range - 1)));
        } else if (range == 256 || (range != 0 && range <= 65536)) { // §11.5.7.3
            align();
            offset = bits(range == 256 ? 8 : 16);
        } else {
            return wholeNumberOctets(range);
        }
        if (offset >= range) [[unlikely]] {
            failPastRange(offset, range);
            return 0;
        }
        return offset;
    }
    std::uint64_t normallySmall();
    std::uint64_t semiConstrained();
    std::int64_t unconstrained();
    std::uint64_t constrainedLength(std::uint64_t lb, std::uint64_t ub);
    std::uint64_t normallySmallLength();
    // An unconstrained length and its items: `take(first, count)` reads each fragment's. More
    // than `most` items in all (the type's bound) is an error, and so is a length whose items,
    // `bitsEach` bits at least each, the rest of the input cannot hold: nothing is allocated
    // for a length that lies. (A template, so that `take` is inlined: a generic capability's
    // parameters, an OID and an open type each have such a length.)
    template <class Take>
    std::uint64_t items(std::uint64_t most, unsigned bitsEach, Take&& take) {
        std::uint64_t total = 0;
        for (;;) {
            const auto part = fragment(most, total, bitsEach);
            if (!ok()) return 0;
            if (part.count > 0) take(total, part.count);
            total += part.count;
            if (!ok()) return 0;
            if (!part.more) return total;
        }
    }

    std::int64_t integer(std::int64_t lb, std::int64_t ub) {
        const auto range = static_cast<std::uint64_t>(ub) - static_cast<std::uint64_t>(lb) + 1;
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(lb) +
                                         constrainedWholeNumber(range));
    }
    std::int64_t extensibleInteger(std::int64_t lb, std::int64_t ub);
    std::vector<std::uint8_t> octetString(std::uint64_t lb, std::uint64_t ub);
    // OCTET STRING (SIZE (n)), n = out.size() (under 64K), into `out`: an address, a GUID.
    void fixedOctetString(std::span<std::uint8_t> out);
    // The bits in whole octets, the first bit first; `bitCount` says how many there are.
    std::vector<std::uint8_t> bitString(std::uint64_t lb, std::uint64_t ub,
                                        std::uint64_t& bitCount);
    std::string characterString(const Alphabet& alphabet, std::uint64_t lb, std::uint64_t ub);
    std::u16string bmpString(std::uint64_t lb, std::uint64_t ub);
    // One longer than ObjectIdentifier keeps (kMostOctets) is refused; where it may be left
    // out (a peer's capability, a non-standard identifier), the second reads past it and gives
    // an empty one.
    ObjectIdentifier objectIdentifier();
    ObjectIdentifier objectIdentifierOrEmpty();
    // An open type's encoding, for a decoder of its own (or kept as it came, if unknown).
    std::vector<std::uint8_t> openType();
    // The same in place when it came in one piece (under 16K octets), else assembled in
    // `storage`. Valid while the input and `storage` are.
    std::span<const std::uint8_t> openType(std::vector<std::uint8_t>& storage);
    // A decoder of an open type's value whose errors name this decoder's path; absorb() then
    // takes its error, or octets it left over, as this decoder's.
    Decoder nested(std::span<const std::uint8_t> encoding) const;
    void absorb(const Decoder& inner);

    // The mirrors of Encoder::extensionPresence, choice and enumerated: which additions are
    // present; the alternative (an extension one's index among the additions, with
    // `extension`); the enumeration's index likewise.
    std::vector<bool> extensionPresence();
    struct Alternative {
        std::uint64_t index = 0;
        bool extension = false;
    };
    Alternative choice(std::uint64_t rootCount, bool extensible) {
        if (extensible && bit()) return {normallySmall(), true};
        return {constrainedWholeNumber(rootCount), false};
    }
    Alternative enumerated(std::uint64_t rootCount, bool extensible);

    // The component being read, for errors: open one per component, with its index in a
    // SEQUENCE OF.
    class Field {
    public:
        Field(Decoder& d, const char* name, int index = -1) : d_(d) { d_.push(name, index); }
        ~Field() { d_.pop(); }
        Field(const Field&) = delete;
        Field& operator=(const Field&) = delete;

    private:
        Decoder& d_;
    };
    // Records the first error, "path: what", and fails every read after.
    void fail(std::string_view what);
    bool ok() const noexcept { return error_.empty(); }
    // The error (Errc::invalid_input naming the field), or octets left over after the value.
    Result<void> finish() const;
    std::uint64_t bitsLeft() const noexcept { return in_.size() * 8 - position_; }

private:
    std::string path() const;
    // Fields open and close in pairs (Field); path() names the first path_.size() of them.
    void push(const char* name, int index) {
        if (depth_ < path_.size()) [[likely]]
            path_[depth_] = {name, index};
        ++depth_;
    }
    void pop() noexcept { --depth_; }
    struct Fragment {
        std::uint64_t count = 0;
        bool more = false; // a fragment of 16K to 64K items, another length follows
    };
    // items()'s length determinant of one fragment, checked against `most` and the input.
    Fragment fragment(std::uint64_t most, std::uint64_t total, unsigned bitsEach);
    // False (after failing) when fewer than `n` bits are left; after an error none are.
    bool have(std::uint64_t n) {
        if (n <= bitsLeft()) [[likely]]
            return true;
        failShort(n);
        return false;
    }
    void failShort(std::uint64_t n);
    void failPastRange(std::uint64_t offset, std::uint64_t range);
    std::uint64_t bitsSlowly(unsigned count);
    // constrainedWholeNumber's indefinite-length case (a range above 64K).
    std::uint64_t wholeNumberOctets(std::uint64_t range);

    std::span<const std::uint8_t> in_;
    const Decoder* parent_ = nullptr; // a nested decoder's: the start of its path
    std::uint64_t position_ = 0;      // in bits
    std::string error_;
    struct Step {
        const char* name;
        int index;
    };
    std::array<Step, 32> path_; // the first depth_ are set: a decoder is made for each open
                                // type, and clearing 512 octets each time is not free
    std::size_t depth_ = 0;
};

} // namespace sb::h323::per
