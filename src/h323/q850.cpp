#include "h323/q850.hpp"

#include <charconv>

namespace sb::h323 {

namespace {

struct CauseStatus {
    std::uint8_t cause;
    int status;
};

// RFC 3398 §7.2.4.1.
constexpr CauseStatus kCauseToStatus[] = {
    {1, 404},  {2, 404},  {3, 404},  {17, 486}, {18, 408},  {19, 480},  {20, 480}, {21, 403},
    {22, 410}, {23, 410}, {26, 404}, {27, 502}, {28, 484},  {29, 501},  {31, 480}, {34, 503},
    {38, 503}, {41, 503}, {42, 503}, {47, 503}, {55, 403},  {57, 403},  {58, 503}, {65, 488},
    {70, 488}, {79, 501}, {87, 403}, {88, 503}, {102, 504}, {111, 500}, {127, 500}};

struct StatusCause {
    int status;
    std::uint8_t cause;
};

// RFC 3398 §8.2.6.1 (488 and 606, "by Warning header" there, as 65: bearer capability not
// implemented, the media not acceptable; 487, a cancelled call, as normal clearing).
constexpr StatusCause kStatusToCause[] = {
    {400, 41},  {401, 21}, {402, 21},  {403, 21},  {404, 1},  {405, 63},  {406, 79},  {407, 21},
    {408, 102}, {410, 22}, {413, 127}, {414, 127}, {415, 79}, {416, 127}, {420, 127}, {421, 127},
    {423, 127}, {480, 18}, {481, 41},  {482, 25},  {483, 25}, {484, 28},  {485, 1},   {486, 17},
    {487, 16},  {488, 65}, {500, 41},  {501, 79},  {502, 38}, {503, 41},  {504, 102}, {505, 127},
    {513, 127}, {600, 17}, {603, 21},  {604, 1},   {606, 65}};

} // namespace

int sipStatusOf(std::uint8_t cause) noexcept {
    if (cause == 16) return 0;
    for (const auto& [c, status] : kCauseToStatus)
        if (c == cause) return status;
    // By class (Q.850 Table 1): normal events, resource unavailable, service or option not
    // available, not implemented, invalid message, protocol error, interworking.
    if (cause < 32) return 480;
    if (cause < 64) return 503;
    if (cause < 80) return 501;
    return 500;
}

std::uint8_t causeOf(int sipStatus) noexcept {
    for (const auto& [status, cause] : kStatusToCause)
        if (status == sipStatus) return cause;
    return 127;
}

std::string reasonOf(std::uint8_t cause) {
    return "Q.850;cause=" + std::to_string(cause);
}

std::optional<std::uint8_t> q850Of(std::string_view reason) noexcept {
    constexpr std::string_view kPrefix = "Q.850;cause=";
    if (!reason.starts_with(kPrefix)) return std::nullopt;
    const auto digits = reason.substr(kPrefix.size());
    if (digits.size() > 1 && digits.front() == '0') return std::nullopt; // not as written
    unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    // Q.850 §2.2.5: a cause value is seven bits.
    if (error != std::errc{} || end != digits.data() + digits.size() || value > 127)
        return std::nullopt;
    return static_cast<std::uint8_t>(value);
}

} // namespace sb::h323
