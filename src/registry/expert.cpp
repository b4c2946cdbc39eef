#include "registry/expert.hpp"

#include "core/time_zone.hpp"
#include "registry/json_read.hpp"

#include <algorithm>
#include <date/tz.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sb::registry {
namespace {

using nlohmann::json;
using namespace detail;

bool isAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool allOf(std::string_view s, std::string_view extra) {
    return std::ranges::all_of(
        s, [&](char c) { return isAlnum(c) || extra.find(c) != std::string_view::npos; });
}

// RFC 3261 §25.1 hostname / IPv4address / "[" IPv6 "]".
bool isHost(std::string_view host) {
    if (host.empty() || host.size() > 255) return false;
    if (host.front() == '[') {
        if (host.size() < 4 || host.back() != ']') return false;
        const auto inner = host.substr(1, host.size() - 2);
        return inner.find(':') != std::string_view::npos && allOf(inner, ":.");
    }
    if (host.back() == '.') host.remove_suffix(1); // a fully qualified name
    std::size_t start = 0;
    while (start <= host.size()) {
        const auto end = std::min(host.find('.', start), host.size());
        const auto label = host.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !allOf(label, "-"))
            return false;
        start = end + 1;
    }
    return true;
}

// Whole-subtag prefix: "de" is a prefix of "de-CH", not of "den".
bool tagPrefix(std::string_view range, std::string_view tag) {
    if (range.size() > tag.size()) return false;
    return iequals(range, tag.substr(0, range.size())) &&
           (range.size() == tag.size() || tag[range.size()] == '-');
}

std::vector<std::string> stringList(const json& value, const std::string& pointer,
                                    std::string_view what, bool (*valid)(std::string_view),
                                    bool caseless) {
    std::vector<std::string> out;
    const auto& list = array(value, pointer, fmt::format("an array of {}", what), false);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto itemPointer = pointerJoin(pointer, i);
        const auto& item = string(list[i], itemPointer, what);
        if (!valid(item)) expected(list[i], itemPointer, what);
        for (const auto& earlier : out)
            if (caseless ? iequals(earlier, item) : earlier == item)
                expected(list[i], itemPointer, fmt::format("{} listed once", what));
        out.push_back(item);
    }
    return out;
}

WeeklyWindow readWindow(const json& value, const std::string& pointer) {
    const auto& object = detail::object(value, pointer, {"days", "from", "to"});
    WeeklyWindow window;
    if (const auto* days = member(object, "days")) {
        const auto daysPointer = pointerJoin(pointer, "days");
        constexpr std::string_view kWhat =
            "a non-empty array of \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"";
        const auto& list = array(*days, daysPointer, kWhat, true);
        window.days = 0;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const auto dayPointer = pointerJoin(daysPointer, i);
            const auto day = parseWeekday(string(list[i], dayPointer, kWhat));
            if (!day) expected(list[i], dayPointer, "a day: \"mon\" … \"sun\"");
            const auto bit = static_cast<std::uint8_t>(1u << *day);
            if (window.days & bit) expected(list[i], dayPointer, "each day listed once");
            window.days |= bit;
        }
    }
    const auto fromPointer = pointerJoin(pointer, "from");
    const auto& from = required(object, pointer, "from", "\"HH:MM\"");
    const auto fromMinute = parseClock(string(from, fromPointer, "\"HH:MM\""), false);
    if (!fromMinute) expected(from, fromPointer, "\"HH:MM\"");
    const auto toPointer = pointerJoin(pointer, "to");
    const auto& to = required(object, pointer, "to", "\"HH:MM\" (or \"24:00\")");
    const auto toMinute = parseClock(string(to, toPointer, "\"HH:MM\""), true);
    if (!toMinute || *toMinute == 0)
        expected(to, toPointer, "\"HH:MM\" from \"00:01\" to \"24:00\"");
    if (*toMinute == *fromMinute)
        expected(to, toPointer,
                 "a time other than \"from\" (a whole day is \"00:00\" to \"24:00\")");
    window.from = *fromMinute;
    window.to = *toMinute;
    return window;
}

Expert readExpert(const json& value) {
    const auto& object =
        detail::object(value, "",
                       {"id", "name", "sipUri", "h323Alias", "webrtcIdentity", "skills",
                        "languages", "timeZone", "onCall", "maxConcurrent", "priority"});
    Expert expert;

    const auto& id = required(object, "", "id", kIdWhat);
    expert.id = string(id, "/id", kIdWhat);
    if (!isId(expert.id)) expected(id, "/id", kIdWhat);

    if (const auto* name = member(object, "name")) {
        constexpr std::string_view kWhat = "a name of at most 200 bytes, no control characters";
        expert.name = string(*name, "/name", kWhat);
        if (!isPlainText(expert.name, 200)) expected(*name, "/name", kWhat);
    }

    constexpr std::string_view kUri = "a sip: or sips: URI such as \"sips:alice@example.org\"";
    const auto& uri = required(object, "", "sipUri", kUri);
    expert.sipUri = string(uri, "/sipUri", kUri);
    if (!isSipUri(expert.sipUri)) expected(uri, "/sipUri", kUri);

    if (const auto* alias = member(object, "h323Alias")) {
        constexpr std::string_view kWhat = "an H.323 alias of at most 128 bytes, no control "
                                           "characters";
        expert.h323Alias = string(*alias, "/h323Alias", kWhat);
        if (!isPlainText(expert.h323Alias, 128)) expected(*alias, "/h323Alias", kWhat);
    }
    if (const auto* identity = member(object, "webrtcIdentity")) {
        constexpr std::string_view kWhat = "an identity of at most 256 bytes, no control "
                                           "characters";
        expert.webrtcIdentity = string(*identity, "/webrtcIdentity", kWhat);
        if (!isPlainText(expert.webrtcIdentity, 256)) expected(*identity, "/webrtcIdentity", kWhat);
    }
    if (const auto* skills = member(object, "skills"))
        expert.skills = stringList(
            *skills, "/skills", "a skill of 1 to 64 bytes, no control characters",
            [](std::string_view s) { return !s.empty() && isPlainText(s, 64); }, true);
    if (const auto* languages = member(object, "languages"))
        expert.languages =
            stringList(*languages, "/languages",
                       "a BCP 47 language tag such as \"de\" or \"en-GB\"", isLanguageTag, true);

    if (const auto* zone = member(object, "timeZone")) {
        constexpr std::string_view kWhat = "an IANA time zone name such as \"Europe/Berlin\"";
        expert.timeZone = string(*zone, "/timeZone", kWhat);
        if (!findZone(expert.timeZone))
            expected(*zone, "/timeZone",
                     fmt::format("{} (not in this system's time zone database)", kWhat));
    }
    if (const auto* windows = member(object, "onCall")) {
        const auto& list =
            array(*windows, "/onCall", "an array of {\"days\", \"from\", \"to\"} objects", false);
        for (std::size_t i = 0; i < list.size(); ++i)
            expert.onCall.push_back(readWindow(list[i], pointerJoin("/onCall", i)));
    }
    if (const auto* max = member(object, "maxConcurrent"))
        expert.maxConcurrent = static_cast<int>(integer(*max, "/maxConcurrent", 1, 1000));
    if (const auto* priority = member(object, "priority"))
        expert.priority = static_cast<int>(integer(*priority, "/priority", 0, 1000));
    return expert;
}

} // namespace

Result<Expert> expertFromJson(const nlohmann::json& json, FieldError* where) {
    try {
        return readExpert(json);
    } catch (const JsonFieldError& e) {
        if (where) *where = e.error;
        return fail(e.error.error());
    } catch (const std::exception& e) {
        FieldError error{"", fmt::format("expected an expert object ({})", e.what())};
        if (where) *where = error;
        return fail(error.error());
    }
}

Result<Expert> parseExpert(std::string_view jsonText, FieldError* where) {
    try {
        return expertFromJson(parseText(jsonText), where);
    } catch (const JsonFieldError& e) {
        if (where) *where = e.error;
        return fail(e.error.error());
    }
}

nlohmann::json toJson(const Expert& expert) {
    json windows = json::array();
    for (const auto& w : expert.onCall) {
        json days = json::array();
        for (auto day : weekdayNames(w.days))
            days.push_back(day);
        windows.push_back(
            {{"days", std::move(days)}, {"from", formatClock(w.from)}, {"to", formatClock(w.to)}});
    }
    return json{{"id", expert.id},
                {"name", expert.name},
                {"sipUri", expert.sipUri},
                {"h323Alias", expert.h323Alias},
                {"webrtcIdentity", expert.webrtcIdentity},
                {"skills", expert.skills},
                {"languages", expert.languages},
                {"timeZone", expert.timeZone},
                {"onCall", std::move(windows)},
                {"maxConcurrent", expert.maxConcurrent},
                {"priority", expert.priority}};
}

bool onCall(const Expert& expert, std::chrono::system_clock::time_point at) {
    if (expert.onCall.empty()) return true;
    const auto* zone = findZone(expert.timeZone);
    if (!zone) return false;
    // The expert's wall-clock time at this instant: the zone's offset (with its DST rule) is
    // applied by date, so windows keep their local meaning across the change.
    const auto local = zone->to_local(std::chrono::floor<std::chrono::seconds>(at));
    const auto day = std::chrono::floor<date::days>(local);
    const auto minute =
        static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
    const unsigned weekday = date::weekday(day).c_encoding();
    return std::ranges::any_of(expert.onCall,
                               [&](const WeeklyWindow& w) { return w.contains(weekday, minute); });
}

bool hasSkills(const Expert& expert, const std::vector<std::string>& skills) {
    return std::ranges::all_of(skills, [&](const std::string& skill) {
        return std::ranges::any_of(expert.skills,
                                   [&](const std::string& own) { return iequals(own, skill); });
    });
}

bool speaksAny(const Expert& expert, const std::vector<std::string>& languages) {
    if (languages.empty()) return true;
    return std::ranges::any_of(languages, [&](const std::string& wanted) {
        return std::ranges::any_of(expert.languages, [&](const std::string& own) {
            return tagPrefix(wanted, own) || tagPrefix(own, wanted);
        });
    });
}

bool isSipUri(std::string_view uri) {
    if (uri.size() > 512) return false;
    std::string_view rest;
    if (uri.size() > 4 && iequals(uri.substr(0, 4), "sip:"))
        rest = uri.substr(4);
    else if (uri.size() > 5 && iequals(uri.substr(0, 5), "sips:"))
        rest = uri.substr(5);
    else
        return false;
    // RFC 3261 §25.1: [userinfo "@"] hostport uri-parameters [headers].
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        const auto headers = rest.substr(q + 1);
        if (headers.empty() || !allOf(headers, "-_.!~*'()%[]/?:+$=&")) return false;
        rest = rest.substr(0, q);
    }
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const auto userinfo = rest.substr(0, at);
        if (userinfo.empty() || !allOf(userinfo, "-_.!~*'()%&=+$,;?/:")) return false;
        rest = rest.substr(at + 1);
    }
    if (const auto semi = rest.find(';'); semi != std::string_view::npos) {
        const auto params = rest.substr(semi + 1);
        if (params.empty() || !allOf(params, "-_.!~*'()%[]/:&+$=;")) return false;
        rest = rest.substr(0, semi);
    }
    // hostport: the port follows the last ':' outside an IPv6 reference.
    const auto close = rest.rfind(']');
    const auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        const auto port = rest.substr(colon + 1);
        if (port.empty() || port.size() > 5 ||
            !std::ranges::all_of(port, [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        const int value = std::stoi(std::string(port));
        if (value < 1 || value > 65535) return false;
        rest = rest.substr(0, colon);
    }
    return isHost(rest);
}

bool isLanguageTag(std::string_view tag) {
    // RFC 5646 §2.1 in outline: a 2–8 letter primary subtag, then 1–8 alphanumeric subtags.
    if (tag.empty() || tag.size() > 63) return false;
    std::size_t start = 0;
    bool first = true;
    while (start <= tag.size()) {
        const auto end = std::min(tag.find('-', start), tag.size());
        const auto sub = tag.substr(start, end - start);
        if (sub.empty() || sub.size() > 8 || !allOf(sub, "")) return false;
        if (first && (sub.size() < 2 || !std::ranges::all_of(sub, [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                      })))
            return false;
        first = false;
        start = end + 1;
    }
    return true;
}

} // namespace sb::registry
