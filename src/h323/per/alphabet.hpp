#pragma once
// The effective alphabet of a known-multiplier character string (X.691 §30): its characters,
// how many bits each takes in the ALIGNED variant, and whether a character goes as its own code
// or as its index in the alphabet (§30.5.4): b is the bits for the alphabet's size − 1, rounded
// up to a power of two (§30.5.3); the code itself when the largest code fits b bits.

#include <array>
#include <cstdint>
#include <string_view>

namespace sb::h323::per {

class Alphabet {
public:
    // `chars` in ascending order, distinct (a type's characters, or its PermittedAlphabet).
    constexpr explicit Alphabet(std::string_view chars) : chars_(chars) {
        unsigned b = 0;
        while ((std::size_t{1} << b) < chars.size())
            ++b;
        bits_ = b == 0 ? 0 : 1;
        while (bits_ < b)
            bits_ *= 2;
        indexed_ = static_cast<unsigned char>(chars.back()) >= (1u << bits_);
        index_.fill(-1);
        for (std::size_t i = 0; i < chars.size(); ++i)
            index_[static_cast<unsigned char>(chars[i])] = static_cast<std::int16_t>(i);
    }
    unsigned bits() const noexcept { return bits_; }
    // The code a character goes as, or -1 when it is not in the alphabet.
    int code(char c) const noexcept {
        const int i = index_[static_cast<unsigned char>(c)];
        return i < 0 || indexed_ ? i : static_cast<unsigned char>(c);
    }
    // The character a code stands for, or -1 when none does.
    int character(std::uint32_t code) const noexcept {
        if (indexed_) return code < chars_.size() ? static_cast<unsigned char>(chars_[code]) : -1;
        return code < 256 && index_[code] >= 0 ? static_cast<int>(code) : -1;
    }

private:
    std::string_view chars_;
    unsigned bits_ = 8;
    bool indexed_ = false;
    std::array<std::int16_t, 256> index_{};
};

// IA5String: the 128 codes of ISO 646 (X.680 §41, Table 8), 8 bits each in ALIGNED PER.
inline constexpr std::string_view kIa5Chars{
    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
    "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_"
    "`abcdefghijklmnopqrstuvwxyz{|}~\x7f",
    128};
inline const Alphabet kIa5{kIa5Chars};
// NumericString: space and the digits (X.680 §41.2), 4 bits each, as indexes.
inline const Alphabet kNumeric{" 0123456789"};
// H.225.0's dialedDigits, IA5String (FROM ("0123456789#*,")), in ascending order.
inline const Alphabet kDialedDigits{"#*,0123456789"};

} // namespace sb::h323::per
