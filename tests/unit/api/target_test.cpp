#include "api/target.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlusOnlyInQueries) {
    EXPECT_EQ(*percentDecode("a%20b%2Fc", false), "a b/c");
    EXPECT_EQ(*percentDecode("a+b", false), "a+b");
    EXPECT_EQ(*percentDecode("a+b", true), "a b");
    EXPECT_EQ(*percentDecode("%c3%a9", false), "\xc3\xa9");
}

TEST(PercentDecode, RejectsBadEscapesAndNul) {
    for (const char* bad : {"%", "%2", "%zz", "a%g0", "%00"}) {
        auto r = percentDecode(bad, true);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, Errc::invalid_input);
    }
}

TEST(ParseTarget, SplitsPathIntoDecodedSegmentsAndQuery) {
    auto t = parseTarget("/v1/escalations/e%2F1?since=10&tag=a+b&tag=c&flag&&x=%3D");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->path, "/v1/escalations/e/1");
    EXPECT_EQ(t->segments, (std::vector<std::string>{"v1", "escalations", "e/1"}));
    EXPECT_EQ(t->query.count("tag"), 2u);
    EXPECT_EQ(t->query.find("since")->second, "10");
    EXPECT_EQ(t->query.find("flag")->second, "");
    EXPECT_EQ(t->query.find("x")->second, "=");
    auto range = t->query.equal_range("tag");
    EXPECT_EQ(range.first->second, "a b");
    EXPECT_EQ(std::next(range.first)->second, "c");
}

TEST(ParseTarget, RootAndAbsoluteForm) {
    auto root = parseTarget("/");
    ASSERT_TRUE(root);
    EXPECT_EQ(root->segments, (std::vector<std::string>{""}));
    auto absolute = parseTarget("http://example.com:8080/v1/ping?a=1#frag");
    ASSERT_TRUE(absolute);
    EXPECT_EQ(absolute->path, "/v1/ping");
    EXPECT_EQ(absolute->query.find("a")->second, "1");
}

TEST(ParseTarget, NamesTheParameterWithABadEscape) {
    std::string bad;
    auto t = parseTarget("/v1/x?ok=1&since=%zz", &bad);
    ASSERT_FALSE(t);
    EXPECT_EQ(bad, "since");
    EXPECT_NE(t.error().message.find("since"), std::string::npos);

    t = parseTarget("/v1/x?na%4=1", &bad);
    ASSERT_FALSE(t);
    EXPECT_EQ(bad, "na%4");

    t = parseTarget("/v1/%zz", &bad);
    ASSERT_FALSE(t);
    EXPECT_EQ(bad, "path");

    t = parseTarget("v1/x", &bad);
    ASSERT_FALSE(t);
    EXPECT_EQ(bad, "path");
}

} // namespace
} // namespace sb::api
