#include "net/worker.hpp"

#include <atomic>
#include <future>
#include <gtest/gtest.h>
#include <pthread.h>
#include <stdexcept>

namespace sb::net {
namespace {

TEST(Worker, PostRunsOnTheWorkerThread) {
    Worker worker("test");
    worker.start();
    EXPECT_FALSE(worker.isCurrentThread());
    std::promise<bool> onThread;
    worker.post([&] { onThread.set_value(worker.isCurrentThread()); });
    auto f = onThread.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
    EXPECT_TRUE(f.get());
    worker.stop();
    worker.join();
}

TEST(Worker, NamesItsThreadForTheOperatorsTools) {
    Worker worker("media-12345678901");
    worker.start();
    std::promise<std::string> name;
    worker.post([&] {
        char buffer[16] = {};
        pthread_getname_np(pthread_self(), buffer, sizeof buffer);
        name.set_value(buffer);
    });
    auto f = name.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(2)), std::future_status::ready);
    EXPECT_EQ(f.get(), "sb-media-123456"); // Linux keeps 15 bytes
    worker.stop();
    worker.join();
}

TEST(Worker, StaysAliveWithoutWorkUntilStopped) {
    Worker worker;
    worker.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // nothing queued: still running
    std::promise<void> ran;
    worker.post([&] { ran.set_value(); });
    EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(2)), std::future_status::ready);
    worker.stop();
    worker.join();
    EXPECT_TRUE(worker.context().stopped());
}

TEST(Worker, AThrowingHandlerDoesNotEndTheLoop) {
    Worker worker;
    worker.start();
    worker.post([] { throw std::runtime_error("boom"); });
    std::promise<void> ran;
    worker.post([&] { ran.set_value(); });
    EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(2)), std::future_status::ready);
}

TEST(Worker, StopFromItsOwnThreadAndDestructorJoins) {
    auto worker = std::make_unique<Worker>();
    worker->start();
    std::atomic<bool> ranOnWorker{false};
    worker->post([w = worker.get(), &ranOnWorker] {
        ranOnWorker = w->isCurrentThread();
        w->stop();
    });
    worker->join(); // returns only once the worker stopped itself
    EXPECT_TRUE(ranOnWorker);
    worker.reset(); // nothing left to join; must not hang (ctest's time-out catches a hang)
}

} // namespace
} // namespace sb::net
