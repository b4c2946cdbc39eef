// The cluster's shared limits against a real PostgreSQL (tests/support/postgres.hpp): two
// ledgers on one database stand for two instances of a cluster.
#include "cluster/pg_limits.hpp"
#include "support/postgres.hpp"

#include <asio/executor_work_guard.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <thread>

namespace sb::cluster {
namespace {

using guard::Limit;
using guard::LimitScope;
using guard::SharedVerdict;
using testing::HasSubstr;

Limit bucket(std::string id, std::uint32_t rate, std::uint32_t per, std::uint32_t burst) {
    Limit l;
    l.id = std::move(id);
    l.scope = LimitScope::agent;
    l.subjects = {"*"};
    l.rate = rate;
    l.perSeconds = per;
    l.burst = burst;
    return l;
}

Limit cap(std::string id, std::uint32_t most) {
    Limit l;
    l.id = std::move(id);
    l.scope = LimitScope::expert;
    l.subjects = {"*"};
    l.maxConcurrent = most;
    return l;
}

class PgLimitsTest : public testing::Test {
protected:
    std::unique_ptr<PgLimits> open(const std::string& instance) {
        auto limits = PgLimits::open(context_, url_, instance);
        EXPECT_TRUE(limits) << limits.error().message;
        return limits ? std::move(limits).value() : nullptr;
    }
    // Asks, and runs the owner's loop until the answer comes back.
    SharedVerdict admit(PgLimits& ledger, LimitScope scope, const std::string& subject,
                        std::vector<Limit> limits) {
        std::optional<SharedVerdict> got;
        ledger.admit(scope, subject, std::move(limits), [&](const SharedVerdict& v) { got = v; });
        context_.restart();
        auto busy = asio::make_work_guard(context_); // the answer is posted from another thread
        for (int i = 0; i < 500 && !got; ++i)
            context_.run_for(std::chrono::milliseconds(20));
        EXPECT_TRUE(got) << "no answer from the ledger";
        return got.value_or(SharedVerdict{});
    }
    void runFor(std::chrono::milliseconds time) {
        context_.restart();
        auto busy = asio::make_work_guard(context_);
        context_.run_for(time);
    }
    // The backends of the test's database, but this statement's own.
    void cutConnections() {
        test::Postgres::instance().execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
            url_.substr(url_.rfind('/') + 1) + "' AND pid <> pg_backend_pid()");
    }

    asio::io_context context_;
    std::string url_ = test::Postgres::instance().freshDatabase();
};

TEST_F(PgLimitsTest, ABucketIsSharedByTheInstances) {
    auto a = open("sb-a"), b = open("sb-b");
    ASSERT_TRUE(a && b);
    const std::vector<Limit> limits{bucket("agents", 1, 3600, 2)};
    EXPECT_EQ(admit(*a, LimitScope::agent, "bot", limits).refusedBy, "");
    EXPECT_EQ(admit(*b, LimitScope::agent, "bot", limits).refusedBy, "");
    const auto third = admit(*a, LimitScope::agent, "bot", limits);
    EXPECT_EQ(third.refusedBy, "agents");
    ASSERT_TRUE(third.tokens);
    EXPECT_LT(*third.tokens, 1.0);
    EXPECT_GE(*third.tokens, 0.0);
    EXPECT_EQ(admit(*b, LimitScope::agent, "bot", limits).refusedBy, "agents");
    // Another agent has a bucket of its own.
    EXPECT_EQ(admit(*b, LimitScope::agent, "other", limits).refusedBy, "");
}

TEST_F(PgLimitsTest, OneTurnsAdmissionsGoTogetherEachWithItsVerdict) {
    auto a = open("sb-a");
    ASSERT_TRUE(a);
    const std::vector<Limit> limits{cap("two-calls", 2)};
    std::vector<SharedVerdict> got;
    for (int i = 0; i < 3; ++i)
        a->admit(LimitScope::expert, "alice", limits,
                 [&](const SharedVerdict& v) { got.push_back(v); });
    a->admit(LimitScope::expert, "bob", limits, [&](const SharedVerdict& v) { got.push_back(v); });
    for (int i = 0; i < 100 && got.size() < 4; ++i)
        runFor(std::chrono::milliseconds(20));
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0].refusedBy, "");
    EXPECT_EQ(got[1].refusedBy, "");
    EXPECT_EQ(got[2].refusedBy, "two-calls"); // in the order asked, within a subject
    EXPECT_EQ(got[2].active, 2);
    EXPECT_EQ(got[3].refusedBy, "");
    EXPECT_EQ(got[3].active, 1);
}

TEST_F(PgLimitsTest, ACapCountsEveryInstanceAndReleaseFreesIt) {
    auto a = open("sb-a"), b = open("sb-b");
    ASSERT_TRUE(a && b);
    const std::vector<Limit> limits{cap("one-call", 1)};
    EXPECT_EQ(admit(*a, LimitScope::expert, "alice", limits).active, 1);
    const auto refused = admit(*b, LimitScope::expert, "alice", limits);
    EXPECT_EQ(refused.refusedBy, "one-call");
    EXPECT_EQ(refused.active, 1);
    EXPECT_FALSE(refused.tokens);
    a->release(LimitScope::expert, "alice");
    // The release leaves at the end of the turn, and is stored before b's next question.
    runFor(std::chrono::milliseconds(300));
    EXPECT_EQ(admit(*b, LimitScope::expert, "alice", limits).refusedBy, "");
}

TEST_F(PgLimitsTest, ADeadInstancesEscalationsAreForgotten) {
    auto a = open("sb-a"), b = open("sb-b");
    ASSERT_TRUE(a && b);
    const std::vector<Limit> limits{cap("one-call", 1)};
    EXPECT_EQ(admit(*b, LimitScope::expert, "alice", limits).refusedBy, "");
    b.reset(); // its session ends, and its lock with it
    SharedVerdict v;
    for (int i = 0; i < 20; ++i) { // a sweeps every second
        v = admit(*a, LimitScope::expert, "alice", limits);
        if (v.refusedBy.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    EXPECT_EQ(v.refusedBy, "");
}

TEST_F(PgLimitsTest, AnInstanceCutOffRestoresItsCountsWhenItReconnects) {
    auto a = open("sb-a"), b = open("sb-b");
    ASSERT_TRUE(a && b);
    const std::vector<Limit> limits{cap("one-call", 1)};
    EXPECT_EQ(admit(*a, LimitScope::expert, "alice", limits).refusedBy, "");
    // a is cut off, as by a database restart, and while its lock is gone another instance's
    // sweep forgets a's count…
    test::Postgres::instance().execute("DELETE FROM cluster_active WHERE instance = 'sb-a'",
                                       url_.substr(url_.rfind('/') + 1));
    cutConnections();
    // …which a writes again as it reconnects (at its next question, or its next sweep).
    const auto after = admit(*a, LimitScope::agent, "bot", {});
    EXPECT_EQ(after.error, ""); // the statement that found the session gone ran again
    EXPECT_EQ(after.refusedBy, "");
    EXPECT_EQ(admit(*b, LimitScope::expert, "alice", limits).refusedBy, "one-call");
}

TEST_F(PgLimitsTest, TwoLiveInstancesCannotShareAName) {
    auto a = open("sb-a");
    ASSERT_TRUE(a);
    auto again = PgLimits::open(context_, url_, "sb-a");
    ASSERT_FALSE(again);
    EXPECT_THAT(again.error().message, HasSubstr("another live instance is named sb-a"));
    auto bad = PgLimits::open(context_, url_, "no spaces");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::config);
}

TEST_F(PgLimitsTest, AnUnreachableDatabaseIsAnErrorNotAVerdict) {
    auto a = open("sb-a");
    ASSERT_TRUE(a);
    test::Postgres::instance().execute("ALTER DATABASE " + url_.substr(url_.rfind('/') + 1) +
                                       " WITH ALLOW_CONNECTIONS false");
    cutConnections();
    const auto v = admit(*a, LimitScope::agent, "bot", {bucket("agents", 1, 60, 1)});
    EXPECT_EQ(v.refusedBy, "");
    EXPECT_THAT(v.error, HasSubstr("cluster ledger"));
    test::Postgres::instance().execute("ALTER DATABASE " + url_.substr(url_.rfind('/') + 1) +
                                       " WITH ALLOW_CONNECTIONS true");
}

} // namespace
} // namespace sb::cluster
