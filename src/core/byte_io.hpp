#pragma once
// Big-endian ("network order") reads and writes over byte spans. Every binary protocol in
// Switchboard (RTP, STUN, PER, SCTP, …) goes through these two classes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sb {

// Reads big-endian integers from a span. A read past the end returns std::nullopt and leaves
// the position unchanged; it never reads out of bounds.
class ByteReader {
public:
    explicit ByteReader(std::span<const std::byte> data) noexcept : data_(data) {}

    std::size_t position() const noexcept { return pos_; }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool empty() const noexcept { return remaining() == 0; }

    std::optional<std::uint8_t> u8() noexcept { return read<std::uint8_t, 1>(); }
    std::optional<std::uint16_t> u16() noexcept { return read<std::uint16_t, 2>(); }
    std::optional<std::uint32_t> u24() noexcept { return read<std::uint32_t, 3>(); }
    std::optional<std::uint32_t> u32() noexcept { return read<std::uint32_t, 4>(); }
    std::optional<std::uint64_t> u64() noexcept { return read<std::uint64_t, 8>(); }

    // The next n bytes as a view, or nullopt if fewer remain.
    std::optional<std::span<const std::byte>> bytes(std::size_t n) noexcept {
        if (n > remaining()) return std::nullopt;
        auto view = data_.subspan(pos_, n);
        pos_ += n;
        return view;
    }
    bool skip(std::size_t n) noexcept {
        if (n > remaining()) return false;
        pos_ += n;
        return true;
    }
    std::span<const std::byte> rest() const noexcept { return data_.subspan(pos_); }

private:
    template <class T, std::size_t N>
    std::optional<T> read() noexcept {
        if (N > remaining()) return std::nullopt;
        T value = 0;
        for (std::size_t i = 0; i < N; ++i)
            value = static_cast<T>((value << 8) | std::to_integer<std::uint8_t>(data_[pos_ + i]));
        pos_ += N;
        return value;
    }

    std::span<const std::byte> data_;
    std::size_t pos_ = 0;
};

// Appends big-endian integers to a growable buffer.
class ByteWriter {
public:
    ByteWriter() = default;
    explicit ByteWriter(std::size_t reserve) { buf_.reserve(reserve); }

    void u8(std::uint8_t v) { put(v, 1); }
    void u16(std::uint16_t v) { put(v, 2); }
    void u24(std::uint32_t v) { put(v, 3); }
    void u32(std::uint32_t v) { put(v, 4); }
    void u64(std::uint64_t v) { put(v, 8); }
    void bytes(std::span<const std::byte> b) { buf_.insert(buf_.end(), b.begin(), b.end()); }

    // Overwrites a 16-bit value at an earlier offset (e.g. a length known only at the end).
    // Returns false if the offset is out of range.
    bool patchU16(std::size_t offset, std::uint16_t v) noexcept {
        if (offset + 2 > buf_.size()) return false;
        buf_[offset] = std::byte(v >> 8);
        buf_[offset + 1] = std::byte(v & 0xff);
        return true;
    }

    std::size_t size() const noexcept { return buf_.size(); }
    std::span<const std::byte> view() const noexcept { return buf_; }
    std::vector<std::byte> take() noexcept { return std::move(buf_); }

private:
    void put(std::uint64_t v, std::size_t n) {
        for (std::size_t i = n; i-- > 0;)
            buf_.push_back(std::byte((v >> (8 * i)) & 0xff));
    }

    std::vector<std::byte> buf_;
};

} // namespace sb
