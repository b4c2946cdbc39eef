#include "registry/json_read.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace sb::registry::detail {

namespace {
constexpr std::size_t kMaxTextBytes = std::size_t{1} << 20;
} // namespace

std::string pointerJoin(std::string_view pointer, std::string_view key) {
    std::string out(pointer);
    out += '/';
    for (const char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

std::string pointerJoin(std::string_view pointer, std::size_t index) {
    return fmt::format("{}/{}", pointer, index);
}

std::string describe(const nlohmann::json& value) {
    constexpr std::size_t kMax = 60;
    switch (value.type()) {
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "an array";
    case nlohmann::json::value_t::discarded:
        return "nothing";
    default:
        break;
    }
    // replace: a string built in code may hold invalid UTF-8, which dump() would throw on.
    std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    if (text.size() > kMax) text = text.substr(0, kMax) + "...";
    return text;
}

void fieldFail(std::string field, std::string detail) {
    throw JsonFieldError{FieldError{std::move(field), std::move(detail)}};
}

void expected(const nlohmann::json& value, std::string field, std::string_view what) {
    fieldFail(std::move(field), fmt::format("expected {}, got {}", what, describe(value)));
}

const nlohmann::json::object_t& object(const nlohmann::json& value, std::string_view pointer,
                                       std::initializer_list<std::string_view> allowed) {
    if (!value.is_object()) expected(value, std::string(pointer), "an object");
    const auto& object = value.get_ref<const nlohmann::json::object_t&>();
    for (const auto& [key, member] : object) {
        if (std::ranges::find(allowed, std::string_view(key)) != allowed.end()) continue;
        std::string names;
        for (auto name : allowed)
            names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
        fieldFail(pointerJoin(pointer, key),
                  fmt::format("unknown field (expected one of: {})", names));
    }
    return object;
}

const nlohmann::json* member(const nlohmann::json::object_t& object, std::string_view key) {
    const auto it = object.find(std::string(key));
    return it == object.end() ? nullptr : &it->second;
}

const nlohmann::json& required(const nlohmann::json::object_t& object, std::string_view pointer,
                               std::string_view key, std::string_view what) {
    const auto* value = member(object, key);
    if (!value) fieldFail(pointerJoin(pointer, key), fmt::format("missing; expected {}", what));
    return *value;
}

const std::string& string(const nlohmann::json& value, std::string_view pointer,
                          std::string_view what) {
    if (!value.is_string()) expected(value, std::string(pointer), what);
    return value.get_ref<const std::string&>();
}

std::int64_t integer(const nlohmann::json& value, std::string_view pointer, std::int64_t min,
                     std::int64_t max) {
    const auto what = fmt::format("an integer from {} to {}", min, max);
    if (value.is_number_unsigned()) {
        const auto n = value.get<std::uint64_t>();
        if (n > static_cast<std::uint64_t>(max) || static_cast<std::int64_t>(n) < min)
            expected(value, std::string(pointer), what);
        return static_cast<std::int64_t>(n);
    }
    if (!value.is_number_integer()) expected(value, std::string(pointer), what);
    const auto n = value.get<std::int64_t>();
    if (n < min || n > max) expected(value, std::string(pointer), what);
    return n;
}

const nlohmann::json::array_t& array(const nlohmann::json& value, std::string_view pointer,
                                     std::string_view what, bool nonEmpty) {
    if (!value.is_array() || (nonEmpty && value.empty()))
        expected(value, std::string(pointer), what);
    return value.get_ref<const nlohmann::json::array_t&>();
}

nlohmann::json parseText(std::string_view text) {
    if (text.size() > kMaxTextBytes)
        fieldFail("", fmt::format("expected a JSON document of at most {} bytes, got {} bytes",
                                  kMaxTextBytes, text.size()));
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        fieldFail("", fmt::format("expected a JSON object, got invalid JSON (syntax error at "
                                  "byte {})",
                                  e.byte));
    } catch (const nlohmann::json::exception&) {
        // out_of_range 406: a number too large for a double ("1e999").
        fieldFail("", "expected a JSON object, got invalid JSON (a number out of range)");
    }
}

bool isId(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::ranges::all_of(id, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

bool isPlainText(std::string_view text, std::size_t maxBytes) {
    return text.size() <= maxBytes && std::ranges::none_of(text, [](char ch) {
               const auto c = static_cast<unsigned char>(ch);
               return c < 0x20 || c == 0x7f;
           });
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) {
                   return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
               };
               return lower(x) == lower(y);
           });
}

} // namespace sb::registry::detail
