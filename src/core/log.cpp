#include "core/log.hpp"

#include <map>
#include <mutex>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <string>

namespace sb::log {
namespace {

struct Registry {
    std::mutex mutex;
    std::shared_ptr<spdlog::sinks::sink> sink =
        std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
    spdlog::level::level_enum defaultLevel = spdlog::level::info;
};

Registry& registry() {
    static Registry r;
    return r;
}

bool parseLevel(std::string_view name, spdlog::level::level_enum& out) {
    auto level = spdlog::level::from_str(std::string(name));
    // from_str answers "off" for anything it does not know; accept "off" only when asked for.
    if (level == spdlog::level::off && name != "off") return false;
    out = level;
    return true;
}

} // namespace

spdlog::logger& get(std::string_view module) {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.loggers.find(module); it != r.loggers.end()) return *it->second;
    auto logger = std::make_shared<spdlog::logger>(std::string(module), r.sink);
    logger->set_level(r.defaultLevel);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
    auto& ref = *logger;
    r.loggers.emplace(std::string(module), std::move(logger));
    return ref;
}

bool setLevel(std::string_view module, std::string_view level) {
    spdlog::level::level_enum parsed;
    if (!parseLevel(level, parsed)) return false;
    get(module).set_level(parsed);
    return true;
}

bool setDefaultLevel(std::string_view level) {
    spdlog::level::level_enum parsed;
    if (!parseLevel(level, parsed)) return false;
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    r.defaultLevel = parsed;
    for (auto& [name, logger] : r.loggers)
        logger->set_level(parsed);
    return true;
}

bool RateLimit::allow(std::uint64_t& suppressed) noexcept {
    const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    std::int64_t start = windowStart_.load(std::memory_order_relaxed);
    if (now - start >= intervalNs_ &&
        windowStart_.compare_exchange_strong(start, now, std::memory_order_relaxed)) {
        count_.store(0, std::memory_order_relaxed);
    }
    if (count_.fetch_add(1, std::memory_order_relaxed) < burst_) {
        suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
        return true;
    }
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

} // namespace sb::log
