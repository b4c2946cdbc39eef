#include "guard/policy.hpp"

#include "core/file.hpp"
#include "core/glob.hpp"
#include "core/time_zone.hpp"
#include "core/toml_reader.hpp"

#include <algorithm>
#include <date/tz.h>
#include <fmt/format.h>
#include <map>
#include <span>
#include <stdexcept>
#include <toml++/toml.h>

namespace sb::guard {
namespace {

using toml_reader::before;
using toml_reader::join;
using toml_reader::joinNames;
using toml_reader::tomlQuoted;

constexpr std::string_view kBridgeNames[] = {"sip", "h323", "webrtc", "video"};
constexpr std::string_view kUrgencyNames[] = {"low", "normal", "high", "critical"};

// Ids go into decisions, logs, witness entries and metrics labels: keep them plain.
bool isId(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::ranges::all_of(id, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

class Reader : toml_reader::Reader {
public:
    using toml_reader::Reader::Reader;

    Policy read(const toml::table& root) {
        static constexpr std::string_view kRootKeys[] = {"rules", "limits", "security"};
        onlyKeys(root, "", kRootKeys);
        Policy policy;
        readRules(root, policy.rules);
        readLimits(root, policy.limits);
        if (const auto* node = root.get("security")) {
            const auto* security = node->as_table();
            if (!security)
                expected(*node, "security", "a table of expert glob patterns to requirements");
            readSecurity(*security, policy.security);
        }
        return policy;
    }

private:
    // The id of a rule or limit; unique among both, since decisions name either.
    void id(const toml::value<std::string>& value, std::string_view path, std::string& out) {
        constexpr std::string_view kWhat = "an id of 1 to 64 letters, digits, '.', '_' or '-'";
        if (!isId(value.get())) expected(value, join(path, "id"), kWhat);
        if (value.get() == "default-deny" || value.get() == "limits")
            expected(value, join(path, "id"),
                     "an id other than \"default-deny\" and \"limits\" (the guard's own)");
        const auto [it, inserted] = ids_.emplace(value.get(), std::string(path));
        if (!inserted)
            failAt(value.source(), fmt::format("{}.id: expected a unique id, got {} (already "
                                               "used by {})",
                                               path, tomlQuoted(value.get()), it->second));
        out = value.get();
    }

    // A non-empty array of valid glob patterns; the key left out means "any" (empty result).
    std::vector<std::string> globs(const toml::table& table, std::string_view path,
                                   std::string_view key) const {
        std::vector<std::string> out;
        const auto* node = table.get(key);
        if (!node) return out;
        const auto dotted = join(path, key);
        constexpr std::string_view kWhat =
            "a non-empty array of glob patterns (leave the key out to match any)";
        const auto* list = node->as_array();
        if (!list || list->empty()) expected(*node, dotted, kWhat);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& item = (*list)[i];
            const auto itemPath = fmt::format("{}[{}]", dotted, i);
            const auto* value = item.as_string();
            if (!value) expected(item, itemPath, "a glob pattern string");
            if (const auto problem = globProblem(value->get())) expected(item, itemPath, *problem);
            out.push_back(value->get());
        }
        return out;
    }

    // A non-empty array of names from `names` → a bit mask (bit i for names[i]).
    std::uint8_t nameSet(const toml::node& node, std::string_view path,
                         std::span<const std::string_view> names) const {
        const std::string what =
            fmt::format("a non-empty array of names from: {}", joinNames(names));
        const auto* list = node.as_array();
        if (!list || list->empty()) expected(node, path, what);
        std::uint8_t bits = 0;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& item = (*list)[i];
            const auto* value = item.as_string();
            const auto found =
                value ? std::ranges::find(names, std::string_view(value->get())) : names.end();
            if (found == names.end()) expected(item, fmt::format("{}[{}]", path, i), what);
            bits |= static_cast<std::uint8_t>(1u << (found - names.begin()));
        }
        return bits;
    }

    void readRules(const toml::table& root, std::vector<Rule>& out) {
        const auto* node = root.get("rules");
        if (!node) return;
        const auto* list = node->as_array();
        if (!list) expected(*node, "rules", "an array of [[rules]] tables");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& entryNode = (*list)[i];
            const auto path = fmt::format("rules[{}]", i);
            const auto* entry = entryNode.as_table();
            if (!entry) expected(entryNode, path, "a table with an id and an effect");
            static constexpr std::string_view kKeys[] = {"id",      "effect",  "agents",
                                                         "topics",  "experts", "bridges",
                                                         "urgency", "hours",   "reason"};
            onlyKeys(*entry, path, kKeys);
            Rule rule;

            constexpr std::string_view kIdWhat = "an id of 1 to 64 letters, digits, '.', '_' "
                                                 "or '-'";
            const auto* idValue = string(*entry, path, "id", kIdWhat);
            if (!idValue)
                failAt(entry->source(), fmt::format("{}.id: missing; expected {}", path, kIdWhat));
            id(*idValue, path, rule.id);

            constexpr std::string_view kEffects = "\"allow\" or \"deny\"";
            const auto* effect = string(*entry, path, "effect", kEffects);
            if (!effect)
                failAt(entry->source(),
                       fmt::format("{}.effect: missing; expected {}", path, kEffects));
            if (effect->get() == "allow")
                rule.effect = Effect::allow;
            else if (effect->get() == "deny")
                rule.effect = Effect::deny;
            else
                expected(*effect, join(path, "effect"), kEffects);

            rule.agents = globs(*entry, path, "agents");
            rule.topics = globs(*entry, path, "topics");
            rule.experts = globs(*entry, path, "experts");
            if (const auto* bridges = entry->get("bridges"))
                rule.bridges = nameSet(*bridges, join(path, "bridges"), kBridgeNames);
            if (const auto* urgency = entry->get("urgency"))
                rule.urgencies = nameSet(*urgency, join(path, "urgency"), kUrgencyNames);
            if (const auto* hours = entry->get("hours")) readHours(*hours, path, rule.hours);

            constexpr std::string_view kReason = "one sentence of 1 to 300 characters";
            if (const auto* reason = string(*entry, path, "reason", kReason)) {
                const auto& text = reason->get();
                if (text.empty() || text.size() > 300 ||
                    text.find_first_of("\r\n") != std::string::npos)
                    expected(*reason, join(path, "reason"), kReason);
                rule.reason = text;
            } else {
                rule.reason = fmt::format("Policy rule {} {} this escalation.", rule.id,
                                          rule.effect == Effect::allow ? "allows" : "denies");
            }
            out.push_back(std::move(rule));
        }
    }

    // `hours` is one table or an array of them; each is {days?, from, to, tz}.
    void readHours(const toml::node& node, std::string_view rulePath, std::vector<Hours>& out) {
        const auto path = join(rulePath, "hours");
        constexpr std::string_view kWhat = "a table {days, from, to, tz} or an array of them";
        if (const auto* one = node.as_table()) {
            out.push_back(readWindow(*one, path));
            return;
        }
        const auto* list = node.as_array();
        if (!list || list->empty()) expected(node, path, kWhat);
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto* table = (*list)[i].as_table();
            const auto itemPath = fmt::format("{}[{}]", path, i);
            if (!table) expected((*list)[i], itemPath, kWhat);
            out.push_back(readWindow(*table, itemPath));
        }
    }

    Hours readWindow(const toml::table& table, std::string_view path) {
        static constexpr std::string_view kKeys[] = {"days", "from", "to", "tz"};
        onlyKeys(table, path, kKeys);
        Hours hours;
        if (const auto* days = table.get("days")) {
            static constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu",
                                                         "fri", "sat", "sun"};
            const auto bits = nameSet(*days, join(path, "days"), kDays);
            // kDays is Monday first; WeeklyWindow numbers Sunday 0.
            hours.window.days = 0;
            for (unsigned i = 0; i < 7; ++i)
                if ((bits >> i) & 1u)
                    hours.window.days |= static_cast<std::uint8_t>(1u << ((i + 1) % 7));
        }
        constexpr std::string_view kFrom = "a time \"HH:MM\" from \"00:00\" to \"23:59\"";
        constexpr std::string_view kTo = "a time \"HH:MM\" from \"00:01\" to \"24:00\"";
        const auto* from = string(table, path, "from", kFrom);
        if (!from)
            failAt(table.source(), fmt::format("{}.from: missing; expected {}", path, kFrom));
        const auto fromMinute = parseClock(from->get(), false);
        if (!fromMinute) expected(*from, join(path, "from"), kFrom);
        const auto* to = string(table, path, "to", kTo);
        if (!to) failAt(table.source(), fmt::format("{}.to: missing; expected {}", path, kTo));
        const auto toMinute = parseClock(to->get(), true);
        if (!toMinute || *toMinute == 0) expected(*to, join(path, "to"), kTo);
        if (*toMinute == *fromMinute)
            expected(*to, join(path, "to"),
                     "a time other than 'from' (for whole days write \"00:00\" to \"24:00\")");
        hours.window.from = *fromMinute;
        hours.window.to = *toMinute;

        constexpr std::string_view kZone = "an IANA time zone name such as \"Europe/Berlin\"";
        const auto* tz = string(table, path, "tz", kZone);
        if (!tz) failAt(table.source(), fmt::format("{}.tz: missing; expected {}", path, kZone));
        hours.zone = findZone(tz->get());
        if (!hours.zone)
            expected(*tz, join(path, "tz"),
                     fmt::format("{} (not in this system's time zone database)", kZone));
        hours.timeZone = tz->get();
        return hours;
    }

    void readLimits(const toml::table& root, std::vector<Limit>& out) {
        const auto* node = root.get("limits");
        if (!node) return;
        const auto* list = node->as_array();
        if (!list) expected(*node, "limits", "an array of [[limits]] tables");
        std::map<std::string, std::string> buckets; // bucketKey → path, to refuse duplicates
        for (std::size_t i = 0; i < list->size(); ++i) {
            const toml::node& entryNode = (*list)[i];
            const auto path = fmt::format("limits[{}]", i);
            const auto* entry = entryNode.as_table();
            if (!entry) expected(entryNode, path, "a table with agents or experts and a rate");
            static constexpr std::string_view kKeys[] = {
                "id", "agents", "experts", "rate", "per_seconds", "burst", "max_concurrent"};
            onlyKeys(*entry, path, kKeys);
            Limit limit;
            if (const auto* idValue = string(*entry, path, "id", "an id string"))
                id(*idValue, path, limit.id);
            else
                limit.id = path;

            const bool agents = entry->contains("agents");
            const bool experts = entry->contains("experts");
            if (agents == experts)
                failAt(entry->source(),
                       fmt::format("{}: expected exactly one of 'agents' or 'experts' (a limit "
                                   "applies to each agent or to each expert), got {}",
                                   path, agents ? "both" : "neither"));
            limit.scope = agents ? LimitScope::agent : LimitScope::expert;
            limit.subjects = globs(*entry, path, agents ? "agents" : "experts");

            const toml::node* rate = nullptr;
            const toml::node* per = nullptr;
            const toml::node* burst = nullptr;
            integer(*entry, path, "rate", 1, 1000000, limit.rate, rate);
            integer(*entry, path, "per_seconds", 1, 31 * 86400, limit.perSeconds, per);
            integer(*entry, path, "burst", 1, 1000000, limit.burst, burst);
            std::uint32_t cap = 0;
            const toml::node* capNode = nullptr;
            integer(*entry, path, "max_concurrent", 1, 1000000, cap, capNode);
            if (capNode) limit.maxConcurrent = cap;

            if (rate && !per)
                failAt(entry->source(), fmt::format("{}.per_seconds: missing; expected the "
                                                    "period of the rate, in seconds",
                                                    path));
            if (!rate && (per || burst))
                failAt((per ? per : burst)->source(),
                       fmt::format("{}.rate: missing; expected a rate with {}", path,
                                   per ? "per_seconds" : "burst"));
            if (!rate && !capNode)
                failAt(entry->source(), fmt::format("{}: expected a rate (with per_seconds), "
                                                    "max_concurrent, or both, got neither",
                                                    path));
            if (rate && !burst) limit.burst = limit.rate;

            if (limit.rate != 0) {
                const auto [it, inserted] = buckets.emplace(limit.bucketKey(), path);
                if (!inserted)
                    failAt(entry->source(),
                           fmt::format("{}: expected a limit different from {}, got the same "
                                       "subjects and rate",
                                       path, it->second));
            }
            out.push_back(std::move(limit));
        }
    }

    void integer(const toml::table& table, std::string_view path, std::string_view key,
                 std::int64_t min, std::int64_t max, std::uint32_t& out,
                 const toml::node*& node) const {
        node = table.get(key);
        if (!node) return;
        const auto* value = node->as_integer();
        if (!value || value->get() < min || value->get() > max)
            expected(*node, join(path, key), fmt::format("an integer from {} to {}", min, max));
        out = static_cast<std::uint32_t>(value->get());
    }

    void readSecurity(const toml::table& security, std::vector<SecurityRequirement>& out) const {
        // Table order in toml++ is by key; report and keep file order for readable output.
        std::vector<std::pair<const toml::key*, const toml::node*>> entries;
        for (const auto& [key, node] : security)
            entries.emplace_back(&key, &node);
        std::ranges::sort(entries, [](const auto& a, const auto& b) {
            return before(a.first->source().begin, b.first->source().begin);
        });
        for (const auto& [key, node] : entries) {
            const auto path = join("security", key->str());
            if (const auto problem = globProblem(key->str()))
                failAt(key->source(), fmt::format("{}: expected the key to be {}, got {}", path,
                                                  *problem, tomlQuoted(key->str())));
            const auto* table = node->as_table();
            if (!table) expected(*node, path, "a table such as { tls = true, srtp = true }");
            static constexpr std::string_view kKeys[] = {"tls", "srtp"};
            onlyKeys(*table, path, kKeys);
            SecurityRequirement requirement;
            requirement.pattern = std::string(key->str());
            for (auto [name, field] :
                 {std::pair{"tls", &requirement.tls}, {"srtp", &requirement.srtp}}) {
                const auto* value = table->get(name);
                if (!value) continue;
                if (!value->as_boolean()) expected(*value, join(path, name), "true or false");
                *field = value->as_boolean()->get();
            }
            out.push_back(std::move(requirement));
        }
    }

    std::map<std::string, std::string> ids_; // id → where it was first used
};

} // namespace

std::string_view bridgeName(Bridge bridge) {
    const auto i = static_cast<std::size_t>(bridge);
    return i < std::size(kBridgeNames) ? kBridgeNames[i] : "?";
}

std::optional<Bridge> parseBridge(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kBridgeNames); ++i)
        if (kBridgeNames[i] == name) return static_cast<Bridge>(i);
    return std::nullopt;
}

std::string_view urgencyName(Urgency urgency) {
    const auto i = static_cast<std::size_t>(urgency);
    return i < std::size(kUrgencyNames) ? kUrgencyNames[i] : "?";
}

std::optional<Urgency> parseUrgency(std::string_view name) {
    for (std::size_t i = 0; i < std::size(kUrgencyNames); ++i)
        if (kUrgencyNames[i] == name) return static_cast<Urgency>(i);
    return std::nullopt;
}

std::string Limit::bucketKey() const {
    // Glob patterns cannot hold control characters, so \x1f cannot be forged by a pattern.
    std::string key = scope == LimitScope::agent ? "agent" : "expert";
    for (const auto& subject : subjects)
        key += '\x1f' + subject;
    key += fmt::format("\x1e{}/{}/{}", rate, perSeconds, burst);
    return key;
}

Result<Policy> Policy::parse(std::string_view tomlText, std::string_view sourceName) {
    return toml_reader::parse<Policy>(tomlText, sourceName, [&](const toml::table& root) {
        return Reader(sourceName).read(root);
    });
}

Result<Policy> Policy::load(const std::filesystem::path& file) {
    auto text = readNamedFile(file, "policy file");
    if (!text) return fail(text.error());
    return parse(*text, file.string());
}

} // namespace sb::guard
