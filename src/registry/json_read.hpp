#pragma once
// Internal to sb_registry: the strict JSON field reader shared by experts and chains. It
// throws JsonFieldError, which the public readers turn into a Result and a FieldError.

#include "registry/field_error.hpp"

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sb::registry::detail {

struct JsonFieldError {
    FieldError error;
};

// RFC 6901 §3: "~" is written "~0" and "/" is written "~1".
std::string pointerJoin(std::string_view pointer, std::string_view key);
std::string pointerJoin(std::string_view pointer, std::size_t index);

// What a value is, for "got …": short scalars as JSON, containers by kind.
std::string describe(const nlohmann::json& value);

[[noreturn]] void fieldFail(std::string field, std::string detail);
[[noreturn]] void expected(const nlohmann::json& value, std::string field, std::string_view what);

// An object whose keys are all in `allowed` (else the first unknown one, in key order, fails).
const nlohmann::json::object_t& object(const nlohmann::json& value, std::string_view pointer,
                                       std::initializer_list<std::string_view> allowed);

// The member `key`, nullptr when absent. `null` counts as present (and then fails its type).
const nlohmann::json* member(const nlohmann::json::object_t& object, std::string_view key);
const nlohmann::json& required(const nlohmann::json::object_t& object, std::string_view pointer,
                               std::string_view key, std::string_view what);

const std::string& string(const nlohmann::json& value, std::string_view pointer,
                          std::string_view what);
std::int64_t integer(const nlohmann::json& value, std::string_view pointer, std::int64_t min,
                     std::int64_t max);
const nlohmann::json::array_t& array(const nlohmann::json& value, std::string_view pointer,
                                     std::string_view what, bool nonEmpty);

// Parses JSON text (at most 1 MiB), failing at pointer "" with the byte offset of the error.
nlohmann::json parseText(std::string_view text);

// Validation shared by experts and chains.
bool isId(std::string_view id);                                // 1 to 64 of [A-Za-z0-9._-]
bool isPlainText(std::string_view text, std::size_t maxBytes); // no control characters
bool iequals(std::string_view a, std::string_view b);

inline constexpr std::string_view kIdWhat = "an id of 1 to 64 letters, digits, '.', '_' or '-'";

} // namespace sb::registry::detail
