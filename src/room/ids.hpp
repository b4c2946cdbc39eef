#pragma once
// Typed ids: a room's, a leg's. Each is its own type, so that one cannot be passed for the
// other and no key bits are needed to keep two kinds of id apart in one map.

#include <cstdint>
#include <functional>

namespace sb::room {

template <class Tag>
class Id {
public:
    constexpr Id() = default;
    constexpr explicit Id(std::uint64_t value) : value_(value) {}
    constexpr std::uint64_t value() const noexcept { return value_; }
    constexpr explicit operator bool() const noexcept { return value_ != 0; }
    friend constexpr bool operator==(Id, Id) = default;
    friend constexpr bool operator<(Id a, Id b) noexcept { return a.value_ < b.value_; }

private:
    std::uint64_t value_ = 0; // 0 names nothing
};

using RoomId = Id<struct RoomTag>;
using LegId = Id<struct LegTag>;

} // namespace sb::room

template <class Tag>
struct std::hash<sb::room::Id<Tag>> {
    std::size_t operator()(sb::room::Id<Tag> id) const noexcept {
        return std::hash<std::uint64_t>{}(id.value());
    }
};
