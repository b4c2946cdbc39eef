#include "api/metrics_text.hpp"
#include "api/problem.hpp"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

TEST(Problem, HasTheRfc9457MembersAndExtras) {
    Response r = problem(422, "Invalid escalation", "urgency must be one of low, high",
                         {{"field", "/payload/urgency"}, {"status", 999}, {"title", "x"}});
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.contentType, "application/problem+json");
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["type"], "about:blank");
    EXPECT_EQ(body["title"], "Invalid escalation");
    EXPECT_EQ(body["status"], 422); // an extra cannot override the core members
    EXPECT_EQ(body["detail"], "urgency must be one of low, high");
    EXPECT_EQ(body["field"], "/payload/urgency");
}

TEST(Problem, TypeMayBeAStableUrnAndTitleDefaultsToTheReason) {
    auto body =
        nlohmann::json::parse(problem(403, "", "refused by policy",
                                      {{"type", "urn:switchboard:problem:policy"}, {"rule", "r-7"}})
                                  .body);
    EXPECT_EQ(body["type"], "urn:switchboard:problem:policy");
    EXPECT_EQ(body["title"], "Forbidden");
    EXPECT_EQ(body["rule"], "r-7");
}

TEST(Problem, InvalidUtf8IsReplacedNotThrown) {
    Response r = problem(400, "Bad Request", std::string("bad \xff\xfe byte"));
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["detail"], "bad \xef\xbf\xbd\xef\xbf\xbd byte");
    EXPECT_EQ(problem(42, "x", "y").status, 500);
}

TEST(Problem, TooManyRequestsCarriesRetryAfter) {
    Response r = tooManyRequests("slow down", std::chrono::seconds(7));
    EXPECT_EQ(r.status, 429);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Retry-After", "7"}));
    setRetryAfter(r, std::chrono::seconds(0));
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].second, "1");
}

TEST(MetricsText, WritesFamiliesOnceWithEscapedLabels) {
    MetricsText m;
    EXPECT_TRUE(m.counter("sb_api_requests_total", "Requests answered.", 3,
                          {{"route", "/v1/x"}, {"status", "200"}}));
    EXPECT_TRUE(m.gauge("sb_rooms", "Open rooms.", 2));
    EXPECT_TRUE(m.counter("sb_api_requests_total", "ignored", 1.5,
                          {{"route", "a\\b\"c\nd"}, {"status", "404"}}));
    EXPECT_FALSE(m.gauge("sb_api_requests_total", "other type", 1));
    EXPECT_FALSE(m.gauge("0bad", "bad name", 1));
    EXPECT_FALSE(m.gauge("sb_x", "bad label", 1, {{"a:b", "v"}}));
    EXPECT_TRUE(m.gauge("sb_help", "line\\one\ntwo", 0.25));
    EXPECT_EQ(m.text(), "# HELP sb_api_requests_total Requests answered.\n"
                        "# TYPE sb_api_requests_total counter\n"
                        "sb_api_requests_total{route=\"/v1/x\",status=\"200\"} 3\n"
                        "sb_api_requests_total{route=\"a\\\\b\\\"c\\nd\",status=\"404\"} 1.5\n"
                        "# HELP sb_rooms Open rooms.\n"
                        "# TYPE sb_rooms gauge\n"
                        "sb_rooms 2\n"
                        "# HELP sb_help line\\\\one\\ntwo\n"
                        "# TYPE sb_help gauge\n"
                        "sb_help 0.25\n");
    Response r = metricsResponse(m.text());
    EXPECT_EQ(r.contentType, "text/plain; version=0.0.4; charset=utf-8");
}

TEST(MetricsText, SpecialValues) {
    MetricsText m;
    m.gauge("a", "", std::numeric_limits<double>::infinity());
    m.gauge("b", "", std::numeric_limits<double>::quiet_NaN());
    m.gauge("c", "", -2);
    EXPECT_NE(m.text().find("a +Inf\n"), std::string::npos);
    EXPECT_NE(m.text().find("b NaN\n"), std::string::npos);
    EXPECT_NE(m.text().find("c -2\n"), std::string::npos);
}

TEST(MetricsText, HistogramsAreCumulativeWithSumAndCount) {
    constexpr double kBounds[] = {0.1, 0.5, 2};
    Histogram h(kBounds);
    for (double v : {0.05, 0.1, 0.3, 1.0, 7.0})
        h.observe(v);
    MetricsText m;
    EXPECT_TRUE(m.histogram("sb_setup_seconds", "Set-up time.", h, {{"via", "sip"}}));
    EXPECT_FALSE(m.counter("sb_setup_seconds", "other type", 1));
    EXPECT_EQ(m.text(), "# HELP sb_setup_seconds Set-up time.\n"
                        "# TYPE sb_setup_seconds histogram\n"
                        "sb_setup_seconds_bucket{via=\"sip\",le=\"0.1\"} 2\n"
                        "sb_setup_seconds_bucket{via=\"sip\",le=\"0.5\"} 3\n"
                        "sb_setup_seconds_bucket{via=\"sip\",le=\"2\"} 4\n"
                        "sb_setup_seconds_bucket{via=\"sip\",le=\"+Inf\"} 5\n"
                        "sb_setup_seconds_sum{via=\"sip\"} 8.45\n"
                        "sb_setup_seconds_count{via=\"sip\"} 5\n");
}

TEST(Health, OkAndNotReady) {
    EXPECT_EQ(healthResponse(true).status, 200);
    Response r = healthResponse(false, "database down");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "database down\n");
}

} // namespace
} // namespace sb::api
