#include "cluster/membership.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace sb::cluster {

bool goodInstanceName(std::string_view name) {
    return !name.empty() && name.size() <= 48 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

std::string takeInstanceLock(std::string_view name) {
    return fmt::format("SELECT pg_advisory_lock(hashtextextended('switchboard instance {}', 0))",
                       name);
}

std::string instanceAlive(std::string_view name) {
    return fmt::format("EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND "
                       "l.granted AND l.objsubid = 1 AND ((l.classid::int8 << 32) | "
                       "l.objid::int8) = hashtextextended('switchboard instance ' || {}, 0))",
                       name);
}

} // namespace sb::cluster
