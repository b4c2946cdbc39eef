#include "registry/chain.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace sb::registry {
namespace {

using nlohmann::json;

const json kBilling = json::parse(R"({
  "id": "billing", "topics": ["billing*", "invoice"],
  "stages": [{"experts": ["alice"], "ringSeconds": 20},
             {"experts": ["bob", "carol"], "ringSeconds": 30}]
})");

TEST(ChainJson, ReadsAndRoundTrips) {
    auto chain = chainFromJson(kBilling);
    ASSERT_TRUE(chain) << chain.error().message;
    EXPECT_EQ(chain->id, "billing");
    EXPECT_EQ(chain->topics, (std::vector<std::string>{"billing*", "invoice"}));
    ASSERT_EQ(chain->stages.size(), 2u);
    EXPECT_EQ(chain->stages[0].experts, std::vector<std::string>{"alice"});
    EXPECT_EQ(chain->stages[0].ring, std::chrono::seconds(20));
    EXPECT_EQ(chain->stages[1].experts, (std::vector<std::string>{"bob", "carol"}));
    EXPECT_EQ(toJson(*chain), kBilling);
    auto text = parseChain(toJson(*chain).dump());
    ASSERT_TRUE(text);
    EXPECT_EQ(*text, *chain);
}

TEST(ChainJson, Specificity) {
    auto chain = chainFromJson(kBilling);
    ASSERT_TRUE(chain);
    EXPECT_EQ(chain->matchSpecificity("billing-eu"), 7);
    EXPECT_EQ(chain->matchSpecificity("invoice"), 7);
    EXPECT_EQ(chain->matchSpecificity("outage"), -1);
}

struct Bad {
    std::string patch;
    std::string field;
    std::string detail;
};

class ChainErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(ChainErrors, NameTheFieldByPointer) {
    json doc = kBilling;
    doc.merge_patch(json::parse(GetParam().patch));
    FieldError where;
    auto chain = chainFromJson(doc, &where);
    ASSERT_FALSE(chain);
    EXPECT_EQ(where.field, GetParam().field);
    EXPECT_EQ(where.detail, GetParam().detail);
    EXPECT_EQ(chain.error().message, GetParam().field + ": " + GetParam().detail);
}

INSTANTIATE_TEST_SUITE_P(
    Strict, ChainErrors,
    ::testing::Values(
        Bad{R"({"order": 1})", "/order", "unknown field (expected one of: id, topics, stages)"},
        Bad{R"({"id": ""})", "/id",
            "expected an id of 1 to 64 letters, digits, '.', '_' or '-', got \"\""},
        Bad{R"({"topics": []})", "/topics",
            "expected a non-empty array of topic glob patterns, got an array"},
        Bad{R"({"topics": ["bill[a]"]})", "/topics/0",
            "expected a glob pattern of 1 to 256 characters where only * and ? are wildcards "
            "(no [ ] { } or \\: character classes, braces and escapes are not supported), got "
            "\"bill[a]\""},
        Bad{R"({"topics": ["a", "a"]})", "/topics/1",
            "expected each pattern listed once, got \"a\""},
        Bad{R"({"stages": null})", "/stages",
            "missing; expected a non-empty array of {\"experts\", \"ringSeconds\"} objects"},
        Bad{R"({"stages": [{"experts": ["alice"]}]})", "/stages/0/ringSeconds",
            "missing; expected an integer from 1 to 600"},
        Bad{R"({"stages": [{"experts": ["alice"], "ringSeconds": 601}]})", "/stages/0/ringSeconds",
            "expected an integer from 1 to 600, got 601"},
        Bad{R"({"stages": [{"experts": ["a"], "ringSeconds": 5}, {"experts": [], "ringSeconds": 5}]})",
            "/stages/1/experts", "expected a non-empty array of expert ids, got an array"},
        Bad{R"({"stages": [{"experts": ["a", "a"], "ringSeconds": 5}]})", "/stages/0/experts/1",
            "expected each expert listed once in a stage, got \"a\""},
        Bad{R"({"stages": [{"experts": ["a"], "ringSeconds": 5, "parallel": true}]})",
            "/stages/0/parallel", "unknown field (expected one of: experts, ringSeconds)"},
        Bad{R"({"stages": [7]})", "/stages/0", "expected an object, got 7"}));

} // namespace
} // namespace sb::registry
