#include "guard/policy.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>

namespace sb::guard {
namespace {

using ::testing::HasSubstr;

// The example policy (also the fuzz seed): tests/vectors/guard/policy.toml.
const std::filesystem::path kDeployPolicy =
    std::filesystem::path(SB_VECTORS_DIR) / "guard" / "policy.toml";

std::string errorOf(std::string_view text) {
    auto policy = Policy::parse(text, "p.toml");
    if (policy) return "(parsed without error)";
    EXPECT_EQ(policy.error().code, Errc::config);
    return policy.error().message;
}

TEST(Policy, DeployExampleParses) {
    auto policy = Policy::load(kDeployPolicy);
    ASSERT_TRUE(policy) << policy.error().message;
    EXPECT_GE(policy->rules.size(), 3u);
    EXPECT_GE(policy->limits.size(), 2u);
    EXPECT_FALSE(policy->security.empty());
}

TEST(Policy, EmptyTextIsAnEmptyPolicy) {
    auto policy = Policy::parse("", "p.toml");
    ASSERT_TRUE(policy) << policy.error().message;
    EXPECT_TRUE(policy->rules.empty());
}

TEST(Policy, ReadsEveryField) {
    auto policy = Policy::parse(R"(
[[rules]]
id = "support-daytime"
effect = "allow"
agents = ["support-*"]
topics = ["billing*", "outage"]
experts = ["*"]
bridges = ["sip", "webrtc"]
urgency = ["high", "critical"]
hours = { days = ["mon", "fri"], from = "08:00", to = "18:00", tz = "Europe/Berlin" }
reason = "Support agents may reach experts during office hours."

[[rules]]
id = "night"
effect = "deny"
hours = [{ from = "22:00", to = "06:00", tz = "UTC" }, { days = ["sun"], from = "00:00", to = "24:00", tz = "UTC" }]

[[limits]]
agents = ["*"]
rate = 10
per_seconds = 60
burst = 5
max_concurrent = 3

[[limits]]
id = "alice"
experts = ["alice"]
max_concurrent = 1

[security]
"oncall-*" = { tls = true, srtp = true }
bob = { srtp = true }
)",
                                "p.toml");
    ASSERT_TRUE(policy) << policy.error().message;
    ASSERT_EQ(policy->rules.size(), 2u);
    const Rule& r = policy->rules[0];
    EXPECT_EQ(r.id, "support-daytime");
    EXPECT_EQ(r.effect, Effect::allow);
    EXPECT_EQ(r.agents, std::vector<std::string>{"support-*"});
    EXPECT_EQ(r.topics, (std::vector<std::string>{"billing*", "outage"}));
    EXPECT_EQ(r.bridges, bridgeBit(Bridge::sip) | bridgeBit(Bridge::webrtc));
    EXPECT_EQ(r.urgencies, urgencyBit(Urgency::high) | urgencyBit(Urgency::critical));
    ASSERT_EQ(r.hours.size(), 1u);
    EXPECT_EQ(r.hours[0].timeZone, "Europe/Berlin");
    EXPECT_NE(r.hours[0].zone, nullptr);
    EXPECT_EQ(r.hours[0].window.days, (1 << 1) | (1 << 5)); // Monday and Friday
    EXPECT_EQ(r.hours[0].window.from, 8 * 60);
    EXPECT_EQ(r.hours[0].window.to, 18 * 60);

    const Rule& night = policy->rules[1];
    EXPECT_EQ(night.effect, Effect::deny);
    EXPECT_TRUE(night.agents.empty());
    EXPECT_EQ(night.bridges, kAllBridges);
    EXPECT_EQ(night.reason, "Policy rule night denies this escalation.");
    ASSERT_EQ(night.hours.size(), 2u);
    EXPECT_TRUE(night.hours[0].window.crossesMidnight());
    EXPECT_EQ(night.hours[1].window.to, 1440);

    ASSERT_EQ(policy->limits.size(), 2u);
    EXPECT_EQ(policy->limits[0].id, "limits[0]");
    EXPECT_EQ(policy->limits[0].scope, LimitScope::agent);
    EXPECT_EQ(policy->limits[0].rate, 10u);
    EXPECT_EQ(policy->limits[0].perSeconds, 60u);
    EXPECT_EQ(policy->limits[0].burst, 5u);
    EXPECT_EQ(policy->limits[0].maxConcurrent, 3u);
    EXPECT_EQ(policy->limits[1].id, "alice");
    EXPECT_EQ(policy->limits[1].scope, LimitScope::expert);
    EXPECT_EQ(policy->limits[1].rate, 0u);
    EXPECT_EQ(policy->limits[1].maxConcurrent, 1u);

    ASSERT_EQ(policy->security.size(), 2u); // file order
    EXPECT_EQ(policy->security[0], (SecurityRequirement{"oncall-*", true, true}));
    EXPECT_EQ(policy->security[1], (SecurityRequirement{"bob", false, true}));
}

TEST(Policy, BurstDefaultsToRate) {
    auto policy = Policy::parse("[[limits]]\nagents = [\"*\"]\nrate = 7\nper_seconds = 60\n", "p");
    ASSERT_TRUE(policy) << policy.error().message;
    EXPECT_EQ(policy->limits[0].burst, 7u);
}

struct BadCase {
    const char* text;
    const char* message;
};

class PolicyErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(PolicyErrors, NameFileLineColumnAndKey) {
    EXPECT_EQ(errorOf(GetParam().text), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Strict, PolicyErrors,
    ::testing::Values(
        BadCase{"rule = 1\n", "p.toml:1:1: unknown key 'rule' (expected one of: rules, limits, "
                              "security)"},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\ncolor = \"red\"\n",
                "p.toml:4:1: unknown key 'rules[0].color' (expected one of: id, effect, agents, "
                "topics, experts, bridges, urgency, hours, reason)"},
        BadCase{"[[rules]]\neffect = \"allow\"\n",
                "p.toml:1:1: rules[0].id: missing; expected an id of 1 to 64 letters, digits, "
                "'.', '_' or '-'"},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"permit\"\n",
                "p.toml:3:10: rules[0].effect: expected \"allow\" or \"deny\", got \"permit\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\n[[rules]]\nid = \"a\"\neffect = "
                "\"deny\"\n",
                "p.toml:5:6: rules[1].id: expected a unique id, got \"a\" (already used by "
                "rules[0])"},
        BadCase{"[[rules]]\nid = \"default-deny\"\neffect = \"allow\"\n",
                "p.toml:2:6: rules[0].id: expected an id other than \"default-deny\" and "
                "\"limits\" (the guard's own), got \"default-deny\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nagents = \"support\"\n",
                "p.toml:4:10: rules[0].agents: expected a non-empty array of glob patterns "
                "(leave the key out to match any), got \"support\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nagents = []\n",
                "p.toml:4:10: rules[0].agents: expected a non-empty array of glob patterns "
                "(leave the key out to match any), got an array"},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\ntopics = [\"ok\", \"bill[ab]\"]\n",
                "p.toml:4:17: rules[0].topics[1]: expected a glob pattern of 1 to 256 "
                "characters where only * and ? are wildcards (no [ ] { } or \\: character "
                "classes, braces and escapes are not supported), got \"bill[ab]\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nbridges = [\"sip\", \"skype\"]\n",
                "p.toml:4:19: rules[0].bridges[1]: expected a non-empty array of names from: "
                "sip, h323, webrtc, video, got \"skype\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nurgency = [1]\n",
                "p.toml:4:12: rules[0].urgency[0]: expected a non-empty array of names from: "
                "low, normal, high, critical, got 1"},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nhours = { from = \"25:00\", to = "
                "\"18:00\", tz = \"UTC\" }\n",
                "p.toml:4:18: rules[0].hours.from: expected a time \"HH:MM\" from \"00:00\" to "
                "\"23:59\", got \"25:00\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nhours = { from = \"08:00\", to = "
                "\"08:00\", tz = \"UTC\" }\n",
                "p.toml:4:32: rules[0].hours.to: expected a time other than 'from' (for whole "
                "days write \"00:00\" to \"24:00\"), got \"08:00\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nhours = { days = [\"monday\"], "
                "from = \"08:00\", to = \"18:00\", tz = \"UTC\" }\n",
                "p.toml:4:19: rules[0].hours.days[0]: expected a non-empty array of names from: "
                "mon, tue, wed, thu, fri, sat, sun, got \"monday\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nhours = { from = \"08:00\", to = "
                "\"18:00\", tz = \"Europe/Atlantis\" }\n",
                "p.toml:4:46: rules[0].hours.tz: expected an IANA time zone name such as "
                "\"Europe/Berlin\" (not in this system's time zone database), got "
                "\"Europe/Atlantis\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nhours = { from = \"08:00\", to = "
                "\"18:00\" }\n",
                "p.toml:4:9: rules[0].hours.tz: missing; expected an IANA time zone name such as "
                "\"Europe/Berlin\""},
        BadCase{"[[rules]]\nid = \"a\"\neffect = \"allow\"\nhours = [{ from = \"08:00\", to = "
                "\"18:00\", tz = \"UTC\", zone = \"x\" }]\n",
                "p.toml:4:54: unknown key 'rules[0].hours[0].zone' (expected one of: days, from, "
                "to, tz)"},
        BadCase{"[[limits]]\nagents = [\"*\"]\nexperts = [\"*\"]\nrate = 1\nper_seconds = 1\n",
                "p.toml:1:1: limits[0]: expected exactly one of 'agents' or 'experts' (a limit "
                "applies to each agent or to each expert), got both"},
        BadCase{"[[limits]]\nagents = [\"*\"]\nrate = 0\nper_seconds = 1\n",
                "p.toml:3:8: limits[0].rate: expected an integer from 1 to 1000000, got 0"},
        BadCase{"[[limits]]\nagents = [\"*\"]\nrate = 5\n",
                "p.toml:1:1: limits[0].per_seconds: missing; expected the period of the rate, "
                "in seconds"},
        BadCase{"[[limits]]\nagents = [\"*\"]\n",
                "p.toml:1:1: limits[0]: expected a rate (with per_seconds), max_concurrent, or "
                "both, got neither"},
        BadCase{"[[limits]]\nagents = [\"*\"]\nrate = 1\nper_seconds = 1\n[[limits]]\nagents = "
                "[\"*\"]\nrate = 1\nper_seconds = 1\n",
                "p.toml:5:1: limits[1]: expected a limit different from limits[0], got the same "
                "subjects and rate"},
        BadCase{"[security]\n\"oncall-*\" = { tls = \"yes\" }\n",
                "p.toml:2:22: security.\"oncall-*\".tls: expected true or false, got \"yes\""},
        BadCase{"[security]\n\"oncall-*\" = { tls = true, ice = true }\n",
                "p.toml:2:28: unknown key 'security.\"oncall-*\".ice' (expected one of: tls, "
                "srtp)"},
        BadCase{"[security]\n\"on{call}\" = { tls = true }\n",
                "p.toml:2:1: security.\"on{call}\": expected the key to be a glob pattern of 1 to "
                "256 characters where only * and ? are wildcards (no [ ] { } or \\: character "
                "classes, braces and escapes are not supported), got \"on{call}\""},
        BadCase{"[[rules]\n",
                "p.toml:1:9: Error while parsing table header: expected ']', saw '\\n'"}));

TEST(Policy, TomlSyntaxErrorsNamePosition) {
    EXPECT_THAT(errorOf("rules = [\n"), HasSubstr("p.toml:"));
}

TEST(Policy, LoadNamesTheFile) {
    auto missing = Policy::load("/nonexistent/policy.toml");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message,
                HasSubstr("/nonexistent/policy.toml: cannot read the policy file"));
    const auto dir = std::filesystem::temp_directory_path();
    auto directory = Policy::load(dir);
    ASSERT_FALSE(directory);
    EXPECT_THAT(directory.error().message, HasSubstr("it is a directory"));
}

} // namespace
} // namespace sb::guard
