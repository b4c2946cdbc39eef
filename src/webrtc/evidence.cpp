#include "webrtc/evidence.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>
#include <openssl/evp.h>

namespace sb::webrtc {
namespace {

constexpr char kMagic[4] = {'S', 'B', 'E', '1'};
// RFC 8841 §6.1: a peer with no limit takes what its memory allows; a browser takes 256 KiB.
constexpr std::uint64_t kUnlimited = 262144;

std::uint32_t read32(const std::byte* p) {
    return (std::to_integer<std::uint32_t>(p[0]) << 24) |
           (std::to_integer<std::uint32_t>(p[1]) << 16) |
           (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
}

void put32(std::vector<std::byte>& out, std::uint32_t v) {
    for (int shift : {24, 16, 8, 0})
        out.push_back(static_cast<std::byte>((v >> shift) & 0xFF));
}

} // namespace

Sha256 sha256Of(std::span<const std::byte> bytes) {
    Sha256 digest{};
    unsigned int size = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr);
    return digest;
}

std::string hexOf(std::span<const std::uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes)
        out += fmt::format("{:02x}", b);
    return out;
}

std::size_t evidenceChunkPayload(std::uint64_t peerLargestMessage) {
    const std::uint64_t largest = peerLargestMessage == 0 ? kUnlimited : peerLargestMessage;
    // Janus and aiortc take at most 65,535 bytes, so the header comes out of a 64 KiB chunk.
    // A limit that leaves no payload is refused where it is read (readSctp); here it would
    // divide by zero, so a chunk carries a header's worth at least.
    return static_cast<std::size_t>(
               std::clamp<std::uint64_t>(largest, 2 * kEvidenceChunkHeader, kUnlimited)) -
           kEvidenceChunkHeader;
}

std::uint64_t evidenceChunkLimitAsText(std::uint64_t peerLargestMessage, std::size_t envelope) {
    const std::uint64_t message = evidenceChunkPayload(peerLargestMessage) + kEvidenceChunkHeader;
    const std::uint64_t payload = message > envelope ? (message - envelope) / 4 * 3 : 0;
    return payload + kEvidenceChunkHeader;
}

Result<EvidenceChunk> readEvidenceChunk(std::span<const std::byte> m) {
    if (m.size() < kEvidenceChunkHeader)
        return fail(Errc::invalid_input,
                    fmt::format("evidence chunk: {} bytes, shorter than its {}-byte header",
                                m.size(), kEvidenceChunkHeader));
    if (std::memcmp(m.data(), kMagic, sizeof kMagic) != 0)
        return fail(Errc::invalid_input, "evidence chunk: it does not begin with SBE1");
    EvidenceChunk c;
    std::memcpy(c.transfer.data(), m.data() + 4, c.transfer.size());
    c.index = read32(m.data() + 20);
    c.count = read32(m.data() + 24);
    std::memcpy(c.digest.data(), m.data() + 28, c.digest.size());
    if (c.count == 0 || c.index >= c.count)
        return fail(Errc::invalid_input,
                    fmt::format("evidence chunk: index {} of a count of {}", c.index, c.count));
    c.payload = m.subspan(kEvidenceChunkHeader);
    return c;
}

std::vector<std::byte> writeEvidenceChunk(const TransferId& transfer, std::uint32_t index,
                                          std::uint32_t count, std::span<const std::byte> payload) {
    std::vector<std::byte> out;
    out.reserve(kEvidenceChunkHeader + payload.size());
    for (char c : kMagic)
        out.push_back(static_cast<std::byte>(c));
    for (auto b : transfer)
        out.push_back(static_cast<std::byte>(b));
    put32(out, index);
    put32(out, count);
    for (auto b : sha256Of(payload))
        out.push_back(static_cast<std::byte>(b));
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

EvidenceSender::EvidenceSender(TransferId transfer, std::string name, std::uint64_t size,
                               const Sha256& digest, std::uint64_t peerLargestMessage) {
    const std::size_t chunk = evidenceChunkPayload(peerLargestMessage);
    description_.transfer = transfer;
    description_.name = std::move(name);
    description_.size = size;
    description_.digest = digest;
    description_.chunkPayload = static_cast<std::uint32_t>(chunk);
    // An empty file is one empty chunk, so that the receiver hears it end: nothing to read.
    description_.count =
        static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (size + chunk - 1) / chunk));
    if (size == 0) held_.emplace_back();
}

EvidenceSender::EvidenceSender(TransferId transfer, std::string name,
                               std::span<const std::byte> file, std::uint64_t peerLargestMessage)
    : EvidenceSender(transfer, std::move(name), file.size(), sha256Of(file), peerLargestMessage) {
    if (!file.empty()) {
        reading_ = 0;
        supply(file);
    }
}

std::optional<EvidenceSender::Read> EvidenceSender::wanted() {
    const std::uint32_t end = heldEnd();
    const std::uint32_t until = std::min(next_ + kReadAhead, acknowledged_ + kWindow);
    if (reading_ || end >= description_.count || end >= until) return std::nullopt;
    reading_ = end;
    const std::uint64_t chunk = description_.chunkPayload;
    const std::uint64_t offset = end * chunk;
    const std::uint64_t chunks = until - end;
    return Read{offset,
                static_cast<std::size_t>(std::min(chunks * chunk, description_.size - offset))};
}

void EvidenceSender::supply(std::span<const std::byte> bytes) {
    if (!reading_) return;
    std::uint32_t index = *reading_;
    reading_.reset();
    const std::size_t chunk = description_.chunkPayload;
    for (std::size_t from = 0; from < bytes.size(); from += chunk, ++index) {
        // Chunks acknowledged while the read was out are not held.
        if (index < heldEnd()) continue;
        if (index != heldEnd()) return;
        held_.emplace_back(bytes.begin() + static_cast<std::ptrdiff_t>(from),
                           bytes.begin() +
                               static_cast<std::ptrdiff_t>(std::min(bytes.size(), from + chunk)));
    }
}

std::optional<std::vector<std::byte>> EvidenceSender::next() {
    if (next_ >= description_.count || next_ < heldFirst_ || next_ >= heldEnd() ||
        next_ >= acknowledged_ + kWindow)
        return std::nullopt;
    const auto& payload = held_[next_ - heldFirst_];
    return writeEvidenceChunk(description_.transfer, next_++, description_.count, payload);
}

void EvidenceSender::acknowledged(std::uint32_t next) {
    acknowledged_ = std::max(acknowledged_, std::min(next, description_.count));
    next_ = std::max(next_, acknowledged_);
    // What the receiver holds is not held here any more.
    while (heldFirst_ < acknowledged_) {
        if (!held_.empty()) held_.pop_front();
        ++heldFirst_;
    }
}

EvidenceReceiver::EvidenceReceiver(EvidenceDescription description)
    : description_(std::move(description)) {
    file_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(description_.size, 1 << 20)));
}

Result<void> EvidenceReceiver::take(std::span<const std::byte> message) {
    if (complete_) return {};
    auto chunk = readEvidenceChunk(message);
    if (!chunk) return fail(chunk.error());
    const auto& c = *chunk;
    if (c.transfer != description_.transfer)
        return fail(Errc::invalid_input,
                    fmt::format("evidence chunk: transfer {} is not {}", hexOf(c.transfer),
                                hexOf(description_.transfer)));
    if (c.count != description_.count)
        return fail(Errc::invalid_input,
                    fmt::format("evidence chunk {}: a count of {}, not the described {}", c.index,
                                c.count, description_.count));
    if (c.index < next_) return {}; // sent again after a resume: held already
    if (c.index > next_)
        return fail(Errc::invalid_input,
                    fmt::format("evidence chunk {}: out of order, {} expected", c.index, next_));
    const bool last = c.index + 1 == description_.count;
    if (c.payload.size() > description_.chunkPayload ||
        (!last && c.payload.size() != description_.chunkPayload))
        return fail(Errc::invalid_input,
                    fmt::format("evidence chunk {}: {} bytes, not the described {}", c.index,
                                c.payload.size(), description_.chunkPayload));
    if (const auto actual = sha256Of(c.payload); actual != c.digest)
        return fail(Errc::invalid_input,
                    fmt::format("evidence chunk {}: its SHA-256 is {}, not the {} it carries",
                                c.index, hexOf(actual), hexOf(c.digest)));
    if (file_.size() + c.payload.size() > description_.size)
        return fail(Errc::too_large, fmt::format("evidence chunk {}: more than the described {} "
                                                 "bytes",
                                                 c.index, description_.size));
    file_.insert(file_.end(), c.payload.begin(), c.payload.end());
    ++next_;
    if (!last) return {};
    if (file_.size() != description_.size)
        return fail(Errc::invalid_input, fmt::format("evidence: {} bytes, not the described {}",
                                                     file_.size(), description_.size));
    if (const auto actual = sha256Of(file_); actual != description_.digest)
        return fail(Errc::invalid_input,
                    fmt::format("evidence: the file's SHA-256 is {}, not the described {}",
                                hexOf(actual), hexOf(description_.digest)));
    complete_ = true;
    return {};
}

} // namespace sb::webrtc
