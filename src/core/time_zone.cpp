#include "core/time_zone.hpp"

#include <algorithm>
#include <date/tz.h>
#include <exception>

namespace sb {
namespace {

// IANA names are ASCII letters, digits and "/_-+".
bool isZoneName(std::string_view name) {
    return !name.empty() && name.size() <= 64 && name.front() != '/' &&
           name.find("..") == std::string_view::npos && std::ranges::all_of(name, [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '/' || c == '_' || c == '-' || c == '+';
           });
}

} // namespace

const date::time_zone* findZone(std::string_view name) {
    if (!isZoneName(name)) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr; // date throws std::runtime_error for an unknown name
    }
}

} // namespace sb
