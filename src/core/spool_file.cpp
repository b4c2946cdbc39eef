#include "core/spool_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <utility>

namespace sb {

Result<SpoolFile> SpoolFile::create(const std::filesystem::path& directory) {
    std::string name = (directory / "spool-XXXXXX").string();
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0)
        return fail(Errc::io, fmt::format("{}: cannot make a spool file: {}", directory.string(),
                                          std::strerror(errno)));
    ::unlink(name.c_str()); // nameless from now on: it goes when its last holder closes it
    return SpoolFile(fd);
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(std::exchange(other.size_, 0)) {}

SpoolFile& SpoolFile::operator=(SpoolFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

SpoolFile::~SpoolFile() {
    if (fd_ >= 0) ::close(fd_);
}

Result<void> SpoolFile::append(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return fail(Errc::io, fmt::format("the spool file could not be written: {}",
                                              std::strerror(n < 0 ? errno : ENOSPC)));
        size_ += static_cast<std::uint64_t>(n);
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return {};
}

Result<std::vector<std::byte>> SpoolFile::read(std::uint64_t offset, std::size_t length) const {
    if (offset >= size_) return std::vector<std::byte>();
    std::vector<std::byte> out(
        static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset)));
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n =
            ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
            return fail(Errc::io, fmt::format("the spool file could not be read: {}",
                                              n < 0 ? std::strerror(errno) : "it is shorter"));
        got += static_cast<std::size_t>(n);
    }
    return out;
}

} // namespace sb
