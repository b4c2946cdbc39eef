#include "witness/entry.hpp"

namespace sb::witness {

std::string canonicalJson(const Entry& e) {
    // nlohmann::json keeps objects in std::map order (sorted keys) and dump() writes them
    // without whitespace, which is the canonical form for the values entries hold.
    const nlohmann::json j{{"trace_id", e.traceId},
                           {"time", e.timeMs},
                           {"type", e.type},
                           {"actor", e.actor},
                           {"data", e.data}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace sb::witness
