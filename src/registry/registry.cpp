#include "registry/registry.hpp"

#include "core/quote.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sb::registry {
namespace {

std::string list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& item : items) {
        if (out.size() > 1) out += ", ";
        out += item;
    }
    return out + "]";
}

// Why candidates were left out, for the sentence of an empty plan.
struct Tally {
    int matching = 0; // had the skills and a language
    int onCall = 0;   // … and were on call
    int atCapacity = 0;
};

bool available(const Expert& expert, const Need& need, std::chrono::system_clock::time_point now,
               const BusyFn& busy, Tally& tally) {
    if (!hasSkills(expert, need.skills) || !speaksAny(expert, need.languages)) return false;
    ++tally.matching;
    if (!onCall(expert, now)) return false;
    ++tally.onCall;
    if (busy && busy(expert.id) >= expert.maxConcurrent) {
        ++tally.atCapacity;
        return false;
    }
    return true;
}

std::string emptyPlanReason(const Need& need, const Tally& tally, const Chain* chain) {
    std::string who = "no expert";
    if (!need.skills.empty()) who += " with skills " + list(need.skills);
    if (!need.languages.empty()) who += " speaking one of " + list(need.languages);
    if (chain) who += " in chain " + quoteUntrusted(chain->id);
    if (tally.matching == 0) return who + " is registered";
    if (tally.onCall == 0) return who + " is on call";
    return fmt::format("{} is on call and free ({} on call, all at capacity)", who, tally.onCall);
}

} // namespace

Result<void> Registry::upsertExpert(Expert expert) {
    // One set of rules for experts from the API and from code: the JSON reader's.
    auto checked = expertFromJson(toJson(expert));
    if (!checked) return fail(checked.error());
    const std::string id = expert.id;
    experts_.insert_or_assign(id, std::move(expert));
    return {};
}

Result<void> Registry::removeExpert(std::string_view id) {
    const auto it = experts_.find(id);
    if (it == experts_.end())
        return fail(Errc::not_found,
                    fmt::format("expert {} is not registered", quoteUntrusted(id)));
    std::vector<std::string> users;
    for (const auto& [chainId, chain] : chains_)
        for (const auto& stage : chain.stages)
            if (std::ranges::find(stage.experts, id) != stage.experts.end()) {
                users.push_back(chainId);
                break;
            }
    if (!users.empty())
        return fail(Errc::invalid_input,
                    fmt::format("expert {} is still named by chain{} {}; remove it from them "
                                "first",
                                quoteUntrusted(id), users.size() == 1 ? "" : "s", list(users)));
    experts_.erase(it);
    return {};
}

const Expert* Registry::expert(std::string_view id) const {
    const auto it = experts_.find(id);
    return it == experts_.end() ? nullptr : &it->second;
}

std::vector<const Expert*> Registry::experts() const {
    std::vector<const Expert*> out;
    for (const auto& [id, expert] : experts_)
        out.push_back(&expert);
    return out;
}

Result<void> Registry::upsertChain(Chain chain) {
    auto checked = chainFromJson(toJson(chain));
    if (!checked) return fail(checked.error());
    for (std::size_t s = 0; s < chain.stages.size(); ++s)
        for (std::size_t e = 0; e < chain.stages[s].experts.size(); ++e)
            if (!experts_.contains(chain.stages[s].experts[e]))
                return fail(FieldError{
                    fmt::format("/stages/{}/experts/{}", s, e),
                    fmt::format("unknown expert {}", quoteUntrusted(chain.stages[s].experts[e]))}
                                .error());
    const std::string id = chain.id;
    chains_.insert_or_assign(id, std::move(chain));
    return {};
}

Result<void> Registry::removeChain(std::string_view id) {
    const auto it = chains_.find(id);
    if (it == chains_.end())
        return fail(Errc::not_found, fmt::format("chain {} is not registered", quoteUntrusted(id)));
    chains_.erase(it);
    return {};
}

const Chain* Registry::chain(std::string_view id) const {
    const auto it = chains_.find(id);
    return it == chains_.end() ? nullptr : &it->second;
}

std::vector<const Chain*> Registry::chains() const {
    std::vector<const Chain*> out;
    for (const auto& [id, chain] : chains_)
        out.push_back(&chain);
    return out;
}

const Chain* Registry::chainFor(std::string_view topic) const {
    const Chain* best = nullptr;
    long bestScore = -1;
    for (const auto& [id, chain] : chains_) { // by id, so ties go to the smaller id
        const long score = chain.matchSpecificity(topic);
        if (score > bestScore) {
            best = &chain;
            bestScore = score;
        }
    }
    return best;
}

Result<Plan> Registry::plan(const Need& need, std::chrono::system_clock::time_point now,
                            const BusyFn& busy, std::chrono::seconds defaultRing) const {
    Plan plan;
    if (need.expert) {
        plan.source = PlanSource::named;
        const Expert* named = expert(*need.expert);
        if (!named)
            return fail(Errc::not_found,
                        fmt::format("expert {} is not registered", quoteUntrusted(*need.expert)));
        if (!onCall(*named, now))
            return fail(Errc::not_found, fmt::format("expert {} is not on call now ({} time)",
                                                     quoteUntrusted(named->id), named->timeZone));
        const int active = busy ? busy(named->id) : 0;
        if (active >= named->maxConcurrent)
            return fail(Errc::not_found,
                        fmt::format("expert {} is at capacity ({} of {} escalations in progress)",
                                    quoteUntrusted(named->id), active, named->maxConcurrent));
        plan.stages.push_back(PlanStage{{named->id}, defaultRing});
        return plan;
    }

    Tally tally;
    if (const Chain* chosen = chainFor(need.topic)) {
        plan.source = PlanSource::chain;
        plan.chain = chosen->id;
        std::vector<std::string> rung;
        for (const auto& stage : chosen->stages) {
            PlanStage out{{}, stage.ring};
            for (const auto& id : stage.experts) {
                const Expert* candidate = expert(id);
                if (!candidate || std::ranges::find(rung, id) != rung.end()) continue;
                if (!available(*candidate, need, now, busy, tally)) continue;
                out.experts.push_back(id);
                rung.push_back(id);
            }
            if (!out.experts.empty()) plan.stages.push_back(std::move(out));
        }
        if (plan.stages.empty()) return fail(Errc::not_found, emptyPlanReason(need, tally, chosen));
        return plan;
    }

    plan.source = PlanSource::implicit;
    std::map<int, std::vector<std::string>> byPriority; // ids arrive in order from experts_
    for (const auto& [id, candidate] : experts_)
        if (available(candidate, need, now, busy, tally))
            byPriority[candidate.priority].push_back(id);
    for (auto& [priority, ids] : byPriority)
        plan.stages.push_back(PlanStage{std::move(ids), defaultRing});
    if (plan.stages.empty()) return fail(Errc::not_found, emptyPlanReason(need, tally, nullptr));
    return plan;
}

} // namespace sb::registry
