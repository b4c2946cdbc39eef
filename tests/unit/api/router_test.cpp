#include "api/router.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

Handler noop() {
    return [](const Request&, const PathParams&, const Respond&) {};
}

std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    path.remove_prefix(1);
    for (;;) {
        auto slash = path.find('/');
        out.emplace_back(path.substr(0, slash));
        if (slash == std::string_view::npos) return out;
        path.remove_prefix(slash + 1);
    }
}

TEST(Router, MatchesTemplatesAndExtractsParameters) {
    Router r;
    ASSERT_TRUE(r.add("GET", "/v1/escalations/{id}", noop()));
    ASSERT_TRUE(r.add("GET", "/v1/escalations/{id}/legs/{leg}", noop()));
    auto m = r.match("GET", split("/v1/escalations/e-1/legs/2"));
    ASSERT_EQ(m.kind, Router::Match::Kind::found);
    EXPECT_EQ(m.route->info.pattern, "/v1/escalations/{id}/legs/{leg}");
    EXPECT_EQ(m.params.at("id"), "e-1");
    EXPECT_EQ(m.params.at("leg"), "2");
}

TEST(Router, AParameterNeverMatchesAnEmptySegment) {
    Router r;
    ASSERT_TRUE(r.add("GET", "/v1/escalations/{id}", noop()));
    EXPECT_EQ(r.match("GET", split("/v1/escalations/")).kind, Router::Match::Kind::notFound);
    EXPECT_EQ(r.match("GET", split("/v1/escalations")).kind, Router::Match::Kind::notFound);
}

TEST(Router, ALiteralSegmentWinsOverAParameter) {
    Router r;
    ASSERT_TRUE(r.add("GET", "/v1/escalations/{id}", noop()));
    ASSERT_TRUE(r.add("GET", "/v1/escalations/stats", noop()));
    EXPECT_EQ(r.match("GET", split("/v1/escalations/stats")).route->info.pattern,
              "/v1/escalations/stats");
    EXPECT_EQ(r.match("GET", split("/v1/escalations/e-9")).route->info.pattern,
              "/v1/escalations/{id}");
}

TEST(Router, WrongMethodListsAllowed) {
    Router r;
    ASSERT_TRUE(r.add("GET", "/v1/escalations/{id}", noop()));
    ASSERT_TRUE(r.add("DELETE", "/v1/escalations/{id}", noop()));
    auto m = r.match("PUT", split("/v1/escalations/e-1"));
    EXPECT_EQ(m.kind, Router::Match::Kind::wrongMethod);
    EXPECT_EQ(m.allow, "GET, DELETE");
    EXPECT_EQ(r.match("GET", split("/v2/x")).kind, Router::Match::Kind::notFound);
}

TEST(Router, RejectsBadTemplatesAndDuplicates) {
    Router r;
    ASSERT_TRUE(r.add("GET", "/v1/escalations/{id}", noop()));
    EXPECT_FALSE(r.add("GET", "/v1/escalations/{id}", noop()));
    EXPECT_FALSE(r.add("GET", "/v1/escalations/{other}", noop())); // same shape
    EXPECT_FALSE(r.add("GET", "v1/x", noop()));
    EXPECT_FALSE(r.add("GET", "/v1/{}", noop()));
    EXPECT_FALSE(r.add("GET", "/v1/{a}/{a}", noop()));
    EXPECT_FALSE(r.add("GET", "/v1/x{a}", noop()));
    EXPECT_FALSE(r.add("G ET", "/v1/y", noop()));
    EXPECT_FALSE(r.add("GET", "/v1/z", nullptr));
}

TEST(Router, ListsItsRoutesInOrder) {
    Router r;
    ASSERT_TRUE(r.add("POST", "/v1/escalations", noop()));
    ASSERT_TRUE(r.add("GET", "/v1/escalations/{id}", noop()));
    ASSERT_TRUE(r.add("GET", "/healthz", noop(), Access::open));
    ASSERT_TRUE(r.addEvents("/v1/events"));
    ASSERT_TRUE(r.add("DELETE", "/v1/escalations/{id}", noop()));
    const std::vector<RouteInfo> expected{
        {"POST", "/v1/escalations", Access::agent, false},
        {"GET", "/v1/escalations/{id}", Access::agent, false},
        {"GET", "/healthz", Access::open, false},
        {"GET", "/v1/events", Access::agent, true},
        {"DELETE", "/v1/escalations/{id}", Access::agent, false},
    };
    EXPECT_EQ(r.routes(), expected);
}

} // namespace
} // namespace sb::api
