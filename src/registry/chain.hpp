#pragma once
// An escalation chain: for topics matching its globs, ring these experts in stages — each
// stage rings one expert or several in parallel for ringSeconds, then the next stage.
//
// JSON (all fields required):
//   {"id": "billing", "topics": ["billing*", "invoice"],
//    "stages": [{"experts": ["alice"], "ringSeconds": 20},
//               {"experts": ["bob", "carol"], "ringSeconds": 30}]}

#include "core/result.hpp"
#include "registry/field_error.hpp"

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sb::registry {

struct ChainStage {
    std::vector<std::string> experts; // expert ids, at least one, each once in the stage
    std::chrono::seconds ring{30};    // 1 … 600 s ("ringSeconds")

    bool operator==(const ChainStage&) const = default;
};

struct Chain {
    std::string id;                  // 1 to 64 of [A-Za-z0-9._-]
    std::vector<std::string> topics; // glob patterns (* and ?), at least one
    std::vector<ChainStage> stages;  // at least one, rung in order

    // The most specific of the chain's patterns that matches `topic` (by globSpecificity), or
    // -1 when none does.
    long matchSpecificity(std::string_view topic) const;

    bool operator==(const Chain&) const = default;
};

// Reads a chain; same contract as expertFromJson (Errc::invalid_input, "<pointer>: <detail>",
// `where` filled). Whether the experts exist is checked by Registry::upsertChain, not here.
Result<Chain> chainFromJson(const nlohmann::json& json, FieldError* where = nullptr);
Result<Chain> parseChain(std::string_view jsonText, FieldError* where = nullptr);

nlohmann::json toJson(const Chain& chain);

} // namespace sb::registry
