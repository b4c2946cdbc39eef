#include "guard/guard.hpp"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sb::guard {
namespace {

// Admits an escalation whose one expert is known: the expert, then the agent (undoing the
// expert's count when the agent is refused).
Decision admitBoth(Guard& guard, std::string_view agent, std::string_view expert, TimePoint now) {
    auto d = guard.admit(LimitScope::expert, expert, now);
    if (!d) return d;
    auto a = guard.admit(LimitScope::agent, agent, now);
    if (!a) guard.release(LimitScope::expert, expert);
    return a;
}

bool releaseBoth(Guard& guard, std::string_view agent, std::string_view expert) {
    const bool e = guard.release(LimitScope::expert, expert);
    return guard.release(LimitScope::agent, agent) && e;
}

using namespace std::chrono_literals;
using ::testing::HasSubstr;

Policy policyOf(std::string_view text) {
    auto policy = Policy::parse(text, "test.toml");
    EXPECT_TRUE(policy) << policy.error().message;
    return policy ? std::move(policy).value() : Policy{};
}

// Fixed UTC instants. 2024-04-01 is a Monday in CEST (UTC+2); 2024-01-15 a Monday in CET.
TimePoint utc(date::year_month_day day, std::chrono::minutes time) {
    return date::sys_days(day) + time;
}
const TimePoint kMonday = utc(date::year{2024} / 4 / 1, 10h);

Request request(std::string agent, std::string topic, std::vector<Bridge> bridges = {Bridge::sip},
                Urgency urgency = Urgency::normal) {
    return Request{std::move(agent), std::move(topic), urgency, std::move(bridges), std::nullopt};
}

TEST(Guard, DeniesByDefault) {
    Guard guard;
    const auto d = guard.checkRequest(request("support-1", "billing"), kMonday);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.rule, "default-deny");
    EXPECT_EQ(d.status, 403);
    EXPECT_EQ(d.reason, "No policy rule allows agent \"support-1\" to escalate topic \"billing\" "
                        "(urgency normal, bridges: sip) at this time.");
    EXPECT_FALSE(d.retryAfter);
}

TEST(Guard, FirstMatchingRuleWins) {
    Guard guard(policyOf(R"(
[[rules]]
id = "no-outage-for-bots"
effect = "deny"
agents = ["bot-*"]
topics = ["outage"]
reason = "Bots may not escalate outages."
[[rules]]
id = "anyone"
effect = "allow"
reason = "Anyone may escalate."
)"));
    auto d = guard.checkRequest(request("bot-7", "outage"), kMonday);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.rule, "no-outage-for-bots");
    EXPECT_EQ(d.reason, "Bots may not escalate outages.");
    EXPECT_EQ(d.status, 403);

    d = guard.checkRequest(request("bot-7", "billing"), kMonday);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.rule, "anyone");
    EXPECT_EQ(d.status, 200);
    d = guard.checkRequest(request("human", "outage"), kMonday);
    EXPECT_TRUE(d.allowed);
}

TEST(Guard, AllowRuleNeedsEveryBridgeDenyRuleAny) {
    Guard guard(policyOf(R"(
[[rules]]
id = "no-video"
effect = "deny"
bridges = ["video"]
[[rules]]
id = "sip-webrtc"
effect = "allow"
bridges = ["sip", "webrtc"]
)"));
    EXPECT_EQ(guard.checkRequest(request("a", "t", {Bridge::sip}), kMonday).rule, "sip-webrtc");
    EXPECT_TRUE(guard.checkRequest(request("a", "t", {Bridge::sip, Bridge::webrtc}), kMonday));
    EXPECT_EQ(guard.checkRequest(request("a", "t", {Bridge::sip, Bridge::h323}), kMonday).rule,
              "default-deny");
    EXPECT_EQ(guard.checkRequest(request("a", "t", {Bridge::sip, Bridge::video}), kMonday).rule,
              "no-video");
}

TEST(Guard, UrgencyFilters) {
    Guard guard(policyOf("[[rules]]\nid = \"urgent\"\neffect = \"allow\"\n"
                         "urgency = [\"high\", \"critical\"]\n"));
    EXPECT_FALSE(guard.checkRequest(request("a", "t", {Bridge::sip}, Urgency::normal), kMonday));
    EXPECT_TRUE(guard.checkRequest(request("a", "t", {Bridge::sip}, Urgency::critical), kMonday));
}

TEST(Guard, OfficeHoursInTheirTimeZoneAcrossDaylightSaving) {
    Guard guard(policyOf(R"(
[[rules]]
id = "office"
effect = "allow"
hours = { days = ["mon", "tue", "wed", "thu", "fri"], from = "08:00", to = "18:00", tz = "Europe/Berlin" }
)"));
    const auto r = request("a", "t");
    // Summer (UTC+2): 06:30Z is 08:30 local, 16:30Z is 18:30 local.
    EXPECT_TRUE(guard.checkRequest(r, utc(date::year{2024} / 4 / 1, 6h + 30min)));
    EXPECT_FALSE(guard.checkRequest(r, utc(date::year{2024} / 4 / 1, 16h + 30min)));
    EXPECT_FALSE(guard.checkRequest(r, utc(date::year{2024} / 4 / 1, 5h + 59min)));
    // Winter (UTC+1): 16:30Z is 17:30 local, 06:30Z is 07:30 local.
    EXPECT_TRUE(guard.checkRequest(r, utc(date::year{2024} / 1 / 15, 16h + 30min)));
    EXPECT_FALSE(guard.checkRequest(r, utc(date::year{2024} / 1 / 15, 6h + 30min)));
    // Saturday 2024-04-06 at 10:00 local.
    EXPECT_FALSE(guard.checkRequest(r, utc(date::year{2024} / 4 / 6, 8h)));
}

TEST(Guard, HoursCrossingMidnightBelongToTheOpeningDay) {
    Guard guard(policyOf("[[rules]]\nid = \"night\"\neffect = \"allow\"\n"
                         "hours = { days = [\"fri\"], from = \"22:00\", to = \"06:00\", tz = "
                         "\"UTC\" }\n"));
    const auto r = request("a", "t");
    EXPECT_TRUE(guard.checkRequest(r, utc(date::year{2024} / 4 / 5, 23h)));        // Fri
    EXPECT_TRUE(guard.checkRequest(r, utc(date::year{2024} / 4 / 6, 5h + 59min))); // Sat
    EXPECT_FALSE(guard.checkRequest(r, utc(date::year{2024} / 4 / 6, 6h)));        // Sat
    EXPECT_FALSE(guard.checkRequest(r, utc(date::year{2024} / 4 / 6, 23h)));       // Sat
    EXPECT_FALSE(guard.checkRequest(r, utc(date::year{2024} / 4 / 5, 5h)));        // Fri am
}

TEST(Guard, ExpertRulesApplyInTheSecondStep) {
    Guard guard(policyOf(R"(
[[rules]]
id = "not-bob"
effect = "deny"
experts = ["bob"]
reason = "Bob is not to be disturbed."
[[rules]]
id = "oncall-only"
effect = "allow"
experts = ["oncall-*"]
)"));
    const auto r = request("a", "t");
    // The deny rule for bob waits; the allow rule for on-call experts lets the request in.
    const auto first = guard.checkRequest(r, kMonday);
    EXPECT_TRUE(first.allowed);
    EXPECT_EQ(first.rule, "oncall-only");

    EXPECT_TRUE(guard.checkExpert(r, "oncall-anna", {true, true}, kMonday));
    const auto bob = guard.checkExpert(r, "bob", {true, true}, kMonday);
    EXPECT_FALSE(bob.allowed);
    EXPECT_EQ(bob.rule, "not-bob");
    EXPECT_EQ(bob.reason, "Bob is not to be disturbed.");
    EXPECT_EQ(guard.checkExpert(r, "carol", {true, true}, kMonday).rule, "default-deny");

    // A request naming its expert is matched with it at once.
    auto named = r;
    named.expert = "bob";
    EXPECT_EQ(guard.checkRequest(named, kMonday).rule, "not-bob");
    named.expert = "carol";
    const auto carol = guard.checkRequest(named, kMonday);
    EXPECT_EQ(carol.rule, "default-deny");
    EXPECT_THAT(carol.reason, HasSubstr("to expert \"carol\""));
}

TEST(Guard, ExpertSecurity) {
    Guard guard(policyOf(R"(
[[rules]]
id = "all"
effect = "allow"
[security]
"oncall-*" = { tls = true }
alice = { srtp = true }
)"));
    const auto r = request("a", "t");
    auto d = guard.checkExpert(r, "alice", {true, false}, kMonday);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.status, 403);
    EXPECT_EQ(d.rule, "security.\"alice\"");
    EXPECT_EQ(d.reason, "Expert \"alice\" requires SRTP media; the call would use plain RTP.");
    EXPECT_TRUE(guard.checkExpert(r, "alice", {false, true}, kMonday));

    d = guard.checkExpert(r, "oncall-x", {false, true}, kMonday);
    EXPECT_EQ(d.rule, "security.\"oncall-*\"");
    EXPECT_THAT(d.reason, HasSubstr("requires TLS signalling"));
    EXPECT_TRUE(guard.checkExpert(r, "bob", {}, kMonday));
}

constexpr std::string_view kLimited = R"(
[[rules]]
id = "all"
effect = "allow"
[[limits]]
id = "agent-rate"
agents = ["*"]
rate = 1
per_seconds = 10
burst = 2
[[limits]]
id = "agent-cap"
agents = ["*"]
max_concurrent = 3
[[limits]]
id = "expert-cap"
experts = ["alice"]
max_concurrent = 1
)";

TEST(Guard, TokenBucketRefusesWithRetryAfterAndRefills) {
    Guard guard(policyOf(kLimited));
    const auto r = request("a", "t");
    // Checks never take tokens.
    for (int i = 0; i < 5; ++i)
        EXPECT_TRUE(guard.checkRequest(r, kMonday));
    EXPECT_EQ(guard.tokens("agent-rate", "a", kMonday), 2.0);

    EXPECT_TRUE(admitBoth(guard, "a", "x", kMonday));
    EXPECT_TRUE(admitBoth(guard, "a", "y", kMonday));
    auto d = guard.checkRequest(r, kMonday);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.status, 429);
    EXPECT_EQ(d.rule, "agent-rate");
    EXPECT_EQ(d.retryAfter, 10s);
    EXPECT_EQ(d.reason, "Agent \"a\" has reached limit agent-rate (1 escalation per 10 seconds, "
                        "burst 2); retry in 10 seconds.");
    EXPECT_EQ(guard.checkRequest(r, kMonday + 4s).retryAfter, 6s);
    EXPECT_TRUE(guard.checkRequest(r, kMonday + 10s));
    // Another agent has its own bucket.
    EXPECT_TRUE(guard.checkRequest(request("b", "t"), kMonday));
    // admit refuses too, changing nothing.
    EXPECT_EQ(admitBoth(guard, "a", "z", kMonday + 1s).status, 429);
    EXPECT_EQ(guard.activeForAgent("a"), 2);
}

TEST(Guard, WordsTheClustersVerdictsAsItsOwn) {
    Guard guard(policyOf(kLimited));
    EXPECT_EQ(guard.limitsFor(LimitScope::agent, "a").size(), 2u); // agent-rate, agent-cap
    EXPECT_EQ(guard.limitsFor(LimitScope::expert, "bob").size(), 0u);

    const auto agentLimits = guard.limitsFor(LimitScope::agent, "a");
    auto d = Guard::decide("a", {"agent-rate", 2, 0.5, ""}, agentLimits);
    EXPECT_EQ(d.status, 429);
    EXPECT_EQ(d.retryAfter, 5s);
    EXPECT_EQ(d.reason, "Agent \"a\" has reached limit agent-rate (1 escalation per 10 seconds, "
                        "burst 2); retry in 5 seconds.");
    d = Guard::decide("alice", {"expert-cap", 1, std::nullopt, ""},
                      guard.limitsFor(LimitScope::expert, "alice"));
    EXPECT_EQ(d.reason, "Expert \"alice\" already has 1 escalation in progress, the most that "
                        "limit expert-cap allows.");
    d = Guard::decide("a", {"", 0, std::nullopt, "connection refused"}, agentLimits);
    EXPECT_EQ(d.status, 503);
    EXPECT_EQ(d.rule, "cluster");
    EXPECT_TRUE(Guard::decide("a", {}, agentLimits));

    // What the cluster admitted counts here too, for the registry's busy() and the metrics.
    guard.count(LimitScope::expert, "alice");
    EXPECT_EQ(guard.activeForExpert("alice"), 1);
    EXPECT_TRUE(guard.release(LimitScope::expert, "alice"));
}

TEST(Guard, ConcurrencyCapsAndRelease) {
    Guard guard(policyOf(kLimited));
    const auto r = request("a", "t");
    EXPECT_TRUE(admitBoth(guard, "a", "alice", kMonday));
    EXPECT_EQ(guard.activeForExpert("alice"), 1);

    auto d = guard.checkExpert(r, "alice", {}, kMonday);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.status, 429);
    EXPECT_EQ(d.rule, "expert-cap");
    EXPECT_EQ(d.reason, "Expert \"alice\" already has 1 escalation in progress, the most that "
                        "limit expert-cap allows.");
    EXPECT_FALSE(d.retryAfter);

    // All or nothing: the expert's cap refuses, so the agent's bucket keeps its token.
    const double before = *guard.tokens("agent-rate", "a", kMonday + 20s);
    EXPECT_EQ(admitBoth(guard, "a", "alice", kMonday + 20s).rule, "expert-cap");
    EXPECT_EQ(guard.tokens("agent-rate", "a", kMonday + 20s), before);

    EXPECT_TRUE(releaseBoth(guard, "a", "alice"));
    EXPECT_FALSE(releaseBoth(guard, "a", "alice"));
    EXPECT_EQ(guard.activeForExpert("alice"), 0);
    EXPECT_TRUE(guard.checkExpert(r, "alice", {}, kMonday + 20s));

    // The agent's cap of three.
    ASSERT_TRUE(admitBoth(guard, "a", "x", kMonday + 1000s));
    ASSERT_TRUE(admitBoth(guard, "a", "y", kMonday + 1000s));
    ASSERT_TRUE(admitBoth(guard, "a", "z", kMonday + 1010s));
    d = guard.checkRequest(r, kMonday + 2000s);
    EXPECT_EQ(d.rule, "agent-cap");
    EXPECT_EQ(d.status, 429);
    releaseBoth(guard, "a", "y");
    EXPECT_TRUE(guard.checkRequest(r, kMonday + 2000s));
}

TEST(Guard, ReplaceKeepsCountsAndUnchangedBuckets) {
    Guard guard(policyOf(kLimited));
    ASSERT_TRUE(admitBoth(guard, "a", "alice", kMonday));
    ASSERT_TRUE(admitBoth(guard, "a", "bob", kMonday));
    EXPECT_EQ(guard.tokens("agent-rate", "a", kMonday), 0.0);

    // Same limit under a new position and id, plus a rule change: the level is kept.
    std::string reordered(kLimited);
    reordered.replace(reordered.find("id = \"agent-rate\""), 17, "id = \"renamed\"");
    guard.replace(policyOf(reordered));
    EXPECT_EQ(guard.tokens("renamed", "a", kMonday), 0.0);
    EXPECT_EQ(guard.activeForAgent("a"), 2);
    EXPECT_EQ(guard.checkExpert(request("a", "t"), "alice", {}, kMonday).rule, "expert-cap");

    // A different rate is a new bucket, which starts full.
    std::string faster(kLimited);
    faster.replace(faster.find("rate = 1\n"), 9, "rate = 2\n");
    guard.replace(policyOf(faster));
    EXPECT_EQ(guard.tokens("agent-rate", "a", kMonday), 2.0);
    EXPECT_EQ(guard.activeForAgent("a"), 2);
    EXPECT_TRUE(releaseBoth(guard, "a", "alice"));
}

TEST(Guard, PruneForgetsFullBuckets) {
    Guard guard(policyOf(kLimited));
    ASSERT_TRUE(admitBoth(guard, "a", "x", kMonday));
    ASSERT_TRUE(admitBoth(guard, "b", "y", kMonday + 15s));
    EXPECT_EQ(guard.prune(kMonday + 16s), 1u); // a's bucket is full again, b's is not
    EXPECT_EQ(guard.tokens("agent-rate", "b", kMonday + 16s), 1.1);
    EXPECT_EQ(guard.prune(kMonday + 60s), 1u);
}

// Agents that each escalate once, a second apart, under a limit that refills in ten seconds:
// admit() prunes as it goes, so the buckets stay near the ten still refilling instead of one per
// agent ever seen, and a limited agent stays limited.
TEST(Guard, ManyShortLivedAgentsDoNotGrowTheBuckets) {
    Guard guard(policyOf(kLimited));
    constexpr int kAgents = 20000;
    std::size_t most = 0;
    for (int i = 0; i < kAgents; ++i) {
        const auto now = kMonday + std::chrono::seconds(i);
        const std::string agent = "agent-" + std::to_string(i);
        ASSERT_TRUE(guard.admit(LimitScope::agent, agent, now));
        ASSERT_TRUE(guard.release(LimitScope::agent, agent));
        most = std::max(most, guard.bucketCount());
    }
    EXPECT_LE(most, Guard::kPruneFloor);
    const auto last = kMonday + std::chrono::seconds(kAgents - 1);
    EXPECT_EQ(guard.tokens("agent-rate", "agent-" + std::to_string(kAgents - 1), last), 1.0);
}

TEST(Guard, TheExamplePolicy) {
    auto policy = Policy::load(std::string(SB_VECTORS_DIR) + "/guard/policy.toml");
    ASSERT_TRUE(policy) << policy.error().message;
    Guard guard(std::move(policy).value());
    const auto office = utc(date::year{2024} / 4 / 2, 9h); // Tuesday 11:00 in Berlin
    auto r = request("support-3", "billing-eu", {Bridge::sip, Bridge::webrtc}, Urgency::high);
    EXPECT_EQ(guard.checkRequest(r, office).rule, "support-daytime");
    EXPECT_EQ(guard.checkRequest(r, utc(date::year{2024} / 4 / 2, 19h)).rule, "default-deny");
    EXPECT_EQ(guard.checkExpert(r, "alice", {true, false}, office).rule, "security.\"alice\"");
    EXPECT_TRUE(guard.checkExpert(r, "alice", {false, true}, office));

    auto bot = request("bot-1", "billing", {Bridge::sip, Bridge::video}, Urgency::critical);
    EXPECT_EQ(guard.checkRequest(bot, office).rule, "no-video-for-bots");

    auto ops = request("ops-1", "db", {Bridge::sip}, Urgency::normal);
    const auto night = utc(date::year{2024} / 4 / 2, 22h);
    EXPECT_EQ(guard.checkRequest(ops, night).rule, "ops-oncall-night");
    EXPECT_EQ(guard.checkExpert(ops, "oncall-1", {true, true}, night).rule, "ops-oncall-night");
    EXPECT_EQ(guard.checkExpert(ops, "alice", {true, true}, night).rule, "default-deny");
}

} // namespace
} // namespace sb::guard
