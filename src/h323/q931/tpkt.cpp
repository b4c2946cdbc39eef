#include "h323/q931/tpkt.hpp"

#include <cstring>
#include <fmt/format.h>

namespace sb::h323 {

std::vector<std::uint8_t> tpktFrame(std::span<const std::uint8_t> payload) {
    const std::size_t length = payload.size() + kTpktHeader; // at most 65,535 (RFC 1006 §6)
    std::vector<std::uint8_t> out;
    out.reserve(length);
    for (auto b : {std::uint8_t{3}, std::uint8_t{0}, static_cast<std::uint8_t>(length >> 8),
                   static_cast<std::uint8_t>(length & 0xFF)})
        out.push_back(b);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

void TpktReader::add(std::span<const std::uint8_t> bytes) {
    if (taken_ > 0) {
        const std::size_t left = buffer_.size() - taken_;
        std::memmove(buffer_.data(), buffer_.data() + taken_, left);
        buffer_.resize(left);
        taken_ = 0;
    }
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<std::vector<std::uint8_t>>> TpktReader::next() {
    std::size_t left = buffer_.size() - taken_;
    const std::uint8_t* h = buffer_.data() + taken_;
    std::size_t length = 0;
    for (;; left -= kTpktHeader, h += kTpktHeader, taken_ += kTpktHeader) {
        if (left < kTpktHeader) return std::optional<std::vector<std::uint8_t>>();
        if (h[0] != 3)
            return fail(Errc::invalid_input, fmt::format("TPKT: version {}, not 3", h[0]));
        length = (std::size_t{h[2]} << 8) | h[3];
        if (length != kTpktHeader) break; // else a keep-alive
    }
    if (length < kTpktHeader)
        return fail(Errc::invalid_input, fmt::format("TPKT: a length of {}", length));
    if (left < length) return std::optional<std::vector<std::uint8_t>>();
    std::vector<std::uint8_t> payload(h + kTpktHeader, h + length);
    taken_ += length;
    if (taken_ == buffer_.size()) {
        buffer_.clear();
        taken_ = 0;
    }
    return std::optional(std::move(payload));
}

} // namespace sb::h323
