#pragma once
// Reading a whole file that a person named (a configuration, a policy, a key): bounded, and
// every failure one sentence that names the file and what it was for.

#include "core/result.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace sb {

constexpr std::size_t kMaxNamedFileBytes = std::size_t{1} << 20;

// The bytes of `file`. `what` says what the file is for ("policy file"); errors (Errc::config)
// read "<file>: cannot read the <what>: <reason>" or "<file>: the <what> is larger than N bytes".
Result<std::string> readNamedFile(const std::filesystem::path& file, std::string_view what,
                                  std::size_t maxBytes = kMaxNamedFileBytes);

} // namespace sb
