#pragma once
// The guard (IF.guard): may this agent escalate this topic to this expert now, with these
// bridges? Deny by default.
//
// An escalation is checked in two steps because the expert is chosen after the request is
// admitted; the agent and each expert rung are admitted, and released when they are done:
//
//   auto d = guard.checkRequest(request, now);             // rules, the agent's limits
//   … the registry plans; for each expert of the plan:
//   auto e = guard.checkExpert(request, expert, security, now); // rules, security, its limits
//   guard.admit(LimitScope::agent, request.agent, now);    // takes the tokens, counts it
//   … for each expert as it is rung (a stage may ring several at once):
//   guard.admit(LimitScope::expert, expert, now);
//   … when that call ends, and when the escalation ends:
//   guard.release(LimitScope::expert, expert); guard.release(LimitScope::agent, request.agent);
//
// Checks are steps run in order, like repro's processor chain: each either decides (a denial)
// or lets the next one run; the last allow is the answer. Checks never change state; only
// admit and release do, so a request refused later by the registry costs no tokens.
//
// Not thread-safe by design: the guard lives on the control worker.

#include "guard/policy.hpp"
#include "guard/shared_limits.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sb::guard {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

inline constexpr int kStatusAllowed = 200;
inline constexpr int kStatusPolicy = 403;      // a rule, the default denial or security
inline constexpr int kStatusRateLimit = 429;   // a bucket is empty or a cap is reached
inline constexpr int kStatusUnavailable = 503; // the cluster's shared limits cannot be reached

inline constexpr std::string_view kDefaultDenyId = "default-deny";
inline constexpr std::string_view kLimitsId = "limits"; // admit's own answer when it admits

struct Request {
    std::string agent;
    std::string topic;
    Urgency urgency = Urgency::normal;
    std::vector<Bridge> bridges;       // every bridge the escalation wants ("sip" for the call)
    std::optional<std::string> expert; // set when the agent names the expert
};

// How the call to the expert would be protected.
struct ExpertCallSecurity {
    bool tlsSignalling = false; // SIP over TLS (sips:)
    bool srtpMedia = false;     // SRTP rather than plain RTP
};

struct Decision {
    bool allowed = false;
    std::string rule;   // the deciding rule or limit id, "default-deny", "security.<glob>", …
    std::string reason; // one sentence, for the agent and the witness
    int status = kStatusPolicy;                     // HTTP-style: 200, 403, 429
    std::optional<std::chrono::seconds> retryAfter; // for 429 from a bucket

    explicit operator bool() const noexcept { return allowed; }
};

class Guard {
public:
    explicit Guard(Policy policy = {});

    const Policy& policy() const noexcept { return policy_; }

    // SIGHUP reload: escalations in progress stay counted, and bucket levels are kept for
    // every limit whose subjects, rate, period and burst are unchanged (Limit::bucketKey);
    // other buckets start full.
    void replace(Policy policy);

    // Step 1, before an expert is chosen: the first rule (file order) that matches decides,
    // rules that name experts counting only when they allow (some expert may still match) —
    // unless the request names its expert, when rules are matched with it; then the agent's
    // buckets and caps (and the named expert's). Never changes state.
    Decision checkRequest(const Request& request, TimePoint now) const;

    // Step 2, for a chosen expert: the first rule matching the request with this expert
    // decides; then the expert's required security; then its buckets and caps.
    Decision checkExpert(const Request& request, std::string_view expert,
                         ExpertCallSecurity security, TimePoint now) const;

    // Takes one token from every bucket that applies to the agent (or expert) and counts one
    // escalation in progress for it — all or nothing: if a bucket is empty or a cap reached,
    // nothing changes and that denial is returned. Rules are not re-checked here.
    Decision admit(LimitScope scope, std::string_view subject, TimePoint now);

    // Ends what admit() counted. Returns false (and changes nothing) when nothing is counted.
    bool release(LimitScope scope, std::string_view subject);

    // In a cluster the buckets and caps are the shared ledger's (guard/shared_limits.hpp):
    // the limits that apply to a subject, for it to enforce; its verdict on them in the
    // guard's words; and count() for what it admitted (this instance's escalations in progress, for
    // the registry's busy() and the metrics), with release() when they end.
    std::vector<Limit> limitsFor(LimitScope scope, std::string_view subject) const;
    static Decision decide(std::string_view subject, const SharedVerdict& verdict,
                           const std::vector<Limit>& asked); // asked: the limits sent to it
    void count(LimitScope scope, std::string_view subject);

    // Escalations in progress. activeForExpert fits the registry's busy() callback.
    int activeForAgent(std::string_view agent) const;
    int activeForExpert(std::string_view expert) const;

    // The tokens left in a bucket (for tests and metrics); nullopt when the limit has no
    // bucket or does not apply to the subject.
    std::optional<double> tokens(std::string_view limitId, std::string_view subject,
                                 TimePoint now) const;

    // Forgets buckets that have refilled completely (they are equal to a fresh one), so that
    // many short-lived agent ids do not grow memory. Returns how many were removed. admit()
    // calls it whenever the buckets have doubled since the last prune (at least kPruneFloor),
    // so memory stays within twice the buckets still refilling, at an amortised O(1) per admit.
    std::size_t prune(TimePoint now);
    std::size_t bucketCount() const noexcept { return buckets_.size(); }
    static constexpr std::size_t kPruneFloor = 1024;

private:
    struct Bucket {
        double tokens = 0;
        TimePoint last{};
    };

    std::optional<Decision> ruleStep(const Request& request, const std::string* expert,
                                     TimePoint now, Decision& allow) const;
    std::optional<Decision> securityStep(std::string_view expert,
                                         ExpertCallSecurity security) const;
    std::optional<Decision> limitStep(LimitScope scope, std::string_view subject,
                                      TimePoint now) const;
    // A limit's refusal: its cap reached with `active` in progress, or its bucket at `tokens`.
    static Decision refusal(const Limit& limit, std::string_view subject, int active,
                            std::optional<double> tokens);
    double level(const Limit& limit, std::string_view subject, TimePoint now) const;
    static std::string bucketId(const Limit& limit, std::string_view subject);

    Policy policy_;
    std::unordered_map<std::string, Bucket> buckets_; // bucketId → bucket
    std::size_t pruneAt_ = kPruneFloor;               // admit() prunes at this many buckets
    std::unordered_map<std::string, int> agentActive_, expertActive_;
};

} // namespace sb::guard
