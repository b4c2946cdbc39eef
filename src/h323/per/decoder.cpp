#include "h323/per/decoder.hpp"

#include "h323/per/encoder.hpp"

#include <algorithm>
#include <bit>
#include <fmt/format.h>

namespace sb::h323::per {

std::string Decoder::path() const {
    std::string path = parent_ != nullptr ? parent_->path() : std::string();
    for (std::size_t i = 0; i < std::min(depth_, path_.size()); ++i) {
        if (!path.empty()) path += '.';
        path += path_[i].name;
        if (path_[i].index >= 0) path += fmt::format("[{}]", path_[i].index);
    }
    return path;
}

void Decoder::fail(std::string_view what) {
    if (!error_.empty()) return;
    const auto where = path();
    error_ = where.empty() ? std::string(what) : where + ": " + std::string(what);
    position_ = in_.size() * 8; // nothing more is read
}

void Decoder::failShort(std::uint64_t n) {
    fail(fmt::format("the encoding ends {} bits early", n - bitsLeft()));
}

std::uint64_t Decoder::bitsSlowly(unsigned count) {
    std::uint64_t value = 0;
    while (count > 0) {
        const unsigned used = position_ % 8, room = 8 - used;
        const unsigned take = count < room ? count : room;
        const unsigned piece = (in_[position_ / 8] >> (room - take)) & ((1u << take) - 1);
        value = (value << take) | piece;
        position_ += take;
        count -= take;
    }
    return value;
}

std::vector<std::uint8_t> Decoder::octets(std::uint64_t n) {
    if (!have(8 * n)) return {};
    std::vector<std::uint8_t> out(static_cast<std::size_t>(n));
    if (position_ % 8 == 0) {
        std::copy_n(in_.begin() + static_cast<std::ptrdiff_t>(position_ / 8), n, out.begin());
        position_ += 8 * n;
    } else {
        for (auto& b : out)
            b = static_cast<std::uint8_t>(bits(8));
    }
    return out;
}

std::span<const std::uint8_t> Decoder::alignedOctets(std::uint64_t n) {
    align();
    if (!have(8 * n)) return {};
    const auto view = in_.subspan(position_ / 8, n);
    position_ += 8 * n;
    return view;
}

std::uint64_t Decoder::wholeNumberOctets(std::uint64_t range) {
    const std::uint64_t most = range == 0 ? 8 : (std::bit_width(range - 1) + 7) / 8;
    const auto n = constrainedWholeNumber(most) + 1;
    align();
    const auto offset = bits(static_cast<unsigned>(8 * n));
    if (range != 0 && offset >= range && ok()) failPastRange(offset, range);
    return ok() ? offset : 0;
}

void Decoder::failPastRange(std::uint64_t offset, std::uint64_t range) {
    fail(fmt::format("{} is past the range of {} values", offset, range));
}

std::uint64_t Decoder::normallySmall() {
    if (!bit()) return bits(6);
    return semiConstrained();
}

std::uint64_t Decoder::semiConstrained() {
    align();
    const auto n = bits(8);
    if (ok() && (n == 0 || n > 8)) fail(fmt::format("a whole number of {} octets", n));
    return ok() ? bits(static_cast<unsigned>(8 * n)) : 0;
}

std::int64_t Decoder::unconstrained() {
    align();
    const auto n = bits(8);
    if (ok() && (n == 0 || n > 8)) fail(fmt::format("a whole number of {} octets", n));
    if (!ok()) return 0;
    const auto raw = bits(static_cast<unsigned>(8 * n));
    const unsigned width = static_cast<unsigned>(8 * n);
    // Sign-extend from the top bit of the octets read.
    if (width < 64 && (raw >> (width - 1)) & 1)
        return static_cast<std::int64_t>(raw | (~std::uint64_t{0} << width));
    return static_cast<std::int64_t>(raw);
}

std::uint64_t Decoder::constrainedLength(std::uint64_t lb, std::uint64_t ub) {
    if (lb == ub) return lb;
    return lb + constrainedWholeNumber(ub - lb + 1);
}

std::uint64_t Decoder::normallySmallLength() {
    if (!bit()) return bits(6) + 1;
    std::uint64_t n = 0;
    (void)items(kUnbounded, 0, [&](std::uint64_t, std::uint64_t count) { n += count; });
    return n;
}

Decoder::Fragment Decoder::fragment(std::uint64_t most, std::uint64_t total, unsigned bitsEach) {
    align();
    const auto first = bits(8);
    if (!ok()) return {};
    Fragment part;
    if ((first & 0x80) == 0) {
        part.count = first;
    } else if ((first & 0xC0) == 0x80) {
        part.count = ((first & 0x3F) << 8) | bits(8);
    } else { // §11.9.3.8: m × 16K items, m 1..4, and another length after
        const auto m = first & 0x3F;
        if (m < 1 || m > 4) {
            fail(fmt::format("a length fragment of {} × 16K", m));
            return {};
        }
        part = {m * k16K, true};
    }
    if (part.count > most - total) {
        fail(fmt::format("a length of {} where at most {} can be", total + part.count, most));
        return {};
    }
    if (bitsEach != 0 && part.count > bitsLeft() / bitsEach) {
        fail(fmt::format("a length of {}, more than the rest of the encoding holds",
                         total + part.count));
        return {};
    }
    return part;
}

std::int64_t Decoder::extensibleInteger(std::int64_t lb, std::int64_t ub) {
    if (bit()) return unconstrained();
    return integer(lb, ub);
}

std::vector<std::uint8_t> Decoder::octetString(std::uint64_t lb, std::uint64_t ub) {
    if (lb == ub && ub < k64K) {
        if (ub > 2) align();
        return octets(ub);
    }
    if (ub < k64K) {
        const auto n = constrainedLength(lb, ub);
        if (n > 0) align();
        return octets(n);
    }
    std::vector<std::uint8_t> out;
    const auto n = items(ub, 8, [&](std::uint64_t, std::uint64_t count) {
        const auto part = alignedOctets(count);
        out.insert(out.end(), part.begin(), part.end());
    });
    if (ok() && n < lb) fail(fmt::format("{} octets, fewer than {}", n, lb));
    return out;
}

void Decoder::fixedOctetString(std::span<std::uint8_t> out) {
    if (out.size() > 2) align(); // §17.6: two octets and fewer are not aligned
    if (!have(8 * out.size())) return;
    if (position_ % 8 == 0) {
        std::memcpy(out.data(), in_.data() + position_ / 8, out.size());
        position_ += 8 * out.size();
        return;
    }
    for (auto& b : out)
        b = static_cast<std::uint8_t>(bits(8));
}
std::vector<std::uint8_t> Decoder::bitString(std::uint64_t lb, std::uint64_t ub,
                                             std::uint64_t& bitCount) {
    std::vector<std::uint8_t> out;
    const auto take = [&](std::uint64_t first, std::uint64_t count) {
        out.resize(static_cast<std::size_t>((first + count + 7) / 8));
        for (std::uint64_t i = first; i < first + count && ok(); ++i)
            if (bit()) out[i / 8] |= static_cast<std::uint8_t>(0x80u >> (i % 8));
    };
    bitCount = 0;
    if (lb == ub && ub < k64K) {
        if (ub > 16) align();
        if (have(ub)) take(0, ub);
        bitCount = ub;
    } else if (ub < k64K) {
        bitCount = constrainedLength(lb, ub);
        if (bitCount > 0) align();
        if (have(bitCount)) take(0, bitCount);
    } else {
        bitCount = items(ub, 1, take);
        if (ok() && bitCount < lb) fail(fmt::format("{} bits, fewer than {}", bitCount, lb));
    }
    if (!ok()) out.clear();
    return out; // not `ok() ? out : …`, which copies
}

std::string Decoder::characterString(const Alphabet& alphabet, std::uint64_t lb, std::uint64_t ub) {
    const unsigned b = alphabet.bits();
    std::string out;
    const auto take = [&](std::uint64_t, std::uint64_t count) {
        if (!have(count * b)) return;
        const std::size_t at = out.size();
        out.resize(at + static_cast<std::size_t>(count)); // have() checked that they are there
        // As many characters as 56 bits hold at a time (14 digits, 7 IA5 characters).
        const std::size_t perRead = b == 0 ? 56 : 56 / b, mask = (std::size_t{1} << b) - 1;
        for (std::size_t i = at; i < out.size();) {
            const std::size_t k = std::min(perRead, out.size() - i);
            const auto codes = bits(static_cast<unsigned>(k * b));
            for (std::size_t j = 0; j < k; ++j, ++i) {
                const auto code = (codes >> (b * (k - 1 - j))) & mask;
                const int c = alphabet.character(static_cast<std::uint32_t>(code));
                if (c < 0) return fail(fmt::format("character {} is not in the alphabet", i));
                out[i] = static_cast<char>(c);
            }
        }
    };
    const bool aligned = ub >= k64K || ub * b > 16;
    if (lb == ub && ub < k64K) {
        if (aligned) align();
        take(0, ub);
    } else if (ub < k64K) {
        const auto n = constrainedLength(lb, ub);
        if (aligned && n > 0) align();
        take(0, n);
    } else {
        const auto n = items(ub, b, take);
        if (ok() && n < lb) fail(fmt::format("{} characters, fewer than {}", n, lb));
    }
    if (!ok()) out.clear();
    return out;
}

std::u16string Decoder::bmpString(std::uint64_t lb, std::uint64_t ub) {
    std::u16string out;
    const auto take = [&](std::uint64_t, std::uint64_t count) {
        if (!have(count * 16)) return;
        const std::size_t at = out.size();
        out.resize(at + static_cast<std::size_t>(count));
        for (std::size_t i = at; i < out.size();) { // three code units a read
            const std::size_t k = std::min<std::size_t>(3, out.size() - i);
            const auto units = bits(static_cast<unsigned>(16 * k));
            for (std::size_t j = 0; j < k; ++j, ++i)
                out[i] = static_cast<char16_t>(units >> (16 * (k - 1 - j)));
        }
    };
    if (lb == ub && ub < k64K) {
        if (ub > 1) align();
        take(0, ub);
    } else if (ub < k64K) {
        const auto n = constrainedLength(lb, ub);
        if (ub > 1 && n > 0) align();
        take(0, n);
    } else {
        const auto n = items(ub, 16, take);
        if (ok() && n < lb) fail(fmt::format("{} characters, fewer than {}", n, lb));
    }
    if (!ok()) out.clear();
    return out;
}

ObjectIdentifier Decoder::objectIdentifier() {
    auto oid = objectIdentifierOrEmpty();
    if (oid.empty() && ok())
        fail(fmt::format("an object identifier longer than {} octets",
                         ObjectIdentifier::kMostOctets));
    return oid;
}

ObjectIdentifier Decoder::objectIdentifierOrEmpty() {
    // Its contents in place; assembled only when fragmented (an OID of 16K octets and more).
    std::vector<std::uint8_t> assembled;
    std::span<const std::uint8_t> content;
    std::size_t fragments = 0;
    (void)items(kUnbounded, 8, [&](std::uint64_t, std::uint64_t count) {
        const auto part = alignedOctets(count);
        if (fragments++ == 0) {
            content = part;
            return;
        }
        if (assembled.empty()) assembled.assign(content.begin(), content.end());
        assembled.insert(assembled.end(), part.begin(), part.end());
        content = assembled;
    });
    if (!ok()) return {};
    if (content.empty() || (content.back() & 0x80)) {
        fail("an object identifier that ends mid-arc");
        return {};
    }
    // X.690 §8.19.2: each subidentifier in the fewest octets; and ours are 32-bit arcs (the
    // first subidentifier, 40 × first + second, up to 80 more).
    std::uint64_t v = 0;
    bool first = true, starts = true;
    for (auto octet : content) {
        if (starts && octet == 0x80) {
            fail("an object identifier arc with a leading zero octet");
            return {};
        }
        v = (v << 7) | (octet & 0x7F);
        starts = (octet & 0x80) == 0;
        if (v > 0xFFFFFFFF + (first ? std::uint64_t{80} : 0)) {
            fail("an object identifier arc past 32 bits");
            return {};
        }
        if (starts) {
            v = 0;
            first = false;
        }
    }
    return ObjectIdentifier::fromContents(content);
}

std::vector<std::uint8_t> Decoder::openType() {
    std::vector<std::uint8_t> out;
    (void)items(kUnbounded, 8, [&](std::uint64_t, std::uint64_t count) {
        const auto part = alignedOctets(count);
        out.insert(out.end(), part.begin(), part.end());
    });
    return out;
}

std::span<const std::uint8_t> Decoder::openType(std::vector<std::uint8_t>& storage) {
    align();
    if (!have(8)) return {};
    const auto first = in_[position_ / 8];
    if ((first & 0xC0) == 0xC0) { // fragmented: assembled
        storage = openType();
        return storage;
    }
    const auto n = (first & 0x80) == 0 ? bits(8) : bits(16) & 0x3FFF;
    if (!have(n * 8)) return {};
    const auto value = in_.subspan(position_ / 8, n);
    position_ += n * 8;
    return value;
}

Decoder Decoder::nested(std::span<const std::uint8_t> encoding) const {
    Decoder inner(encoding);
    inner.parent_ = this;
    return inner;
}

void Decoder::absorb(const Decoder& inner) {
    if (auto done = inner.finish(); !done && ok()) {
        error_ = inner.ok() ? path() + ": " + done.error().message : done.error().message;
        position_ = in_.size() * 8;
    }
}

std::vector<bool> Decoder::extensionPresence() {
    const auto n = normallySmallLength();
    std::vector<bool> present;
    if (!ok() || !have(n)) return present;
    present.reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i)
        present.push_back(bit());
    return present;
}

Decoder::Alternative Decoder::enumerated(std::uint64_t rootCount, bool extensible) {
    return choice(rootCount, extensible); // the same layout (§14.2, §14.3)
}

Result<void> Decoder::finish() const {
    if (!ok()) return sb::fail(Errc::invalid_input, error_);
    // An empty value's complete encoding is one octet (§11.1.3).
    const std::uint64_t read = position_ == 0 ? 1 : (position_ + 7) / 8;
    const std::uint64_t leftOver = in_.size() > read ? in_.size() - read : 0;
    if (leftOver > 0)
        return sb::fail(Errc::invalid_input,
                        fmt::format("{} octets left over after the value", leftOver));
    return {};
}

} // namespace sb::h323::per
