#pragma once
// The registry: experts and escalation chains in memory, and the plan of whom to ring for an
// escalation. Storage (SQLite/PostgreSQL) is the document store's business; this class is the
// model it loads into. Not thread-safe: it lives on the control worker.
//
// Consistency: a chain may only name registered experts (upsertChain refuses others), and an
// expert that a chain names cannot be removed (removeExpert refuses, naming the chains) —
// the operator edits the chains first, so that no chain silently loses a stage.

#include "core/result.hpp"
#include "registry/chain.hpp"
#include "registry/expert.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::registry {

// What an escalation needs.
struct Need {
    std::string topic;
    std::vector<std::string> skills;    // all of them (ASCII case-insensitive)
    std::vector<std::string> languages; // one of them (BCP 47, basic filtering); empty: any
    std::optional<std::string> expert;  // the agent named the expert
};

struct PlanStage {
    std::vector<std::string> experts; // rung in parallel
    std::chrono::seconds ring{0};     // how long this stage rings before the next
};

enum class PlanSource { named, chain, implicit };

struct Plan {
    PlanSource source = PlanSource::implicit;
    std::string chain;             // the chain's id when source is chain
    std::vector<PlanStage> stages; // never empty in a returned plan
};

// Escalations an expert has in progress (e.g. Guard::activeForExpert).
using BusyFn = std::function<int(std::string_view expertId)>;

class Registry {
public:
    // Inserts or replaces. The expert is validated as expertFromJson would (an Error names the
    // field by JSON pointer). Replacing keeps the chains that name it.
    Result<void> upsertExpert(Expert expert);
    // Errc::not_found when unknown; Errc::invalid_input, naming the chains, when a chain
    // still names the expert.
    Result<void> removeExpert(std::string_view id);
    const Expert* expert(std::string_view id) const; // nullptr when unknown
    std::vector<const Expert*> experts() const;      // by id

    // Inserts or replaces; Errc::invalid_input ("/stages/1/experts/0: unknown expert …") when
    // a stage names an expert that is not registered, or when the chain is malformed.
    Result<void> upsertChain(Chain chain);
    Result<void> removeChain(std::string_view id); // Errc::not_found when unknown
    const Chain* chain(std::string_view id) const;
    std::vector<const Chain*> chains() const; // by id

    // The chain for a topic: among chains with a matching pattern, the one whose matching
    // pattern is the most specific (most non-wildcard characters: "billing-eu*" before
    // "billing*" before "*"), ties broken by chain id. Stable whatever the storage order.
    const Chain* chainFor(std::string_view topic) const;

    // The stages to ring:
    //  - a named expert: one stage with that expert ringing `defaultRing` (Errc::not_found
    //    when unknown, off call or at capacity, saying which);
    //  - else the chain for the topic, each stage keeping the experts that are on call, have
    //    all the skills and one of the languages and are below maxConcurrent; empty stages are
    //    dropped and an expert already rung in an earlier stage is not rung again;
    //  - else an implicit plan: every such expert, one stage per priority (lower first, equal
    //    priority in parallel, ids in order), each ringing `defaultRing`.
    // An empty plan is Errc::not_found with a sentence saying why (e.g. "no expert with skills
    // [billing] is on call").
    Result<Plan> plan(const Need& need, std::chrono::system_clock::time_point now,
                      const BusyFn& busy,
                      std::chrono::seconds defaultRing = std::chrono::seconds(30)) const;

private:
    std::map<std::string, Expert, std::less<>> experts_;
    std::map<std::string, Chain, std::less<>> chains_;
};

} // namespace sb::registry
