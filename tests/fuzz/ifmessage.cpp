// libFuzzer target: an agent's request body as the API reads it — JSON within the depth limit,
// the IFMessage envelope, then the escalate payload. Never crashes, throws or hangs; every
// refusal names a member by JSON pointer.

#include "api/ifmessage.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Every error's message starts with the pointer of what it refuses.
    auto named = [](const sb::Error& e) { return e.message.starts_with("/"); };
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto json = sb::api::parseJson(body);
    if (!json) return named(json.error()) ? 0 : (std::abort(), 0);
    auto message = sb::api::readIfMessage(*json);
    if (!message) return named(message.error()) ? 0 : (std::abort(), 0);
    auto request = sb::api::readEscalateRequest(message->payload);
    if (!request && !request.error().message.starts_with("/payload")) std::abort();
    return 0;
}
