// The witness log on each store, SQLite and PostgreSQL (a real server the test starts):
// entries acknowledged in order once durable, in groups; the tree rebuilt the same after a
// restart; a gap in the stored entries refused; signed tree heads kept; entries read back on
// the writer thread; and a process killed with SIGKILL during a burst of appends loses no entry
// it had acknowledged.
#include "db/sqlite_connection.hpp"
#include "support/postgres.hpp"
#include "witness/log.hpp"
#include "witness/store_factory.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <csignal>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace sb::witness {
namespace {

namespace fs = std::filesystem;

Entry event(std::uint64_t n) {
    return {"4bf92f3577b34da6a3ce929d0e0e4736",
            1764547200000 + static_cast<std::int64_t>(n),
            "call.answered",
            "switchboard",
            {{"call", n}, {"leg", "callee"}}};
}

TEST(WitnessEntry, IsCanonicalJson) {
    EXPECT_EQ(canonicalJson(event(7)),
              R"({"actor":"switchboard","data":{"call":7,"leg":"callee"},"time":1764547200007,)"
              R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","type":"call.answered"})");
}

TEST(WitnessEntry, EscapesAsNlohmannJsonDoesAndReplacesBadUtf8) {
    Entry e = event(1);
    e.actor = "agent \"q\" \\ \n \xff end";
    e.data = {{"z", {{"b", 1}, {"a", "\x01"}}}, {"a", nullptr}, {"m", {true, -2}}};
    const nlohmann::json whole{{"trace_id", e.traceId},
                               {"time", e.timeMs},
                               {"type", e.type},
                               {"actor", e.actor},
                               {"data", e.data}};
    EXPECT_EQ(canonicalJson(e),
              whole.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    // U+FFFD for the byte that is not UTF-8.
    EXPECT_NE(canonicalJson(e).find(R"("actor":"agent \"q\" \\ \n )"
                                    "\xEF\xBF\xBD"
                                    " end\""),
              std::string::npos);
}

// The parameter names the backend: "sqlite" or "postgres".
class Witness : public testing::TestWithParam<std::string> {
protected:
    Witness() : dir_(fs::temp_directory_path() / ("sb-witness-" + std::to_string(getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~Witness() override { fs::remove_all(dir_); }
    void SetUp() override {
        if (GetParam() == "sqlite") {
            url_ = "sqlite:" + (dir_ / "witness.db").string();
        } else {
            url_ = test::Postgres::instance().freshDatabase();
            database_ = url_.substr(url_.rfind('/') + 1);
        }
    }
    std::unique_ptr<WitnessLog> open() {
        auto store = openStore(url_);
        EXPECT_TRUE(store) << store.error().message;
        if (!store) return nullptr;
        auto log = WitnessLog::open(io_, std::move(store).value());
        EXPECT_TRUE(log) << log.error().message;
        return log ? std::move(log).value() : nullptr;
    }
    // Runs the owner's loop until `done` holds (the log's results arrive from its writer).
    template <class Pred>
    void runUntil(Pred done) {
        io_.restart(); // the last run stopped the loop when its work guard went
        auto work = asio::make_work_guard(io_);
        while (!done())
            io_.run_one();
    }
    void appendAndWait(WitnessLog& log, std::uint64_t from, std::uint64_t to) {
        std::uint64_t acked = 0;
        for (std::uint64_t n = from; n < to; ++n)
            log.append(event(n), [&](const Result<std::uint64_t>& index) {
                EXPECT_TRUE(index) << index.error().message;
                ++acked;
            });
        runUntil([&] { return acked == to - from; });
    }
    // Runs SQL on the backend's database behind the store's back.
    void tamper(const std::string& sqlite, const std::string& postgres) {
        if (GetParam() == "sqlite") {
            auto db = db::SqliteConnection::open(dir_ / "witness.db", "test");
            ASSERT_TRUE(db);
            ASSERT_TRUE((*db)->exec(sqlite));
        } else {
            test::Postgres::instance().execute(postgres, database_);
        }
    }

    fs::path dir_;
    std::string url_;
    std::string database_; // PostgreSQL's
    asio::io_context io_;
};

TEST_P(Witness, AcknowledgesInOrderOnceDurableInGroupsAndRebuildsTheSameTree) {
    auto log = open();
    ASSERT_TRUE(log);
    std::vector<std::uint64_t> acked;
    for (std::uint64_t n = 0; n < 300; ++n)
        log->append(event(n), [&](Result<std::uint64_t> index) {
            ASSERT_TRUE(index);
            acked.push_back(*index);
        });
    runUntil([&] { return acked.size() == 300; });
    for (std::uint64_t n = 0; n < 300; ++n)
        ASSERT_EQ(acked[n], n);
    EXPECT_LT(log->stats().commits, 300u); // appends that queued up shared a commit
    MerkleTree expected;
    for (std::uint64_t n = 0; n < 300; ++n) {
        const auto body = canonicalJson(event(n));
        expected.append(leafHash(std::as_bytes(std::span(body))));
    }
    const Hash root = *log->tree().root(300);
    EXPECT_EQ(root, *expected.root(300));
    log.reset();

    auto again = open();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->size(), 300u);
    EXPECT_EQ(*again->tree().root(300), root);
    appendAndWait(*again, 300, 310); // and it goes on from there
    EXPECT_EQ(*again->tree().root(310), [&] {
        for (std::uint64_t n = 300; n < 310; ++n) {
            const auto body = canonicalJson(event(n));
            expected.append(leafHash(std::as_bytes(std::span(body))));
        }
        return *expected.root(310);
    }());
}

TEST_P(Witness, AStoreWithAGapIsRefused) {
    {
        auto log = open();
        ASSERT_TRUE(log);
        appendAndWait(*log, 0, 5);
    }
    tamper("DELETE FROM entries WHERE idx = 2", "DELETE FROM witness_entries WHERE idx = 2");
    auto store = openStore(url_);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::io);
    EXPECT_NE(store.error().message.find("missing"), std::string::npos) << store.error().message;
}

// A group the store refuses (here a row in its way) is rolled back whole and its appends fail;
// the next group, once the way is clear, commits with the statements kept from before.
TEST_P(Witness, AFailedGroupIsRolledBackAndTheNextOneCommits) {
    auto log = open();
    ASSERT_TRUE(log);
    appendAndWait(*log, 0, 2);
    tamper("INSERT INTO entries (idx, leaf, body) VALUES (3, x'00', 'in the way')",
           "INSERT INTO witness_entries (idx, leaf, body) VALUES (3, '\\x00', 'in the way')");
    std::vector<bool> outcomes;
    asio::post(io_, [&] {
        for (std::uint64_t n = 2; n < 5; ++n)
            log->append(event(n), [&](const Result<std::uint64_t>& index) {
                outcomes.push_back(index.has_value());
            });
    });
    runUntil([&] { return outcomes.size() == 3; });
    EXPECT_EQ(outcomes, (std::vector<bool>{false, false, false}));
    EXPECT_EQ(log->size(), 2u);
    EXPECT_EQ(log->stats().failures, 1u);
    EXPECT_TRUE(log->stats().lastCommitFailed);
    // Every append was timed to its answer, the failed ones too.
    EXPECT_EQ(log->stats().appendSeconds.count(), 5u);
    std::optional<Result<void>> answered; // the store itself still answers
    log->check([&](const Result<void>& r) { answered.emplace(r); });
    runUntil([&] { return answered.has_value(); });
    EXPECT_TRUE(*answered);

    tamper("DELETE FROM entries WHERE idx = 3", "DELETE FROM witness_entries WHERE idx = 3");
    appendAndWait(*log, 2, 5);
    EXPECT_EQ(log->size(), 5u);
    EXPECT_FALSE(log->stats().lastCommitFailed);
    std::optional<Result<std::vector<std::string>>> stored;
    log->read(0, 5, [&](auto r) { stored.emplace(std::move(r)); });
    runUntil([&] { return stored.has_value(); });
    ASSERT_TRUE(*stored);
    EXPECT_EQ((*stored)->size(), 5u);
    EXPECT_EQ((*stored)->at(2), canonicalJson(event(2)));
}

// A shutdown's last entries (the calls it hangs up) are appended in the turn that destroys the
// log, with no loop left to hand them over: they are written all the same, heads too.
TEST_P(Witness, WhatIsAskedForBeforeTheLogGoesIsWritten) {
    auto signer = Signer::loadOrCreate(dir_ / "witness.key");
    ASSERT_TRUE(signer);
    {
        auto log = open();
        ASSERT_TRUE(log);
        appendAndWait(*log, 0, 2);
        for (std::uint64_t n = 2; n < 6; ++n)
            log->append(event(n), [](const Result<std::uint64_t>&) {});
        log->saveHead(signHead(**signer, 2, *log->tree().root(2), 1764547201000),
                      [](const Result<void>&) {});
    }
    auto log = open();
    ASSERT_TRUE(log);
    EXPECT_EQ(log->size(), 6u);
    std::optional<Result<std::optional<TreeHead>>> head;
    log->latestHead([&](auto r) { head.emplace(std::move(r)); });
    runUntil([&] { return head.has_value(); });
    ASSERT_TRUE(*head);
    ASSERT_TRUE(**head);
    EXPECT_EQ((**head)->size, 2u);
}

TEST_P(Witness, ReadsEntriesOnTheWriterAfterTheAppendsBeforeThem) {
    auto log = open();
    ASSERT_TRUE(log);
    // Not waiting for the acknowledgements: the read queues behind the appends.
    for (std::uint64_t n = 0; n < 10; ++n)
        log->append(event(n), [](const Result<std::uint64_t>&) {});
    std::optional<Result<std::vector<std::string>>> middle, tail, none, reversed;
    log->read(2, 5, [&](auto r) { middle.emplace(std::move(r)); });
    log->read(8, 100, [&](auto r) { tail.emplace(std::move(r)); });
    log->read(10, 10, [&](auto r) { none.emplace(std::move(r)); });
    log->read(5, 3, [&](auto r) { reversed.emplace(std::move(r)); });
    runUntil([&] { return middle && tail && none && reversed; });
    EXPECT_EQ(log->size(), 10u); // acknowledged before the reads' results arrived
    ASSERT_TRUE(*middle) << middle->error().message;
    EXPECT_EQ(**middle, (std::vector{canonicalJson(event(2)), canonicalJson(event(3)),
                                     canonicalJson(event(4))}));
    ASSERT_TRUE(*tail);
    EXPECT_EQ(**tail, (std::vector{canonicalJson(event(8)), canonicalJson(event(9))}));
    ASSERT_TRUE(*none);
    EXPECT_TRUE((*none)->empty());
    ASSERT_FALSE(*reversed);
    EXPECT_EQ(reversed->error().code, Errc::invalid_input);
}

TEST_P(Witness, TheAppendsOfOneTurnOfTheOwnersLoopAreCommittedTogether) {
    auto log = open();
    ASSERT_TRUE(log);
    std::vector<std::uint64_t> acked;
    for (int turn = 0; turn < 3; ++turn) {
        asio::post(io_, [&] {
            for (std::uint64_t n = 0; n < 5; ++n)
                log->append(event(n), [&](Result<std::uint64_t> index) {
                    ASSERT_TRUE(index);
                    acked.push_back(*index);
                });
        });
        runUntil([&] { return acked.size() == 5u * (turn + 1); });
        EXPECT_EQ(log->stats().commits, turn + 1u);
    }
    EXPECT_EQ(acked,
              (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
}

TEST_P(Witness, KeepsSignedTreeHeads) {
    auto signer = Signer::loadOrCreate(dir_ / "witness.key");
    ASSERT_TRUE(signer) << signer.error().message;
    auto log = open();
    ASSERT_TRUE(log);
    auto latest = [&](WitnessLog& l) {
        std::optional<Result<std::optional<TreeHead>>> got;
        l.latestHead([&](auto r) { got.emplace(std::move(r)); });
        runUntil([&] { return got.has_value(); });
        EXPECT_TRUE(*got) << got->error().message;
        return *got ? **got : std::nullopt;
    };
    auto save = [&](WitnessLog& l, const TreeHead& head) {
        std::optional<Result<void>> saved;
        l.saveHead(head, [&](Result<void> r) { saved.emplace(std::move(r)); });
        runUntil([&] { return saved.has_value(); });
        return *saved;
    };
    EXPECT_FALSE(latest(*log)); // none yet

    appendAndWait(*log, 0, 3);
    const TreeHead three = signHead(**signer, 3, *log->tree().root(3), 1764547201000);
    ASSERT_TRUE(save(*log, three));
    appendAndWait(*log, 3, 7);
    const TreeHead seven = signHead(**signer, 7, *log->tree().root(7), 1764547202000);
    ASSERT_TRUE(save(*log, seven));
    // An older head of a smaller tree, saved late, does not become the latest; a newer one of
    // the same size replaces the old.
    ASSERT_TRUE(save(*log, signHead(**signer, 3, *log->tree().root(3), 1764547203000)));
    const TreeHead sevenAgain = signHead(**signer, 7, *log->tree().root(7), 1764547204000);
    ASSERT_TRUE(save(*log, sevenAgain));
    ASSERT_TRUE(save(*log, seven)); // older than what is kept for 7: ignored

    auto head = latest(*log);
    ASSERT_TRUE(head);
    EXPECT_EQ(toJson(*head), toJson(sevenAgain));
    EXPECT_TRUE(verifyHead(*head, (*signer)->publicKeyPem()));

    // A head that vouches for entries the store does not have is refused.
    const auto beyond = save(*log, signHead(**signer, 8, *log->tree().root(7), 1764547205000));
    ASSERT_FALSE(beyond);
    EXPECT_EQ(beyond.error().code, Errc::invalid_input);

    // Another root for a size already signed never replaces the one signed (RFC 9162 §2.1.4).
    ASSERT_TRUE(save(*log, signHead(**signer, 7, *log->tree().root(6), 1764547206000)));
    head = latest(*log);
    ASSERT_TRUE(head);
    EXPECT_EQ(toJson(*head), toJson(sevenAgain));

    log.reset();
    auto again = open();
    ASSERT_TRUE(again);
    head = latest(*again);
    ASSERT_TRUE(head);
    EXPECT_EQ(toJson(*head), toJson(sevenAgain));
}

// A store cut short or rewritten beneath its latest signed head is refused at start: writing
// on would sign a second root for a size already signed.
TEST_P(Witness, AStoreThatNoLongerMatchesItsSignedHeadIsRefused) {
    auto signer = Signer::loadOrCreate(dir_ / "witness.key");
    ASSERT_TRUE(signer) << signer.error().message;
    {
        auto log = open();
        ASSERT_TRUE(log);
        appendAndWait(*log, 0, 9);
        std::optional<Result<void>> saved;
        log->saveHead(signHead(**signer, 9, *log->tree().root(9), 1764547201000),
                      [&](Result<void> r) { saved.emplace(std::move(r)); });
        runUntil([&] { return saved.has_value(); });
        ASSERT_TRUE(*saved);
    }
    auto refusal = [&] {
        auto store = openStore(url_);
        EXPECT_TRUE(store);
        if (!store) return std::string();
        auto log = WitnessLog::open(io_, std::move(store).value());
        EXPECT_FALSE(log);
        return log ? std::string() : log.error().message;
    };
    // The last entry removed: the signed head vouches for 9.
    tamper("DELETE FROM entries WHERE idx = 8", "DELETE FROM witness_entries WHERE idx = 8");
    EXPECT_NE(refusal().find("entries were removed"), std::string::npos);
    // Put back with another body and its own leaf hash: the root is not the signed one.
    const auto body = canonicalJson(event(100));
    const auto leaf = leafHash(std::as_bytes(std::span(body)));
    std::string hex;
    for (auto b : leaf)
        hex += fmt::format("{:02x}", b);
    tamper(fmt::format("INSERT INTO entries (idx, body, leaf) VALUES (8, '{}', x'{}')", body, hex),
           fmt::format("INSERT INTO witness_entries (idx, body, leaf) VALUES (8, '{}', "
                       "'\\x{}'::bytea)",
                       body, hex));
    EXPECT_NE(refusal().find("entries were changed"), std::string::npos);
}

TEST_P(Witness, AKilledProcessLosesNoAcknowledgedEntry) {
    int acks[2];
    ASSERT_EQ(pipe(acks), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // A burst of appends; each acknowledgement goes out on the pipe at once.
        close(acks[0]);
        asio::io_context io;
        auto store = openStore(url_);
        if (!store) _exit(2);
        auto log = WitnessLog::open(io, std::move(store).value());
        if (!log) _exit(3);
        auto work = asio::make_work_guard(io);
        std::uint64_t done = 0;
        for (std::uint64_t n = 0; n < 20000; ++n)
            (*log)->append(event(n), [&](Result<std::uint64_t> index) {
                if (index) (void)!write(acks[1], &*index, sizeof *index);
                if (++done == 20000) work.reset();
            });
        io.run();
        _exit(0);
    }
    close(acks[1]);
    std::set<std::uint64_t> acknowledged;
    std::uint64_t index = 0;
    while (acknowledged.size() < 3000 && read(acks[0], &index, sizeof index) == sizeof index)
        acknowledged.insert(index);
    kill(child, SIGKILL);
    while (read(acks[0], &index, sizeof index) == sizeof index)
        acknowledged.insert(index); // what it acknowledged before it died
    close(acks[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status))
        << "the child finished before it was killed (status " << status << ")";
    ASSERT_GE(acknowledged.size(), 3000u);

    auto store = openStore(url_);
    ASSERT_TRUE(store) << store.error().message;
    const std::uint64_t last = *acknowledged.rbegin();
    ASSERT_GT((*store)->size(), last);
    auto bodies = (*store)->entries(0, last + 1);
    ASSERT_TRUE(bodies);
    for (const auto i : acknowledged)
        ASSERT_EQ((*bodies)[i], canonicalJson(event(i))) << "entry " << i;
}

// Two logs numbering entries in one database would collide: the second store waits for the
// first's advisory lock (10 s) and is refused; once the first is gone it opens.
TEST(WitnessPgStore, RefusesASecondWriterOnTheSameDatabase) {
    const std::string url = test::Postgres::instance().freshDatabase();
    auto first = openStore(url);
    ASSERT_TRUE(first) << first.error().message;
    auto second = openStore(url);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::io);
    EXPECT_NE(second.error().message.find("another witness log"), std::string::npos)
        << second.error().message;
    first->reset();
    auto third = openStore(url);
    EXPECT_TRUE(third) << third.error().message;
}

// Instances sharing a database each keep a log of their own, in a schema of its own: they do
// not exclude each other, and neither sees the other's entries.
TEST(WitnessPgStore, NamedLogsShareADatabaseApart) {
    const std::string url = test::Postgres::instance().freshDatabase();
    auto one = openStore(url, "switchboard-0");
    ASSERT_TRUE(one) << one.error().message;
    auto two = openStore(url, "switchboard-1");
    ASSERT_TRUE(two) << two.error().message;
    const std::vector<std::string> bodies{"{\"n\":0}"};
    const std::vector<Hash> leaves{leafHash(std::as_bytes(std::span(bodies[0])))};
    ASSERT_TRUE((*one)->append(bodies, leaves));
    EXPECT_EQ((*one)->size(), 1u);
    EXPECT_EQ((*two)->size(), 0u);
    auto again = openStore(url, "switchboard-0"); // the same log: one writer
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("another witness log"), std::string::npos);
    one->reset();
    auto reopened = openStore(url, "switchboard-0");
    ASSERT_TRUE(reopened) << reopened.error().message;
    EXPECT_EQ((*reopened)->size(), 1u);
    auto bad = openStore(url, "a\"; DROP TABLE x; --");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::config);
}

// The server ends the store's session (as a restart would): the next check reconnects, and
// the store answers again.
TEST(WitnessPgStore, ACheckReconnectsALostSession) {
    const std::string url = test::Postgres::instance().freshDatabase();
    auto store = openStore(url);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_TRUE((*store)->check());
    const std::string database = url.substr(url.rfind('/') + 1);
    test::Postgres::instance().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE datname = '" +
                                       database + "' AND pid <> pg_backend_pid()");
    auto answered = (*store)->check();
    if (!answered) answered = (*store)->check(); // the first may meet the closed session
    EXPECT_TRUE(answered) << answered.error().message;
}

INSTANTIATE_TEST_SUITE_P(Backends, Witness, testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

} // namespace
} // namespace sb::witness
