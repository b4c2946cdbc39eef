// Fuzzes the guard's policy reader and then the guard with what it read: any text yields a
// Policy or an Error, never a crash, an exception or a hang; a policy that parsed can decide.

#include "guard/guard.hpp"

#include <chrono>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto policy = sb::guard::Policy::parse(text, "fuzz.toml");
    if (!policy) return 0;
    sb::guard::Guard guard(std::move(policy).value());
    const auto now = sb::guard::TimePoint(std::chrono::seconds(1712052000)); // 2024-04-02 10:00Z
    const sb::guard::Request request{"support-1",
                                     "billing",
                                     sb::guard::Urgency::high,
                                     {sb::guard::Bridge::sip, sb::guard::Bridge::webrtc},
                                     std::nullopt};
    (void)guard.checkRequest(request, now);
    (void)guard.checkExpert(request, "alice", {true, false}, now);
    using sb::guard::LimitScope;
    if (guard.admit(LimitScope::agent, "support-1", now))
        guard.release(LimitScope::agent, "support-1");
    if (guard.admit(LimitScope::expert, "alice", now)) guard.release(LimitScope::expert, "alice");
    return 0;
}
