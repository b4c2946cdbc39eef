#pragma once
// The strict TOML reading shared by the configuration (app/config) and the guard's policy
// (guard/policy): every key known, every value checked, and the first problem reported as one
// line that names the file, the line, the column and the dotted key, e.g.
// "switchboard.toml:12:7: sip.timers.t1_ms: expected an integer from 50 to 10000, got 0".

#include "core/result.hpp"

#include <chrono>
#include <cstdint>
#include <fmt/format.h>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <toml++/toml.h>

namespace sb::toml_reader {

// A string as it would be written in TOML, shortened so that one message stays one line.
std::string tomlQuoted(std::string_view s);

// Appends one key to a dotted key, quoting it as TOML would when it is not a bare key.
std::string join(std::string_view path, std::string_view key);

// What a value is, for "got …": the value itself for scalars, its kind otherwise.
std::string describe(const toml::node& node);

// "a, b, c".
std::string joinNames(std::span<const std::string_view> names);

// Whether `a` comes before `b` in the file (toml++ keeps a table's keys sorted, not in order).
bool before(const toml::source_position& a, const toml::source_position& b);

// The one problem a Reader found; parse() turns it into a Result.
class Problem : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The checks a document's reader builds on. Each throws Problem at the first fault.
class Reader {
public:
    explicit Reader(std::string_view sourceName) : sourceName_(sourceName) {}

protected:
    [[noreturn]] void failAt(const toml::source_region& at, std::string_view message) const;
    [[noreturn]] void expected(const toml::node& node, std::string_view key,
                               std::string_view what) const;

    // Rejects any key of `table` not in `allowed`, reporting the first one in the file.
    void onlyKeys(const toml::table& table, std::string_view path,
                  std::span<const std::string_view> allowed) const;

    // The sub-table `key` of `parent`, nullptr when absent; an error when not a table.
    const toml::table* table(const toml::table& parent, std::string_view path,
                             std::string_view key) const;

    // A string value; nullptr when absent.
    const toml::value<std::string>* string(const toml::table& table, std::string_view path,
                                           std::string_view key, std::string_view what) const;

    // `out` is left as it is when the key is absent.
    void boolean(const toml::table& table, std::string_view path, std::string_view key,
                 bool& out) const;
    template <class T>
    void integer(const toml::table& table, std::string_view path, std::string_view key,
                 std::int64_t min, std::int64_t max, T& out) const {
        const auto* node = table.get(key);
        if (!node) return;
        const auto* value = node->as_integer();
        if (!value || value->get() < min || value->get() > max)
            expected(*node, join(path, key), fmt::format("an integer from {} to {}", min, max));
        out = static_cast<T>(value->get());
    }
    // An integer count of the duration's own unit (the key says which: "_s", "_ms").
    template <class Rep, class Period>
    void duration(const toml::table& table, std::string_view path, std::string_view key,
                  std::int64_t min, std::int64_t max,
                  std::chrono::duration<Rep, Period>& out) const {
        Rep count = out.count();
        integer(table, path, key, min, max, count);
        out = std::chrono::duration<Rep, Period>(count);
    }

    std::string_view sourceName_;
};

// The error of a failed parse: a TOML syntax error or a Reader's Problem, as Errc::config.
Error errorOf(std::exception_ptr failure, std::string_view sourceName);

// Parses `text` (named `sourceName` in errors) and reads its root table with `read`.
template <class T, class Read>
Result<T> parse(std::string_view text, std::string_view sourceName, Read&& read) {
    try {
        const toml::table root = toml::parse(text, sourceName);
        return read(root);
    } catch (...) {
        return fail(errorOf(std::current_exception(), sourceName));
    }
}

} // namespace sb::toml_reader
