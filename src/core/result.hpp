#pragma once
// Result<T>: a value or an Error, shaped like C++23 std::expected (which g++ 12 lacks in C++20).
// Everything driven by untrusted bytes returns a Result instead of throwing.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sb {

enum class Errc {
    invalid_input, // the peer sent something malformed
    too_large,     // a size or count limit was exceeded
    unsupported,   // well-formed but not something we handle (e.g. a SIP version other than 2.0)
    incomplete,    // more bytes are needed (stream framing)
    not_found,
    io,
    timeout,
    closed,
    config,
};

const char* errcName(Errc code) noexcept;

// An error carries a code and one human sentence that names the offending field.
struct Error {
    Errc code = Errc::invalid_input;
    std::string message;
};

struct Unexpected {
    Error error;
};

inline Unexpected fail(Errc code, std::string message) {
    return Unexpected{Error{code, std::move(message)}};
}
inline Unexpected fail(Error error) {
    return Unexpected{std::move(error)};
}

template <class T>
class [[nodiscard]] Result {
public:
    Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(const T& value) : v_(std::in_place_index<0>, value) {}
    Result(Unexpected e) : v_(std::in_place_index<1>, std::move(e.error)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& value() & {
        assert(has_value());
        return *std::get_if<0>(&v_);
    }
    const T& value() const& {
        assert(has_value());
        return *std::get_if<0>(&v_);
    }
    T&& value() && {
        assert(has_value());
        return std::move(*std::get_if<0>(&v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const {
        assert(!has_value());
        return *std::get_if<1>(&v_);
    }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Unexpected e) : error_(std::move(e.error)) {}

    bool has_value() const noexcept { return !error_; }
    explicit operator bool() const noexcept { return has_value(); }
    const Error& error() const {
        assert(error_);
        return *error_;
    }

private:
    std::optional<Error> error_;
};

} // namespace sb
