#pragma once
// An OBJECT IDENTIFIER, held in place as the contents octets that X.691 §24 carries (X.690
// §8.19: the first two arcs as 40 × first + second, then each arc in base 128, the high bit
// set on every octet but an arc's last). Every H.225.0 and H.245 message carries one (its
// protocolIdentifier) and a capability set several: kept as octets, an identifier is decoded
// with one copy and encoded with another, and compared octet by octet, which is comparing the
// arcs, since each arc has one encoding (X.690 §8.19.2: no leading 0x80 octet; the decoder
// refuses one). 32 octets hold every identifier H.225.0 and H.245 define (a generic
// capability's, the longest, takes 11); a longer one is refused, or read past where it may be
// left out (Decoder::objectIdentifierOrEmpty()).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

namespace sb::h323::per {

class ObjectIdentifier {
public:
    static constexpr std::size_t kMostOctets = 32;

    constexpr ObjectIdentifier() = default;
    // From its arcs; empty when they take more than kMostOctets, or are fewer than two.
    constexpr ObjectIdentifier(std::initializer_list<std::uint32_t> arcs)
        : ObjectIdentifier(std::span<const std::uint32_t>(arcs.begin(), arcs.size())) {}
    constexpr explicit ObjectIdentifier(std::span<const std::uint32_t> arcs) {
        if (arcs.size() < 2) return;
        bool fits = put(std::uint64_t{40} * arcs[0] + arcs[1]);
        for (std::size_t i = 2; fits && i < arcs.size(); ++i)
            fits = put(arcs[i]);
        if (!fits) size_ = 0;
    }
    // From contents octets that Decoder::objectIdentifier() checked; empty when too many.
    static ObjectIdentifier fromContents(std::span<const std::uint8_t> contents) {
        ObjectIdentifier oid;
        if (contents.size() > kMostOctets) return oid;
        std::copy(contents.begin(), contents.end(), oid.contents_.begin());
        oid.size_ = static_cast<std::uint8_t>(contents.size());
        return oid;
    }

    constexpr std::span<const std::uint8_t> contents() const noexcept {
        return {contents_.data(), size_};
    }
    constexpr bool empty() const noexcept { return size_ == 0; }
    // The arcs, decoded (for display and tests; comparing needs none of this).
    std::vector<std::uint32_t> arcs() const {
        std::vector<std::uint32_t> out;
        std::uint64_t v = 0;
        for (auto octet : contents()) {
            v = (v << 7) | (octet & 0x7F);
            if (octet & 0x80) continue;
            if (out.empty()) {
                const std::uint64_t first = v < 80 ? v / 40 : 2;
                out.push_back(static_cast<std::uint32_t>(first));
                v -= 40 * first;
            }
            out.push_back(static_cast<std::uint32_t>(v));
            v = 0;
        }
        return out;
    }

    constexpr bool operator==(const ObjectIdentifier& other) const noexcept {
        return std::ranges::equal(contents(), other.contents());
    }

private:
    // One subidentifier in base 128, most significant group first; false when it does not fit.
    constexpr bool put(std::uint64_t v) {
        std::size_t groups = 1;
        while (groups < 10 && (v >> (7 * groups)) != 0)
            ++groups;
        if (size_ + groups > kMostOctets) return false;
        for (std::size_t g = groups; g-- > 0;)
            contents_[size_++] =
                static_cast<std::uint8_t>(((v >> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
        return true;
    }

    std::array<std::uint8_t, kMostOctets> contents_{};
    std::uint8_t size_ = 0;
};

} // namespace sb::h323::per
