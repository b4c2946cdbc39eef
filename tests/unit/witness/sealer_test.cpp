// The sealer in virtual time: the asks of one interval share one signed head, stored at the
// interval's end and covering the log as it then is; no ask, no head; flush() and the
// destructor seal what was asked for at once.
#include "witness/sealer.hpp"
#include "witness/store_factory.hpp"

#include <asio/executor_work_guard.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

namespace sb::witness {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kInterval{1000};

class Sealing : public testing::Test {
protected:
    Sealing() : dir_(fs::temp_directory_path() / ("sb-sealer-" + std::to_string(getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        auto store = openStore("sqlite:" + (dir_ / "witness.db").string());
        EXPECT_TRUE(store);
        auto log = WitnessLog::open(io_, std::move(store).value());
        EXPECT_TRUE(log);
        log_ = std::move(log).value();
        auto signer = Signer::loadOrCreate(dir_ / "witness.key");
        EXPECT_TRUE(signer);
        signer_ = std::move(signer).value();
    }
    ~Sealing() override {
        log_.reset();
        fs::remove_all(dir_);
    }

    Sealer sealer() {
        return Sealer(timers_, *log_, *signer_, kInterval, [this] { return ++clockMs_; });
    }
    void elapse(std::chrono::milliseconds d) {
        now_ += d;
        timers_.advance();
    }
    template <class Pred>
    void runUntil(Pred done) {
        io_.restart();
        auto work = asio::make_work_guard(io_);
        while (!done())
            io_.run_one();
    }
    void append(std::uint64_t n) {
        bool acked = false;
        log_->append({"4bf92f3577b34da6a3ce929d0e0e4736",
                      1764547200000,
                      "escalation.ended",
                      "switchboard",
                      {{"n", n}}},
                     [&](const Result<std::uint64_t>&) { acked = true; });
        runUntil([&] { return acked; });
    }
    // The latest stored head, once the writer has taken what was queued before.
    std::optional<TreeHead> latest() {
        std::optional<Result<std::optional<TreeHead>>> got;
        log_->latestHead([&](auto r) { got.emplace(std::move(r)); });
        runUntil([&] { return got.has_value(); });
        EXPECT_TRUE(*got);
        return *got ? **got : std::nullopt;
    }

    fs::path dir_;
    asio::io_context io_;
    std::unique_ptr<WitnessLog> log_;
    std::unique_ptr<Signer> signer_;
    net::TimerWheel::Clock::time_point now_{};
    net::TimerWheel timers_{[this] { return now_; }, 10ms};
    std::int64_t clockMs_ = 1764547200000;
};

TEST_F(Sealing, TheAsksOfOneIntervalShareOneHeadSignedAtItsEnd) {
    auto s = sealer();
    append(0);
    s.ask();
    append(1);
    s.ask();
    elapse(kInterval - 10ms);
    EXPECT_EQ(s.sealed(), 0u);
    EXPECT_FALSE(latest());
    append(2);
    elapse(10ms);
    EXPECT_EQ(s.sealed(), 1u);
    auto head = latest();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->size, 3u); // the log as it was at the interval's end
    EXPECT_EQ(head->root, *log_->tree().root(3));
    EXPECT_TRUE(verifyHead(*head, signer_->publicKeyPem()));

    elapse(kInterval * 3); // no ask, no head
    EXPECT_EQ(s.sealed(), 1u);
    s.ask(); // a later ask starts a new interval
    append(3);
    elapse(kInterval);
    EXPECT_EQ(s.sealed(), 2u);
    ASSERT_TRUE(latest());
    EXPECT_EQ(latest()->size, 4u);
}

TEST_F(Sealing, FlushAndTheDestructorSealWhatWasAskedForAtOnce) {
    {
        auto s = sealer();
        s.flush(); // nothing asked
        EXPECT_EQ(s.sealed(), 0u);
        append(0);
        s.ask();
        s.flush();
        EXPECT_EQ(s.sealed(), 1u);
        elapse(kInterval); // the cancelled timer does not seal again
        EXPECT_EQ(s.sealed(), 1u);
        append(1);
        s.ask();
    }
    EXPECT_EQ(timers_.pending(), 0u);
    auto head = latest();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->size, 2u);
}

} // namespace
} // namespace sb::witness
