#include "sdp/session.hpp"

#include <algorithm>
#include <charconv>

namespace sb::sdp {
namespace {

constexpr std::string_view kDirections[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

// RFC 3551 §6, table 4 and 5: payload types with a fixed meaning. G.722's clock rate is written
// 8000 although it samples at 16 kHz (§4.5.2).
struct Static {
    int type;
    std::string_view encoding;
    std::uint32_t clockRate, channels;
};
constexpr Static kStatic[] = {
    {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},   {5, "DVI4", 8000, 1},
    {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},    {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},
    {10, "L16", 44100, 2},  {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
    {14, "MPA", 90000, 1},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1}, {17, "DVI4", 22050, 1},
    {18, "G729", 8000, 1},  {25, "CelB", 90000, 1}, {26, "JPEG", 90000, 1}, {28, "nv", 90000, 1},
    {31, "H261", 90000, 1}, {32, "MPV", 90000, 1},  {33, "MP2T", 90000, 1}, {34, "H263", 90000, 1},
};

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

// "<payload type> <rest>" of rtpmap and fmtp values.
std::optional<std::pair<int, std::string_view>> payloadAndRest(std::string_view value) {
    const auto space = value.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto type = number<int>(value.substr(0, space));
    if (!type) return std::nullopt;
    return std::pair{*type, value.substr(space + 1)};
}

} // namespace

std::string_view directionName(Direction d) noexcept {
    return kDirections[static_cast<int>(d)];
}

std::optional<std::string_view> Attributes::get(std::string_view name) const {
    for (const auto& a : list)
        if (a.name == name) return a.value ? std::string_view(*a.value) : std::string_view();
    return std::nullopt;
}

std::vector<std::string_view> Attributes::all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& a : list)
        if (a.name == name) out.push_back(a.value ? std::string_view(*a.value) : "");
    return out;
}

void Attributes::remove(std::string_view name) {
    std::erase_if(list, [&](const Attribute& a) { return a.name == name; });
}

void Attributes::add(std::string name, std::optional<std::string> value) {
    list.push_back({std::move(name), std::move(value)});
}

std::optional<Direction> Attributes::direction() const {
    for (const auto& a : list)
        for (int i = 0; i < 4; ++i)
            if (a.name == kDirections[i] && !a.value) return static_cast<Direction>(i);
    return std::nullopt;
}

void Attributes::setDirection(Direction d) {
    for (auto name : kDirections)
        remove(name);
    add(std::string(directionName(d)));
}

std::optional<RtpMap> Media::rtpmap(int payloadType) const {
    for (auto value : attributes.all("rtpmap")) {
        const auto parsed = payloadAndRest(value);
        if (!parsed || parsed->first != payloadType) continue;
        // <encoding name>/<clock rate>[/<encoding parameters>]
        const std::string_view rest = parsed->second;
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos || slash == 0) return std::nullopt;
        RtpMap map{payloadType, std::string(rest.substr(0, slash)), 0, 1};
        std::string_view rate = rest.substr(slash + 1);
        if (const auto second = rate.find('/'); second != std::string_view::npos) {
            const auto channels = number<std::uint32_t>(rate.substr(second + 1));
            if (!channels || *channels == 0) return std::nullopt;
            map.channels = *channels;
            rate = rate.substr(0, second);
        }
        const auto clock = number<std::uint32_t>(rate);
        if (!clock || *clock == 0) return std::nullopt;
        map.clockRate = *clock;
        return map;
    }
    for (const auto& s : kStatic)
        if (s.type == payloadType)
            return RtpMap{s.type, std::string(s.encoding), s.clockRate, s.channels};
    return std::nullopt;
}

std::optional<std::string_view> Media::fmtp(int payloadType) const {
    for (auto value : attributes.all("fmtp"))
        if (const auto parsed = payloadAndRest(value); parsed && parsed->first == payloadType)
            return parsed->second;
    return std::nullopt;
}

std::optional<std::uint32_t> Media::ptime() const {
    const auto value = attributes.get("ptime");
    return value ? number<std::uint32_t>(*value) : std::nullopt;
}

std::optional<std::uint32_t> Media::maxptime() const {
    const auto value = attributes.get("maxptime");
    return value ? number<std::uint32_t>(*value) : std::nullopt;
}

std::vector<Crypto> Media::cryptos() const {
    std::vector<Crypto> out;
    for (auto value : attributes.all("crypto")) {
        // <tag> 1*WSP <crypto-suite> 1*WSP <key-params> *(1*WSP <session-param>)
        std::vector<std::string_view> words;
        std::size_t at = 0;
        while (at < value.size()) {
            const auto start = value.find_first_not_of(" \t", at);
            if (start == std::string_view::npos) break;
            const auto end = std::min(value.find_first_of(" \t", start), value.size());
            words.push_back(value.substr(start, end - start));
            at = end;
        }
        if (words.size() < 3) continue;
        const auto tag = number<std::uint32_t>(words[0]);
        if (!tag || *tag > 999999999) continue;
        Crypto c{*tag, std::string(words[1]), std::string(words[2]), {}};
        for (std::size_t i = 3; i < words.size(); ++i)
            c.sessionParams += (i > 3 ? " " : "") + std::string(words[i]);
        out.push_back(std::move(c));
    }
    return out;
}

Direction Session::direction(const Media& m) const {
    return m.attributes.direction().value_or(attributes.direction().value_or(Direction::sendrecv));
}

const Connection* Session::connectionOf(const Media& m) const {
    if (!m.connections.empty()) return &m.connections.front();
    return connection ? &*connection : nullptr;
}

} // namespace sb::sdp
