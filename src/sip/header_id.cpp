#include "sip/header_id.hpp"

#include "sip/syntax.hpp"

#include <array>

namespace sb::sip {
namespace {

struct Entry {
    std::string_view name;
    char compact; // 0 if none
    bool list;
};

// Indexed by HeaderId. Compact forms: RFC 3261 §7.3.3 (i m e l c f s k t v), RFC 6665 (o u),
// RFC 3515 (r), RFC 3892 (b), RFC 4028 (x), RFC 3841 (a j d), RFC 8224 (y).
constexpr std::array<Entry, static_cast<std::size_t>(HeaderId::count_)> kEntries{{
    {"", 0, false},
    {"Accept", 0, true},
    {"Accept-Encoding", 0, true},
    {"Accept-Language", 0, true},
    {"Alert-Info", 0, true},
    {"Allow", 0, true},
    {"Allow-Events", 'u', true},
    {"Authentication-Info", 0, false},
    {"Authorization", 0, false},
    {"Call-ID", 'i', false},
    {"Call-Info", 0, true},
    {"Contact", 'm', true},
    {"Content-Disposition", 0, false},
    {"Content-Encoding", 'e', true},
    {"Content-Language", 0, true},
    {"Content-Length", 'l', false},
    {"Content-Type", 'c', false},
    {"CSeq", 0, false},
    {"Date", 0, false},
    {"Error-Info", 0, true},
    {"Event", 'o', false},
    {"Expires", 0, false},
    {"From", 'f', false},
    {"In-Reply-To", 0, true},
    {"Max-Forwards", 0, false},
    {"Min-Expires", 0, false},
    {"Min-SE", 0, false},
    {"MIME-Version", 0, false},
    {"Organization", 0, false},
    {"Priority", 0, false},
    {"Proxy-Authenticate", 0, false},
    {"Proxy-Authorization", 0, false},
    {"Proxy-Require", 0, true},
    {"RAck", 0, false},
    {"Reason", 0, true},
    {"Record-Route", 0, true},
    {"Refer-To", 'r', false},
    {"Referred-By", 'b', false},
    {"Reply-To", 0, false},
    {"Require", 0, true},
    {"Retry-After", 0, false},
    {"Route", 0, true},
    {"RSeq", 0, false},
    {"Server", 0, false},
    {"Session-Expires", 'x', false},
    {"Subject", 's', false},
    {"Supported", 'k', true},
    {"Timestamp", 0, false},
    {"To", 't', false},
    {"Unsupported", 0, true},
    {"User-Agent", 0, false},
    {"Via", 'v', true},
    {"Warning", 0, true},
    {"WWW-Authenticate", 0, false},
}};

// Long names hash on (length, first letter, last letter) into a small table whose slots hold
// at most two ids (checked at compile time), so a lookup costs one or two comparisons. Compact
// forms are indexed by their letter.
constexpr std::size_t kSlots = 256;

constexpr std::size_t slotOf(std::size_t length, char first, char last) {
    return (length * 7u + static_cast<unsigned char>(first | 0x20) * 23u +
            static_cast<unsigned char>(last | 0x20)) %
           kSlots;
}

struct Index {
    std::array<std::array<std::uint8_t, 2>, kSlots> slots{};
    std::array<std::uint8_t, 26> compact{};
};

constexpr Index makeIndex() {
    Index index{};
    for (std::size_t id = 1; id < kEntries.size(); ++id) {
        const auto& e = kEntries[id];
        auto& slot = index.slots[slotOf(e.name.size(), e.name.front(), e.name.back())];
        if (slot[0] == 0)
            slot[0] = static_cast<std::uint8_t>(id);
        else if (slot[1] == 0)
            slot[1] = static_cast<std::uint8_t>(id);
        else
            throw "three header names share a hash slot: change slotOf()";
        if (e.compact) index.compact[e.compact - 'a'] = static_cast<std::uint8_t>(id);
    }
    return index;
}
constexpr Index kIndex = makeIndex();

// Header names are tokens; for token characters OR-ing 0x20 lower-cases letters and maps no
// other token character onto a letter, so this comparison is exact.
bool sameName(std::string_view known, std::string_view name) noexcept {
    if (known.size() != name.size()) return false;
    unsigned diff = 0;
    for (std::size_t k = 0; k < known.size(); ++k)
        diff |= static_cast<unsigned>((name[k] | 0x20) ^ (known[k] | 0x20));
    return diff == 0;
}

} // namespace

HeaderId lookupHeader(std::string_view name) noexcept {
    if (name.empty()) return HeaderId::other;
    if (name.size() == 1) {
        const char letter = syntax::lower(name.front());
        if (letter < 'a' || letter > 'z') return HeaderId::other;
        return static_cast<HeaderId>(kIndex.compact[letter - 'a']);
    }
    for (const auto id : kIndex.slots[slotOf(name.size(), name.front(), name.back())])
        if (id != 0 && sameName(kEntries[id].name, name)) return static_cast<HeaderId>(id);
    return HeaderId::other;
}

std::string_view canonicalName(HeaderId id) noexcept {
    return kEntries[static_cast<std::size_t>(id)].name;
}

bool isListHeader(HeaderId id) noexcept {
    return kEntries[static_cast<std::size_t>(id)].list;
}

} // namespace sb::sip
