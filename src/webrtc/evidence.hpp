#pragma once
// Evidence files over a DataChannel: a file cut into binary chunks that each fit the peer's
// a=max-message-size (RFC 8841 §6) with their header, each chunk carrying its SHA-256 and the
// whole file described by its own; the receiver acknowledges the chunks it holds, so that after
// a reconnect the sender goes on from the first one not acknowledged.
//
// A chunk on the wire (binary message), all numbers big-endian:
//   "SBE1" | transfer id (16 bytes) | index (4) | count (4) | SHA-256 of the payload (32) | payload
// The transfer's description and the acknowledgements travel as the signalling's own messages
// (the application's IFMessages); these classes give and take their values.

#include "core/result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sb::webrtc {

using TransferId = std::array<std::uint8_t, 16>;
using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256Of(std::span<const std::byte> bytes);
std::string hexOf(std::span<const std::uint8_t> bytes);

struct EvidenceChunk {
    TransferId transfer{};
    std::uint32_t index = 0, count = 0;
    Sha256 digest{};
    std::span<const std::byte> payload; // into the message read
};

inline constexpr std::size_t kEvidenceChunkHeader = 4 + 16 + 4 + 4 + 32;

// The payload of each chunk for a peer that takes messages of `peerLargestMessage` bytes (0:
// no limit, which is then 256 KiB, what a browser takes).
std::size_t evidenceChunkPayload(std::uint64_t peerLargestMessage);
// The same for chunks sent as text: what to give EvidenceSender as the peer's largest message
// so that a chunk's payload in base64 (4 octets a 3), inside a message of at most `envelope`
// octets more, fits the peer's limit.
std::uint64_t evidenceChunkLimitAsText(std::uint64_t peerLargestMessage, std::size_t envelope);

// Errors name the field: a short message, a wrong magic, an index past the count.
Result<EvidenceChunk> readEvidenceChunk(std::span<const std::byte> message);
std::vector<std::byte> writeEvidenceChunk(const TransferId& transfer, std::uint32_t index,
                                          std::uint32_t count, std::span<const std::byte> payload);

// What describes a transfer before its chunks: the receiver checks each against it.
struct EvidenceDescription {
    TransferId transfer{};
    std::string name;
    std::uint64_t size = 0;
    Sha256 digest{};
    std::uint32_t chunkPayload = 0, count = 0;
};

// The sending side of one file. It holds the bytes of the chunks not yet acknowledged and a
// read-ahead of kReadAhead chunks, asking for them (wanted()) as it goes; its owner reads them
// where reading may block (a spool file, off the packet path) and gives them back (supply()).
class EvidenceSender {
public:
    static constexpr std::uint32_t kReadAhead = 16;
    // Chunks sent beyond the last acknowledged, at most: what the sender holds for a resume
    // is then bounded (4 MiB at 64 KiB chunks, 16 MiB at 256 KiB) whether or not the peer
    // acknowledges; a peer acknowledges as it holds chunks (the expert page: each one).
    static constexpr std::uint32_t kWindow = 64;
    // A file of `size` bytes whose SHA-256 is `digest`.
    EvidenceSender(TransferId transfer, std::string name, std::uint64_t size, const Sha256& digest,
                   std::uint64_t peerLargestMessage);
    // A file in memory, every chunk's bytes given at once.
    EvidenceSender(TransferId transfer, std::string name, std::span<const std::byte> file,
                   std::uint64_t peerLargestMessage);

    const EvidenceDescription& description() const noexcept { return description_; }
    // Bytes to read and supply(): the next chunks of the read-ahead, whole chunks of the file
    // from `offset`. Nothing while a read is out, or when the read-ahead is full.
    struct Read {
        std::uint64_t offset = 0;
        std::size_t length = 0;
    };
    std::optional<Read> wanted();
    // The bytes of the read that wanted() asked for.
    void supply(std::span<const std::byte> bytes);
    // The next chunk to send; nothing when every chunk has gone (until resume()), when its
    // bytes have not been supplied yet, or when kWindow are unacknowledged.
    std::optional<std::vector<std::byte>> next();
    // The receiver holds every chunk before `next` (its acknowledgement).
    void acknowledged(std::uint32_t next);
    // After a reconnect: send again from the first chunk not acknowledged.
    void resume() noexcept { next_ = acknowledged_; }
    bool done() const noexcept { return acknowledged_ == description_.count; }
    std::uint32_t acknowledgedChunks() const noexcept { return acknowledged_; }
    std::uint32_t sentChunks() const noexcept { return next_; }

private:
    std::uint32_t heldEnd() const noexcept {
        return heldFirst_ + static_cast<std::uint32_t>(held_.size());
    }

    EvidenceDescription description_;
    // The payloads of chunks heldFirst_… (from the first not acknowledged on).
    std::deque<std::vector<std::byte>> held_;
    std::uint32_t heldFirst_ = 0;
    std::optional<std::uint32_t> reading_; // the first chunk of the read that is out
    std::uint32_t next_ = 0, acknowledged_ = 0;
};

// The receiving side: chunks in order (a reliable, ordered channel), duplicates after a resume
// ignored; each chunk's digest checked, and the file's at the end.
class EvidenceReceiver {
public:
    explicit EvidenceReceiver(EvidenceDescription description);

    // Takes one chunk message. Errors: a chunk of another transfer, out of order, whose
    // payload does not match its digest (the error names the chunk and both digests), or a
    // file whose digest does not match the description's; the transfer is then over.
    Result<void> take(std::span<const std::byte> message);
    // What to acknowledge: every chunk before this one is held.
    std::uint32_t next() const noexcept { return next_; }
    bool complete() const noexcept { return complete_; }
    const std::vector<std::byte>& file() const noexcept { return file_; }
    const EvidenceDescription& description() const noexcept { return description_; }

private:
    EvidenceDescription description_;
    std::vector<std::byte> file_;
    std::uint32_t next_ = 0;
    bool complete_ = false;
};

} // namespace sb::webrtc
