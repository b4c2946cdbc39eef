#include "registry/registry.hpp"

#include <date/date.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace sb::registry {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Tuesday 2024-04-02, 10:00 UTC (12:00 in Berlin).
const auto kNow = date::sys_days(date::year{2024} / 4 / 2) + 10h;

Expert expert(const std::string& id, std::vector<std::string> skills, int priority = 0,
              std::vector<std::string> languages = {"en"}) {
    Expert e;
    e.id = id;
    e.sipUri = "sip:" + id + "@example.org";
    e.skills = std::move(skills);
    e.languages = std::move(languages);
    e.priority = priority;
    return e;
}

Expert offCall(Expert e) {
    e.timeZone = "Europe/Berlin";
    e.onCall = {WeeklyWindow{kEveryDay, 20 * 60, 22 * 60}};
    return e;
}

Chain chain(std::string id, std::vector<std::string> topics, std::vector<ChainStage> stages) {
    return Chain{std::move(id), std::move(topics), std::move(stages)};
}

struct RegistryPlan : ::testing::Test {
    void SetUp() override {
        for (const auto& e :
             {expert("alice", {"billing", "sepa"}, 1, {"de", "en"}), expert("bob", {"billing"}, 1),
              expert("carol", {"billing"}, 2, {"fr"}), offCall(expert("dave", {"billing"}, 0)),
              expert("erin", {"network"}, 0)})
            ASSERT_TRUE(registry.upsertExpert(e));
    }
    BusyFn busy() {
        return [this](std::string_view id) {
            const auto it = active.find(std::string(id));
            return it == active.end() ? 0 : it->second;
        };
    }
    Registry registry;
    std::map<std::string, int> active;
};

std::vector<std::vector<std::string>> experts(const Plan& plan) {
    std::vector<std::vector<std::string>> out;
    for (const auto& stage : plan.stages)
        out.push_back(stage.experts);
    return out;
}

TEST_F(RegistryPlan, ListsAndFinds) {
    ASSERT_EQ(registry.experts().size(), 5u);
    EXPECT_EQ(registry.experts()[0]->id, "alice");
    EXPECT_NE(registry.expert("bob"), nullptr);
    EXPECT_EQ(registry.expert("zed"), nullptr);
}

TEST_F(RegistryPlan, UpsertValidatesLikeTheReader) {
    Expert bad = expert("x", {});
    bad.sipUri = "mailto:x@example.org";
    auto r = registry.upsertExpert(bad);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, ::testing::StartsWith("/sipUri: expected a sip: or sips: URI"));
    bad = expert("x", {});
    bad.onCall = {WeeklyWindow{kEveryDay, 600, 600}};
    EXPECT_THAT(registry.upsertExpert(bad).error().message, ::testing::StartsWith("/onCall/0/to"));
}

TEST_F(RegistryPlan, ChainsMustNameKnownExpertsAndProtectThem) {
    auto r =
        registry.upsertChain(chain("c", {"billing*"}, {{{"alice"}, 10s}, {{"bob", "zed"}, 10s}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_EQ(r.error().message, "/stages/1/experts/1: unknown expert \"zed\"");
    EXPECT_FALSE(registry.upsertChain(chain("c", {}, {{{"alice"}, 10s}})));

    ASSERT_TRUE(registry.upsertChain(chain("c", {"billing*"}, {{{"alice"}, 10s}})));
    ASSERT_TRUE(registry.upsertChain(chain("d", {"sepa"}, {{{"bob"}, 10s}, {{"alice"}, 10s}})));
    auto removal = registry.removeExpert("alice");
    ASSERT_FALSE(removal);
    EXPECT_EQ(removal.error().message,
              "expert \"alice\" is still named by chains [c, d]; remove it from them first");
    EXPECT_EQ(registry.removeExpert("zed").error().code, Errc::not_found);
    ASSERT_TRUE(registry.removeChain("c"));
    ASSERT_TRUE(registry.removeChain("d"));
    EXPECT_FALSE(registry.removeChain("d"));
    EXPECT_TRUE(registry.removeExpert("alice"));
    EXPECT_EQ(registry.expert("alice"), nullptr);
}

TEST_F(RegistryPlan, NamedExpert) {
    auto plan = registry.plan({"anything", {"unrelated"}, {}, "bob"}, kNow, busy(), 45s);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->source, PlanSource::named);
    ASSERT_EQ(plan->stages.size(), 1u);
    EXPECT_EQ(plan->stages[0].experts, std::vector<std::string>{"bob"});
    EXPECT_EQ(plan->stages[0].ring, 45s);

    auto unknown = registry.plan({"t", {}, {}, "zed"}, kNow, busy());
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
    EXPECT_EQ(unknown.error().message, "expert \"zed\" is not registered");
    EXPECT_EQ(registry.plan({"t", {}, {}, "dave"}, kNow, busy()).error().message,
              "expert \"dave\" is not on call now (Europe/Berlin time)");
    active["bob"] = 1;
    EXPECT_EQ(registry.plan({"t", {}, {}, "bob"}, kNow, busy()).error().message,
              "expert \"bob\" is at capacity (1 of 1 escalations in progress)");
}

TEST_F(RegistryPlan, ImplicitPlanGroupsByPriority) {
    auto plan = registry.plan({"billing", {"billing"}, {}, std::nullopt}, kNow, busy(), 25s);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->source, PlanSource::implicit);
    // dave (priority 0) is off call; alice and bob (1) ring together, then carol (2).
    EXPECT_THAT(experts(*plan), ElementsAre(ElementsAre("alice", "bob"), ElementsAre("carol")));
    EXPECT_EQ(plan->stages[1].ring, 25s);

    plan = registry.plan({"billing", {"BILLING", "sepa"}, {}, std::nullopt}, kNow, busy());
    ASSERT_TRUE(plan);
    EXPECT_THAT(experts(*plan), ElementsAre(ElementsAre("alice")));

    plan = registry.plan({"billing", {"billing"}, {"fr-CA", "de"}, std::nullopt}, kNow, busy());
    ASSERT_TRUE(plan);
    EXPECT_THAT(experts(*plan), ElementsAre(ElementsAre("alice"), ElementsAre("carol")));

    active["alice"] = 1;
    plan = registry.plan({"billing", {}, {}, std::nullopt}, kNow, busy());
    ASSERT_TRUE(plan);
    EXPECT_THAT(experts(*plan),
                ElementsAre(ElementsAre("erin"), ElementsAre("bob"), ElementsAre("carol")));
}

TEST_F(RegistryPlan, EmptyPlansSayWhy) {
    auto none = registry.plan({"t", {"tax"}, {}, std::nullopt}, kNow, busy());
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
    EXPECT_EQ(none.error().message, "no expert with skills [tax] is registered");

    ASSERT_TRUE(registry.upsertExpert(offCall(expert("frank", {"tax"}))));
    EXPECT_EQ(registry.plan({"t", {"tax"}, {}, std::nullopt}, kNow, busy()).error().message,
              "no expert with skills [tax] is on call");

    active["erin"] = 1;
    EXPECT_EQ(registry.plan({"t", {"network"}, {"en"}, std::nullopt}, kNow, busy()).error().message,
              "no expert with skills [network] speaking one of [en] is on call and free (1 on "
              "call, all at capacity)");
}

TEST_F(RegistryPlan, ChainPlanFiltersStagesAndDropsEmptyOnes) {
    ASSERT_TRUE(registry.upsertChain(chain("billing", {"billing*"},
                                           {{{"dave"}, 10s},             // off call
                                            {{"carol", "bob"}, 20s},     // both
                                            {{"erin"}, 30s},             // lacks billing
                                            {{"alice", "bob"}, 40s}}))); // bob already rung
    ASSERT_TRUE(registry.upsertChain(chain("catch-all", {"*"}, {{{"erin"}, 15s}})));
    ASSERT_TRUE(registry.upsertChain(chain("billing-eu", {"billing-eu*"}, {{{"alice"}, 12s}})));

    auto plan = registry.plan({"billing-us", {"billing"}, {}, std::nullopt}, kNow, busy());
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->source, PlanSource::chain);
    EXPECT_EQ(plan->chain, "billing");
    EXPECT_THAT(experts(*plan), ElementsAre(ElementsAre("carol", "bob"), ElementsAre("alice")));
    EXPECT_EQ(plan->stages[0].ring, 20s);
    EXPECT_EQ(plan->stages[1].ring, 40s);

    // The most specific pattern wins, whatever the order of insertion.
    plan = registry.plan({"billing-eu-de", {}, {}, std::nullopt}, kNow, busy());
    ASSERT_TRUE(plan);
    EXPECT_EQ(plan->chain, "billing-eu");
    EXPECT_EQ(registry.chainFor("outage")->id, "catch-all");

    // A matching chain with nobody available is an error, not a fall-back to everyone.
    active["alice"] = 1;
    auto none = registry.plan({"billing-eu", {}, {}, std::nullopt}, kNow, busy());
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message,
              "no expert in chain \"billing-eu\" is on call and free (1 on call, all at "
              "capacity)");
}

} // namespace
} // namespace sb::registry
