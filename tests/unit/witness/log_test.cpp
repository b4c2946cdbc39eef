// The witness log on SQLite: entries acknowledged in order once durable, in groups; the tree
// rebuilt the same after a restart; a gap in the stored entries refused; and a process killed
// with SIGKILL during a burst of appends loses no entry it had acknowledged.
#include "witness/log.hpp"

#include <asio/executor_work_guard.hpp>
#include <csignal>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sqlite3.h>
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

class Witness : public testing::Test {
protected:
    Witness() : dir_(fs::temp_directory_path() / ("sb-witness-" + std::to_string(getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~Witness() override { fs::remove_all(dir_); }
    std::unique_ptr<WitnessLog> open() {
        auto store = SqliteStore::open(dir_ / "witness.db");
        EXPECT_TRUE(store) << store.error().message;
        auto log = WitnessLog::open(io_, std::move(store).value());
        EXPECT_TRUE(log) << log.error().message;
        return std::move(log).value();
    }
    // Runs the owner's loop until `done` holds (the log's commits arrive from its writer).
    template <class Pred>
    void runUntil(Pred done) {
        auto work = asio::make_work_guard(io_);
        while (!done())
            io_.run_one();
    }
    fs::path dir_;
    asio::io_context io_;
};

TEST(WitnessEntry, IsCanonicalJson) {
    EXPECT_EQ(canonicalJson(event(7)),
              R"({"actor":"switchboard","data":{"call":7,"leg":"callee"},"time":1764547200007,)"
              R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","type":"call.answered"})");
}

TEST_F(Witness, AcknowledgesInOrderOnceDurableInGroupsAndRebuildsTheSameTree) {
    auto log = open();
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
    EXPECT_EQ(again->size(), 300u);
    EXPECT_EQ(*again->tree().root(300), root);
}

TEST_F(Witness, AStoreWithAGapIsRefused) {
    {
        auto log = open();
        int acked = 0;
        for (std::uint64_t n = 0; n < 5; ++n)
            log->append(event(n), [&](auto) { ++acked; });
        runUntil([&] { return acked == 5; });
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "witness.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DELETE FROM entries WHERE idx = 2", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    auto store = SqliteStore::open(dir_ / "witness.db");
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find("missing"), std::string::npos);
}

TEST_F(Witness, AKilledProcessLosesNoAcknowledgedEntry) {
    int acks[2];
    ASSERT_EQ(pipe(acks), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // A burst of appends; each acknowledgement goes out on the pipe at once.
        close(acks[0]);
        asio::io_context io;
        auto store = SqliteStore::open(dir_ / "witness.db");
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
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child finished before it was killed";
    ASSERT_GE(acknowledged.size(), 3000u);

    auto store = SqliteStore::open(dir_ / "witness.db");
    ASSERT_TRUE(store) << store.error().message;
    const std::uint64_t last = *acknowledged.rbegin();
    ASSERT_GT((*store)->size(), last);
    auto bodies = (*store)->entries(0, last + 1);
    ASSERT_TRUE(bodies);
    for (const auto i : acknowledged)
        ASSERT_EQ((*bodies)[i], canonicalJson(event(i))) << "entry " << i;
}

} // namespace
} // namespace sb::witness
