#include "guard/guard.hpp"

#include "core/glob.hpp"
#include "core/quote.hpp"

#include <algorithm>
#include <cmath>
#include <date/tz.h>
#include <fmt/format.h>
#include <unordered_set>

namespace sb::guard {
namespace {

bool anyMatch(const std::vector<std::string>& patterns, std::string_view text) {
    return patterns.empty() || std::ranges::any_of(patterns, [&](const std::string& pattern) {
               return globMatch(pattern, text);
           });
}

std::uint8_t bridgeMask(const std::vector<Bridge>& bridges) {
    std::uint8_t mask = 0;
    for (const auto b : bridges)
        mask |= bridgeBit(b);
    return mask;
}

std::string bridgeList(const std::vector<Bridge>& bridges) {
    if (bridges.empty()) return "none";
    std::string out;
    for (const auto b : bridges) {
        if (!out.empty()) out += ", ";
        out += bridgeName(b);
    }
    return out;
}

bool inHours(const std::vector<Hours>& hours, TimePoint now) {
    if (hours.empty()) return true;
    for (const auto& h : hours) {
        if (!h.zone) continue;
        // The wall-clock time in the window's zone: date applies the zone's offset at this
        // instant, so daylight-saving changes need no special case.
        const auto local = h.zone->to_local(std::chrono::floor<std::chrono::seconds>(now));
        const auto day = std::chrono::floor<date::days>(local);
        const auto minute =
            static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
        if (h.window.contains(date::weekday(day).c_encoding(), minute)) return true;
    }
    return false;
}

bool ruleMatches(const Rule& rule, const Request& request, const std::string* expert,
                 TimePoint now) {
    if (!anyMatch(rule.agents, request.agent) || !anyMatch(rule.topics, request.topic))
        return false;
    if (!(rule.urgencies & urgencyBit(request.urgency))) return false;
    const auto asked = bridgeMask(request.bridges);
    if (rule.effect == Effect::allow) {
        if (asked & ~rule.bridges) return false; // every bridge asked for must be allowed
    } else if (rule.bridges != kAllBridges && !(asked & rule.bridges)) {
        return false; // a deny rule naming bridges bites when any of them is asked for
    }
    if (expert) {
        if (!anyMatch(rule.experts, *expert)) return false;
    } else if (!rule.experts.empty() && rule.effect == Effect::deny) {
        // Before the expert is known a deny rule for some experts cannot apply yet; an allow
        // rule for some experts may (checkExpert decides for the chosen one).
        return false;
    }
    return inHours(rule.hours, now);
}

Decision denied(std::string rule, std::string reason, int status,
                std::optional<std::chrono::seconds> retryAfter = std::nullopt) {
    return Decision{false, std::move(rule), std::move(reason), status, retryAfter};
}

Decision allowed(std::string rule, std::string reason) {
    return Decision{true, std::move(rule), std::move(reason), kStatusAllowed, std::nullopt};
}

std::string limitWhat(const Limit& limit) {
    return fmt::format("{} escalation{} per {} second{}, burst {}", limit.rate,
                       limit.rate == 1 ? "" : "s", limit.perSeconds,
                       limit.perSeconds == 1 ? "" : "s", limit.burst);
}

} // namespace

Guard::Guard(Policy policy) : policy_(std::move(policy)) {}

void Guard::replace(Policy policy) {
    std::unordered_set<std::string> keys;
    for (const auto& limit : policy.limits)
        if (limit.rate != 0) keys.insert(limit.bucketKey());
    std::erase_if(buckets_, [&](const auto& entry) {
        const auto& id = entry.first;
        return !keys.contains(id.substr(0, id.find('\0')));
    });
    policy_ = std::move(policy);
}

std::string Guard::bucketId(const Limit& limit, std::string_view subject) {
    // bucketKey never holds '\0', so the split in replace() is unambiguous.
    std::string id = limit.bucketKey();
    id += '\0';
    id += subject;
    return id;
}

double Guard::level(const Limit& limit, std::string_view subject, TimePoint now) const {
    const double capacity = limit.burst;
    const auto it = buckets_.find(bucketId(limit, subject));
    if (it == buckets_.end()) return capacity; // a bucket not yet used is full
    const auto elapsed = std::chrono::duration<double>(now - it->second.last).count();
    const double refill = std::max(0.0, elapsed) * limit.rate / limit.perSeconds;
    return std::min(capacity, it->second.tokens + refill);
}

std::optional<Decision> Guard::ruleStep(const Request& request, const std::string* expert,
                                        TimePoint now, Decision& allow) const {
    for (const auto& rule : policy_.rules) {
        if (!ruleMatches(rule, request, expert, now)) continue;
        if (rule.effect == Effect::deny) return denied(rule.id, rule.reason, kStatusPolicy);
        allow = allowed(rule.id, rule.reason);
        return std::nullopt;
    }
    return denied(std::string(kDefaultDenyId),
                  fmt::format("No policy rule allows agent {} to escalate topic {}{} (urgency "
                              "{}, bridges: {}) at this time.",
                              quoteUntrusted(request.agent), quoteUntrusted(request.topic),
                              expert ? " to expert " + quoteUntrusted(*expert) : std::string(),
                              urgencyName(request.urgency), bridgeList(request.bridges)),
                  kStatusPolicy);
}

std::optional<Decision> Guard::securityStep(std::string_view expert,
                                            ExpertCallSecurity security) const {
    for (const auto& requirement : policy_.security) {
        if (!globMatch(requirement.pattern, expert)) continue;
        const std::string id = fmt::format("security.{}", quoteUntrusted(requirement.pattern));
        if (requirement.tls && !security.tlsSignalling)
            return denied(id,
                          fmt::format("Expert {} requires TLS signalling; the call would use "
                                      "plain SIP.",
                                      quoteUntrusted(expert)),
                          kStatusPolicy);
        if (requirement.srtp && !security.srtpMedia)
            return denied(id,
                          fmt::format("Expert {} requires SRTP media; the call would use plain "
                                      "RTP.",
                                      quoteUntrusted(expert)),
                          kStatusPolicy);
    }
    return std::nullopt;
}

Decision Guard::refusal(const Limit& limit, std::string_view subject, int active,
                        std::optional<double> tokens) {
    const char* who = limit.scope == LimitScope::agent ? "Agent" : "Expert";
    if (!tokens)
        return denied(limit.id,
                      fmt::format("{} {} already has {} escalation{} in progress, the most "
                                  "that limit {} allows.",
                                  who, quoteUntrusted(subject), active, active == 1 ? "" : "s",
                                  limit.id),
                      kStatusRateLimit);
    // Time until one whole token has dripped back in, rounded up to a whole second.
    const double wait = (1.0 - *tokens) * limit.perSeconds / limit.rate;
    const auto retry = std::chrono::seconds(std::max<long long>(1, std::llround(std::ceil(wait))));
    return denied(limit.id,
                  fmt::format("{} {} has reached limit {} ({}); retry in {} second{}.", who,
                              quoteUntrusted(subject), limit.id, limitWhat(limit), retry.count(),
                              retry.count() == 1 ? "" : "s"),
                  kStatusRateLimit, retry);
}

std::optional<Decision> Guard::limitStep(LimitScope scope, std::string_view subject,
                                         TimePoint now) const {
    const int active =
        scope == LimitScope::agent ? activeForAgent(subject) : activeForExpert(subject);
    for (const auto& limit : policy_.limits) {
        if (limit.scope != scope || !anyMatch(limit.subjects, subject)) continue;
        if (limit.maxConcurrent && active >= static_cast<int>(*limit.maxConcurrent))
            return refusal(limit, subject, active, std::nullopt);
        if (limit.rate == 0) continue;
        if (const double tokens = level(limit, subject, now); tokens < 1.0)
            return refusal(limit, subject, active, tokens);
    }
    return std::nullopt;
}

Decision Guard::checkRequest(const Request& request, TimePoint now) const {
    Decision allow;
    const std::string* expert = request.expert ? &*request.expert : nullptr;
    if (auto denial = ruleStep(request, expert, now, allow)) return std::move(*denial);
    if (auto denial = limitStep(LimitScope::agent, request.agent, now)) return std::move(*denial);
    if (expert)
        if (auto denial = limitStep(LimitScope::expert, *expert, now)) return std::move(*denial);
    return allow;
}

Decision Guard::checkExpert(const Request& request, std::string_view expert,
                            ExpertCallSecurity security, TimePoint now) const {
    Decision allow;
    const std::string expertId(expert);
    if (auto denial = ruleStep(request, &expertId, now, allow)) return std::move(*denial);
    if (auto denial = securityStep(expert, security)) return std::move(*denial);
    if (auto denial = limitStep(LimitScope::expert, expert, now)) return std::move(*denial);
    return allow;
}

Decision Guard::admit(LimitScope scope, std::string_view subject, TimePoint now) {
    if (auto denial = limitStep(scope, subject, now)) return std::move(*denial);
    for (const auto& limit : policy_.limits) {
        if (limit.rate == 0 || limit.scope != scope || !anyMatch(limit.subjects, subject)) continue;
        const double tokens = level(limit, subject, now);
        auto& bucket = buckets_[bucketId(limit, subject)];
        // A clock that stepped back must not refill the bucket twice later.
        bucket.last = std::max(bucket.last, now);
        bucket.tokens = tokens - 1.0;
    }
    if (buckets_.size() >= pruneAt_) {
        prune(now);
        pruneAt_ = std::max(kPruneFloor, 2 * buckets_.size());
    }
    count(scope, subject);
    return allowed(std::string(kLimitsId),
                   "The escalation is within its rate and concurrency limits.");
}

bool Guard::release(LimitScope scope, std::string_view subject) {
    auto& active = scope == LimitScope::agent ? agentActive_ : expertActive_;
    const auto found = active.find(std::string(subject));
    if (found == active.end()) return false;
    if (--found->second <= 0) active.erase(found);
    return true;
}

std::vector<Limit> Guard::limitsFor(LimitScope scope, std::string_view subject) const {
    std::vector<Limit> out;
    for (const auto& limit : policy_.limits)
        if (limit.scope == scope && anyMatch(limit.subjects, subject)) out.push_back(limit);
    return out;
}

Decision Guard::decide(std::string_view subject, const SharedVerdict& verdict,
                       const std::vector<Limit>& asked) {
    if (!verdict.error.empty())
        return denied("cluster",
                      fmt::format("The cluster's limits could not be checked: {}", verdict.error),
                      kStatusUnavailable);
    if (verdict.refusedBy.empty())
        return allowed(std::string(kLimitsId),
                       "The escalation is within the cluster's rate and concurrency limits.");
    for (const auto& limit : asked)
        if (limit.id == verdict.refusedBy)
            return refusal(limit, subject, verdict.active, verdict.tokens);
    return denied(verdict.refusedBy, "A limit of the cluster was reached.", kStatusRateLimit);
}

void Guard::count(LimitScope scope, std::string_view subject) {
    ++(scope == LimitScope::agent ? agentActive_ : expertActive_)[std::string(subject)];
}

int Guard::activeForAgent(std::string_view agent) const {
    const auto it = agentActive_.find(std::string(agent));
    return it == agentActive_.end() ? 0 : it->second;
}

int Guard::activeForExpert(std::string_view expert) const {
    const auto it = expertActive_.find(std::string(expert));
    return it == expertActive_.end() ? 0 : it->second;
}

std::optional<double> Guard::tokens(std::string_view limitId, std::string_view subject,
                                    TimePoint now) const {
    for (const auto& limit : policy_.limits)
        if (limit.id == limitId && limit.rate != 0 && anyMatch(limit.subjects, subject))
            return level(limit, subject, now);
    return std::nullopt;
}

std::size_t Guard::prune(TimePoint now) {
    std::size_t removed = 0;
    for (const auto& limit : policy_.limits) {
        if (limit.rate == 0) continue;
        const std::string prefix = bucketId(limit, "");
        removed += std::erase_if(buckets_, [&](const auto& entry) {
            if (!entry.first.starts_with(prefix)) return false;
            const auto subject = std::string_view(entry.first).substr(prefix.size());
            return level(limit, subject, now) >= limit.burst;
        });
    }
    return removed;
}

} // namespace sb::guard
