#pragma once
// A spool: bytes written once, as they arrive (an upload), then read back in pieces, from a
// file that has no name (created and unlinked at once), so that it is gone when the last
// holder closes it, and after a crash, without a clean-up. Writing and reading are blocking
// disk work: never on the packet path or the control loop (ARCHITECTURE.md "Threads").

#include "core/result.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace sb {

class SpoolFile {
public:
    // Errc::io naming the directory when no file can be made in it.
    static Result<SpoolFile> create(const std::filesystem::path& directory);
    SpoolFile(SpoolFile&& other) noexcept;
    SpoolFile& operator=(SpoolFile&& other) noexcept;
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;
    ~SpoolFile();

    // Errc::io with the system's reason (a full disk) when not every byte was written.
    Result<void> append(std::span<const std::byte> bytes);
    std::uint64_t size() const noexcept { return size_; }
    // `length` bytes from `offset`, fewer at the end. Safe from any thread (pread).
    Result<std::vector<std::byte>> read(std::uint64_t offset, std::size_t length) const;

private:
    explicit SpoolFile(int fd) noexcept : fd_(fd) {}
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

} // namespace sb
