#include "core/file.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <fstream>
#include <system_error>

namespace sb {

Result<std::string> readNamedFile(const std::filesystem::path& file, std::string_view what,
                                  std::size_t maxBytes) {
    const std::string name = file.string();
    std::error_code ec;
    // An ifstream opens a directory without complaint and then reads nothing.
    if (std::filesystem::is_directory(file, ec))
        return fail(Errc::config,
                    fmt::format("{}: cannot read the {}: it is a directory", name, what));
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(Errc::config, fmt::format("{}: cannot read the {}: {}", name, what,
                                              std::generic_category().message(errno)));
    std::string text;
    text.resize(maxBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) return fail(Errc::config, fmt::format("{}: cannot read the {}", name, what));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > maxBytes)
        return fail(Errc::config,
                    fmt::format("{}: the {} is larger than {} bytes", name, what, maxBytes));
    return text;
}

} // namespace sb
