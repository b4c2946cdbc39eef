// The cluster's events, commands and registry between two instances on a real PostgreSQL
// (tests/support/postgres.hpp). Instance b logs in as a role of its own, so that it alone can
// be kept off the database (NOLOGIN, its sessions ended) while a goes on: what a NOTIFY alone
// would lose, b must still get when it is back.
#include "cluster/pg_escalations.hpp"
#include "cluster/pg_limits.hpp"
#include "registry/pg_document_store.hpp"
#include "support/postgres.hpp"

#include <asio/executor_work_guard.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

namespace sb::cluster {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// An escalation's events as an instance's stream gets them: "key agent message".
const std::vector<std::string> kRingingAnsweredEnded{R"(e1 bot {"event":"ringing"})",
                                                     R"(e1 bot {"event":"answered"})",
                                                     R"(e1 bot {"event":"ended"})"};

class PgEscalationsTest : public testing::Test {
protected:
    struct Seen {
        std::vector<json> commands;
        std::vector<PgEscalations::Documents> registries;
        std::vector<std::string> events; // "key agent message"
        std::vector<PgEscalations::Row> orphans;
    };

    void SetUp() override {
        database_ = url_.substr(url_.rfind('/') + 1);
        role_ = "sb_b_" + database_;
        pg().execute("CREATE ROLE " + role_ + " LOGIN SUPERUSER");
    }
    void TearDown() override {
        a_.reset();
        b_.reset();
        limits_.clear();
        pg().execute("DROP OWNED BY " + role_, database_);
        pg().execute("DROP ROLE " + role_);
    }
    static test::Postgres& pg() { return test::Postgres::instance(); }
    std::string urlOfB() const {
        return "postgresql://" + role_ + "@127.0.0.1:" + std::to_string(pg().port()) + "/" +
               database_;
    }

    // An instance (its lock first, as the service takes it) whose handlers note what comes.
    std::unique_ptr<PgEscalations> open(const std::string& url, const std::string& instance,
                                        Seen& seen) {
        auto limits = PgLimits::open(context_, url, instance);
        EXPECT_TRUE(limits) << limits.error().message;
        if (!limits) return nullptr;
        limits_.push_back(std::move(limits).value());
        PgEscalations::Handlers handlers;
        handlers.command = [&seen](const json& command) { seen.commands.push_back(command); };
        handlers.event = [&seen](const std::string& message, const std::string& key,
                                 const std::string& agent) {
            seen.events.push_back(key + " " + agent + " " + message);
        };
        handlers.orphans = [&seen](std::vector<PgEscalations::Row> rows) {
            for (auto& r : rows)
                seen.orphans.push_back(std::move(r));
        };
        handlers.registry = [&seen](PgEscalations::Documents stored) {
            seen.registries.push_back(std::move(stored));
        };
        auto records = PgEscalations::open(context_, url, instance, std::move(handlers));
        EXPECT_TRUE(records) << records.error().message;
        if (records) (*records)->startClaiming(); // as the service does once it is up
        return records ? std::move(records).value() : nullptr;
    }
    void runFor(std::chrono::milliseconds time) {
        context_.restart();
        auto busy = asio::make_work_guard(context_); // answers are posted from other threads
        context_.run_for(time);
    }
    bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds most) {
        for (auto waited = 0ms; !done() && waited < most; waited += 20ms)
            runFor(20ms);
        return done();
    }
    // The record `id` as `from` reads it (nullopt: none, or no answer).
    std::optional<PgEscalations::Row> fetch(PgEscalations& from, const std::string& id) {
        bool answered = false;
        std::optional<PgEscalations::Row> row;
        from.fetch(id, [&](Result<std::optional<PgEscalations::Row>> got) {
            if (got) row = std::move(*got);
            answered = true;
        });
        runUntil([&] { return answered; }, 5s);
        return row;
    }
    // b off the database (as a network cut would), or let back on.
    void keepBOff(bool off) {
        pg().execute("ALTER ROLE " + role_ + (off ? " NOLOGIN" : " LOGIN"));
        if (off)
            pg().execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role_ +
                "'");
    }

    asio::io_context context_;
    std::string url_ = pg().freshDatabase();
    std::string database_, role_;
    std::vector<std::unique_ptr<PgLimits>> limits_;
    std::unique_ptr<PgEscalations> a_, b_;
    Seen seenA_, seenB_;
};

TEST_F(PgEscalationsTest, AnEventReachesTheOtherInstancesOnce) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    a_->publish(R"({"event":"ringing"})", "e1", "bot");
    const std::string large = R"({"context":")" + std::string(20000, 'x') + R"("})";
    a_->publish(large, "e1", "bot"); // too large for a NOTIFY: read from its row
    a_->publish(R"({"event":"answered"})", "e1", "bot");
    ASSERT_TRUE(runUntil([&] { return seenB_.events.size() >= 3; }, 5s));
    EXPECT_EQ(seenB_.events[0], R"(e1 bot {"event":"ringing"})");
    EXPECT_EQ(seenB_.events[1], "e1 bot " + large);
    EXPECT_EQ(seenB_.events[2], R"(e1 bot {"event":"answered"})");
    runFor(1200ms);
    EXPECT_EQ(seenB_.events.size(), 3u);
    EXPECT_TRUE(seenA_.events.empty()); // its own streams had them from the escalation
}

TEST_F(PgEscalationsTest, EventsNotifiedWhileAnInstanceIsOffTheDatabaseReachItWhenItIsBack) {
    a_ = open(url_, "sb-a", seenA_);
    a_->publish(R"({"event":"before"})", "e0", "bot"); // before b started: not b's
    (void)fetch(*a_, "e0"); // a's thread did what was asked before: the event is stored
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    a_->publish(R"({"event":"ringing"})", "e1", "bot");
    ASSERT_TRUE(runUntil([&] { return seenB_.events.size() == 1; }, 5s));
    keepBOff(true);
    a_->publish(R"({"event":"answered"})", "e1", "bot");
    a_->publish(R"({"event":"ended"})", "e1", "bot");
    runFor(1500ms); // b's sweep cannot log in; the NOTIFYs reached no session of b's
    EXPECT_EQ(seenB_.events.size(), 1u);
    keepBOff(false);
    ASSERT_TRUE(runUntil([&] { return seenB_.events.size() >= 3; }, 5s));
    runFor(1200ms); // none twice, and not the one from before b started
    EXPECT_EQ(seenB_.events, kRingingAnsweredEnded);
}

TEST_F(PgEscalationsTest, EventsPublishedWhileTheDatabaseIsAwayAreSentInOrderWhenItIsBack) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    keepBOff(true);
    for (const char* event : {"ringing", "answered", "ended"})
        b_->publish(fmt::format(R"({{"event":"{}"}})", event), "e1", "bot");
    runFor(1500ms);
    EXPECT_TRUE(seenA_.events.empty());
    keepBOff(false);
    ASSERT_TRUE(runUntil([&] { return seenA_.events.size() >= 3; }, 5s));
    runFor(1200ms);
    EXPECT_EQ(seenA_.events, kRingingAnsweredEnded);
}

TEST_F(PgEscalationsTest, ACommandGoesToItsInstanceOnlyAndOnce) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    std::optional<Result<void>> sent;
    a_->command("sb-b", {{"op", "hangup"}, {"id", "e1"}, {"agent", "bot"}},
                [&](Result<void> outcome) { sent = std::move(outcome); });
    ASSERT_TRUE(runUntil([&] { return !seenB_.commands.empty() && sent; }, 5s));
    EXPECT_TRUE(*sent);
    EXPECT_EQ(seenB_.commands[0].value("op", ""), "hangup");
    EXPECT_EQ(seenB_.commands[0].value("id", ""), "e1");
    EXPECT_EQ(seenB_.commands[0].value("from", ""), "sb-a");
    runFor(1500ms); // a sweep of each: the command was taken, not left for another
    EXPECT_EQ(seenB_.commands.size(), 1u);
    EXPECT_TRUE(seenA_.commands.empty());
}

TEST_F(PgEscalationsTest, ACommandSentWhileItsInstanceIsOffTheDatabaseIsCarriedOutWhenItIsBack) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    keepBOff(true);
    int stored = 0;
    for (const char* id : {"e1", "e2"})
        a_->command("sb-b", {{"op", "hangup"}, {"id", id}, {"agent", "bot"}},
                    [&](const Result<void>& sent) { stored += sent ? 1 : 0; });
    runFor(1500ms);       // b's sweep cannot log in; the NOTIFYs reached no session of b's
    EXPECT_EQ(stored, 2); // what the API acknowledges (202)
    EXPECT_TRUE(seenB_.commands.empty());
    keepBOff(false);
    ASSERT_TRUE(runUntil([&] { return seenB_.commands.size() >= 2; }, 5s));
    EXPECT_EQ(seenB_.commands[0].value("id", ""), "e1"); // in the order sent
    EXPECT_EQ(seenB_.commands[1].value("id", ""), "e2");
    runFor(1200ms);
    EXPECT_EQ(seenB_.commands.size(), 2u);
}

TEST_F(PgEscalationsTest, ACommandThatCannotBeStoredSaysSo) {
    a_ = open(url_, "sb-a", seenA_);
    ASSERT_TRUE(a_);
    pg().execute("ALTER DATABASE " + database_ + " WITH ALLOW_CONNECTIONS false");
    pg().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                 database_ + "'");
    std::optional<Result<void>> sent;
    a_->command("sb-b", {{"op", "hangup"}, {"id", "e1"}, {"agent", "bot"}},
                [&](Result<void> outcome) { sent = std::move(outcome); });
    const bool answered = runUntil([&] { return sent.has_value(); }, 5s);
    pg().execute("ALTER DATABASE " + database_ + " WITH ALLOW_CONNECTIONS true");
    ASSERT_TRUE(answered);
    ASSERT_FALSE(*sent); // the API answers 503, not 202
    EXPECT_EQ(sent->error().code, Errc::io);
}

TEST_F(PgEscalationsTest, AGoneInstancesEscalationWhoseHangUpWasStoredIsNotToBeRungAgain) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    for (const char* id : {"e1", "e2"})
        b_->record(id, "bot", "answered", "t1", {{"id", id}, {"state", "answered"}},
                   {{"topic", "tax"}});
    ASSERT_TRUE(runUntil([&] { return fetch(*a_, "e2").has_value(); }, 5s));
    // b dies; before its escalations are claimed, the agent hangs e1 up through a (202).
    b_.reset();
    limits_.pop_back(); // b's lock goes with its session
    std::optional<Result<void>> sent;
    a_->command("sb-b", {{"op", "hangup"}, {"id", "e1"}, {"agent", "bot"}},
                [&](Result<void> outcome) { sent = std::move(outcome); });
    ASSERT_TRUE(runUntil([&] { return seenA_.orphans.size() >= 2; }, 8s));
    ASSERT_TRUE(sent && *sent);
    std::map<std::string, bool> hangUpAsked;
    for (const auto& o : seenA_.orphans)
        hangUpAsked[o.id] = o.hangUpAsked;
    EXPECT_TRUE(hangUpAsked.at("e1")) << "reported, not rung again";
    EXPECT_FALSE(hangUpAsked.at("e2")) << "rung again";
    EXPECT_EQ(seenA_.orphans[0].instance, "sb-b");
}

TEST_F(PgEscalationsTest, AnInstanceThatDrainsClaimsNothing) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    b_->record("e1", "bot", "answered", "t1", {{"id", "e1"}, {"state", "answered"}});
    ASSERT_TRUE(runUntil([&] { return fetch(*a_, "e1").has_value(); }, 5s));
    a_->stopClaiming(); // a drains: it could not ring e1 again, another instance can
    b_.reset();
    limits_.pop_back();
    Seen seenC;
    auto c = open(url_, "sb-c", seenC);
    ASSERT_TRUE(c);
    ASSERT_TRUE(runUntil([&] { return !seenC.orphans.empty(); }, 10s)) << "c claims e1";
    EXPECT_EQ(seenC.orphans[0].id, "e1");
    EXPECT_TRUE(seenA_.orphans.empty());
    c.reset();
}

TEST_F(PgEscalationsTest, AnInstanceClaimsItsFormerLifesEscalationsOnlyOnceItIsUp) {
    a_ = open(url_, "sb-a", seenA_);
    ASSERT_TRUE(a_);
    a_->record("e1", "bot", "answered", "t1", {{"id", "e1"}, {"state", "answered"}});
    ASSERT_TRUE(runUntil([&] { return fetch(*a_, "e1").has_value(); }, 5s));
    a_.reset(); // a stops with e1 in progress, and starts again
    limits_.clear();
    auto limits = PgLimits::open(context_, url_, "sb-a");
    ASSERT_TRUE(limits);
    PgEscalations::Handlers handlers;
    std::vector<PgEscalations::Row> orphans;
    handlers.orphans = [&](std::vector<PgEscalations::Row> rows) { orphans = std::move(rows); };
    auto again = PgEscalations::open(context_, url_, "sb-a", std::move(handlers));
    ASSERT_TRUE(again);
    runFor(PgEscalations::kSweep + 500ms); // starting: it could not ring e1 again yet
    EXPECT_TRUE(orphans.empty());
    const auto row = fetch(**again, "e1");
    ASSERT_TRUE(row);
    EXPECT_EQ(row->state, "answered");
    (*again)->startClaiming(); // up
    ASSERT_TRUE(runUntil([&] { return !orphans.empty(); }, 5s));
    EXPECT_EQ(orphans[0].id, "e1");
}

TEST_F(PgEscalationsTest, AReadTheDatabaseCannotAnswerIsAnErrorNotNone) {
    a_ = open(url_, "sb-a", seenA_);
    ASSERT_TRUE(a_);
    pg().execute("ALTER DATABASE " + database_ + " WITH ALLOW_CONNECTIONS false");
    pg().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                 database_ + "'");
    std::optional<Result<std::optional<PgEscalations::Row>>> row;
    a_->fetch("e1", [&](Result<std::optional<PgEscalations::Row>> got) { row = std::move(got); });
    std::optional<Result<std::vector<json>>> listed;
    a_->list("bot", "", 10, [&](Result<std::vector<json>> got) { listed = std::move(got); });
    const bool answered = runUntil([&] { return row && listed; }, 8s);
    pg().execute("ALTER DATABASE " + database_ + " WITH ALLOW_CONNECTIONS true");
    ASSERT_TRUE(answered);
    ASSERT_FALSE(*row); // the API answers 503, not 404 "no such escalation"
    EXPECT_EQ(row->error().code, Errc::io);
    ASSERT_FALSE(*listed); // nor a list of this instance's alone
}

TEST_F(PgEscalationsTest, ARecordHoldingANulCharacterIsStored) {
    // JSON allows U+0000 and an agent may send one; PostgreSQL's jsonb does not.
    a_ = open(url_, "sb-a", seenA_);
    ASSERT_TRUE(a_);
    const std::string reason("router\0down", 11);
    a_->record("e1", "bot", "ringing", "t1", {{"id", "e1"}, {"reason", reason}},
               {{"reason", reason}});
    std::optional<PgEscalations::Row> row;
    for (int i = 0; i < 50 && !row; ++i) {
        runFor(100ms);
        row = fetch(*a_, "e1");
    }
    ASSERT_TRUE(row);
    EXPECT_EQ(row->record.value("reason", ""), "router\xef\xbf\xbd"
                                               "down");
    EXPECT_EQ(row->request.value("reason", ""), "router\xef\xbf\xbd"
                                                "down");
}

TEST_F(PgEscalationsTest, RecordsWrittenWhileTheDatabaseIsAwayAreStoredWhenItIsBack) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    keepBOff(true);
    b_->record("e1", "bot", "ringing", "t1", {{"id", "e1"}, {"state", "ringing"}},
               {{"topic", "tax"}});
    b_->record("e1", "bot", "answered", "t1", {{"id", "e1"}, {"state", "answered"}});
    runFor(300ms);
    EXPECT_FALSE(fetch(*a_, "e1"));
    keepBOff(false);
    std::optional<PgEscalations::Row> row;
    for (int i = 0; i < 50 && !(row && row->state == "answered"); ++i) {
        runFor(100ms);
        row = fetch(*a_, "e1");
    }
    ASSERT_TRUE(row);
    EXPECT_EQ(row->state, "answered"); // the latest,
    EXPECT_EQ(row->instance, "sb-b");
    EXPECT_EQ(row->record.value("state", ""), "answered");
    EXPECT_EQ(row->request.value("topic", ""), "tax"); // with the first write's request
}

TEST_F(PgEscalationsTest, WhatTheDatabaseCouldNotTakeIsTriedOnceMoreAsTheInstanceStops) {
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    b_->record("e1", "bot", "answered", "t1", {{"id", "e1"}, {"state", "answered"}},
               {{"topic", "tax"}});
    ASSERT_TRUE(runUntil([&] { return fetch(*a_, "e1").has_value(); }, 5s));
    keepBOff(true);
    b_->record("e1", "bot", "ended", "t1", {{"id", "e1"}, {"state", "ended"}});
    runFor(300ms); // refused: kept for b's next sweep, which does not come
    keepBOff(false);
    b_.reset();
    const auto row = fetch(*a_, "e1");
    ASSERT_TRUE(row);
    EXPECT_EQ(row->state, "ended") << "else it reads as in progress, and is claimed and rung again";
}

TEST_F(PgEscalationsTest, TheRegistryChangedWhileAnInstanceIsOffTheDatabaseReachesItWhenItIsBack) {
    auto store = registry::PgDocumentStore::open(url_);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->put("expert", "kept", R"({"id":"kept"})"));
    ASSERT_TRUE((*store)->put("expert", "leaving", R"({"id":"leaving"})"));
    a_ = open(url_, "sb-a", seenA_);
    b_ = open(urlOfB(), "sb-b", seenB_);
    ASSERT_TRUE(a_ && b_);
    keepBOff(true);
    ASSERT_TRUE((*store)->put("expert", "alice", R"({"id":"alice"})"));
    ASSERT_TRUE((*store)->remove("expert", "leaving"));
    runFor(300ms);
    EXPECT_TRUE(seenB_.registries.empty());
    keepBOff(false);
    ASSERT_TRUE(runUntil([&] { return !seenB_.registries.empty(); }, 5s));
    const auto& experts = seenB_.registries.back()["expert"];
    EXPECT_EQ(experts.size(), 2u);
    EXPECT_EQ(experts.count("kept"), 1u);
    EXPECT_EQ(experts.count("alice"), 1u);
    EXPECT_EQ(experts.count("leaving"), 0u);
    EXPECT_TRUE(seenA_.registries.empty()); // a never lost its session
}

} // namespace
} // namespace sb::cluster
