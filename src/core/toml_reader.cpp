#include "core/toml_reader.hpp"

#include <algorithm>
#include <utility>

namespace sb::toml_reader {
namespace {

bool isBareKey(std::string_view key) {
    return !key.empty() && std::ranges::all_of(key, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

} // namespace

std::string tomlQuoted(std::string_view s) {
    constexpr std::size_t kMax = 60;
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\')
            out += fmt::format("\\{}", s[i]);
        else if (c < 0x20 || c == 0x7f)
            out += fmt::format("\\u{:04X}", c);
        else
            out += s[i];
    }
    if (s.size() > kMax) out += "...";
    out += '"';
    return out;
}

std::string join(std::string_view path, std::string_view key) {
    std::string part = isBareKey(key) ? std::string(key) : tomlQuoted(key);
    return path.empty() ? part : fmt::format("{}.{}", path, part);
}

std::string describe(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string:
        return tomlQuoted(node.as_string()->get());
    case toml::node_type::integer:
        return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point:
        return fmt::format("{}", node.as_floating_point()->get());
    case toml::node_type::boolean:
        return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    case toml::node_type::none:
        break;
    }
    return "nothing";
}

std::string joinNames(std::span<const std::string_view> names) {
    std::string out;
    for (auto name : names) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

bool before(const toml::source_position& a, const toml::source_position& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
}

void Reader::failAt(const toml::source_region& at, std::string_view message) const {
    if (at.begin.line == 0) throw Problem(fmt::format("{}: {}", sourceName_, message));
    throw Problem(
        fmt::format("{}:{}:{}: {}", sourceName_, at.begin.line, at.begin.column, message));
}

void Reader::expected(const toml::node& node, std::string_view key, std::string_view what) const {
    failAt(node.source(), fmt::format("{}: expected {}, got {}", key, what, describe(node)));
}

void Reader::onlyKeys(const toml::table& table, std::string_view path,
                      std::span<const std::string_view> allowed) const {
    const toml::key* unknown = nullptr;
    for (const auto& [key, value] : table) {
        if (std::ranges::find(allowed, key.str()) != allowed.end()) continue;
        if (!unknown || before(key.source().begin, unknown->source().begin)) unknown = &key;
    }
    if (!unknown) return;
    failAt(unknown->source(), fmt::format("unknown key '{}' (expected one of: {})",
                                          join(path, unknown->str()), joinNames(allowed)));
}

const toml::table* Reader::table(const toml::table& parent, std::string_view path,
                                 std::string_view key) const {
    const auto* node = parent.get(key);
    if (!node) return nullptr;
    const auto* value = node->as_table();
    if (!value) expected(*node, join(path, key), "a table");
    return value;
}

const toml::value<std::string>* Reader::string(const toml::table& table, std::string_view path,
                                               std::string_view key, std::string_view what) const {
    const auto* node = table.get(key);
    if (!node) return nullptr;
    const auto* value = node->as_string();
    if (!value) expected(*node, join(path, key), what);
    return value;
}

void Reader::boolean(const toml::table& table, std::string_view path, std::string_view key,
                     bool& out) const {
    const auto* node = table.get(key);
    if (!node) return;
    const auto* value = node->as_boolean();
    if (!value) expected(*node, join(path, key), "true or false");
    out = value->get();
}

Error errorOf(std::exception_ptr failure, std::string_view sourceName) {
    try {
        std::rethrow_exception(std::move(failure));
    } catch (const toml::parse_error& e) {
        const auto& at = e.source().begin;
        return {Errc::config,
                fmt::format("{}:{}:{}: {}", sourceName, at.line, at.column, e.description())};
    } catch (const Problem& e) {
        return {Errc::config, e.what()};
    } catch (const std::exception& e) {
        return {Errc::config, fmt::format("{}: {}", sourceName, e.what())};
    }
}

} // namespace sb::toml_reader
