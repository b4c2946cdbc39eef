#pragma once
// One spdlog logger per module ("sip", "net", "app", …), all writing to one sink, each with a
// level that can be changed at run time. Warnings on the packet path go through RateLimit so
// that a flood of bad packets cannot flood the log.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <spdlog/spdlog.h>
#include <string_view>

namespace sb::log {

// The module's logger, created on first use with the default level. Thread-safe.
spdlog::logger& get(std::string_view module);

// Sets one module's level ("trace", "debug", "info", "warn", "error", "critical", "off").
// Returns false for an unknown level name.
bool setLevel(std::string_view module, std::string_view level);

// Sets the level of every existing module and the default for modules created later.
bool setDefaultLevel(std::string_view level);

// Allows at most `burst` events per `interval`; counts what it suppressed. Lock-free, so it
// can sit in a function-local static on any worker thread.
class RateLimit {
public:
    RateLimit(std::uint32_t burst, std::chrono::milliseconds interval) noexcept
        : burst_(burst), intervalNs_(std::chrono::nanoseconds(interval).count()) {}

    // True if this event may be logged; `suppressed` receives how many were dropped since the
    // last allowed event.
    bool allow(std::uint64_t& suppressed) noexcept;

private:
    std::uint32_t burst_;
    std::int64_t intervalNs_;
    std::atomic<std::int64_t> windowStart_{0};
    std::atomic<std::uint32_t> count_{0};
    std::atomic<std::uint64_t> suppressed_{0};
};

} // namespace sb::log

// Logs a warning at most 10 times a second per call site.
#define SB_WARN_RATE_LIMITED(logger, ...)                                                          \
    do {                                                                                           \
        static ::sb::log::RateLimit sbRateLimit_{10, std::chrono::seconds(1)};                     \
        std::uint64_t sbSuppressed_ = 0;                                                           \
        if (sbRateLimit_.allow(sbSuppressed_)) {                                                   \
            if (sbSuppressed_ > 0)                                                                 \
                (logger).warn("({} similar warnings suppressed)", sbSuppressed_);                  \
            (logger).warn(__VA_ARGS__);                                                            \
        }                                                                                          \
    } while (0)
