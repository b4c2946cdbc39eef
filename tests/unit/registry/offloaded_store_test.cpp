#include "registry/offloaded_store.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <future>
#include <gtest/gtest.h>
#include <thread>
#include <vector>

namespace sb::registry {
namespace {

// A store that remembers which thread wrote, and can be held until the test lets it go.
struct HeldStore : DocumentStore {
    std::vector<std::string> writes;
    std::thread::id writer;
    std::shared_future<void> release;

    Result<void> put(std::string_view kind, std::string_view id, std::string_view) override {
        release.wait();
        writer = std::this_thread::get_id();
        if (id == "bad") return fail(Errc::io, "disk full");
        writes.push_back(std::string(kind) + "/" + std::string(id));
        return {};
    }
    Result<bool> remove(std::string_view kind, std::string_view id) override {
        release.wait();
        writes.push_back("-" + std::string(kind) + "/" + std::string(id));
        return id == "known";
    }
    Result<std::vector<Document>> all(std::string_view) override { return std::vector<Document>{}; }
};

TEST(OffloadedStore, TheOwnersLoopGoesOnWhileTheStoreWritesAndOutcomesComeBackInOrder) {
    asio::io_context owner;
    std::promise<void> gate;
    auto held = std::make_unique<HeldStore>();
    held->release = gate.get_future().share();
    HeldStore& store = *held;
    OffloadedStore offloaded(owner, std::move(held));

    std::vector<std::string> seen;
    offloaded.put("expert", "alice", "{}", [&](const Result<void>& r) {
        seen.emplace_back(r ? "alice stored" : "alice failed");
    });
    offloaded.put("expert", "bad", "{}", [&](const Result<void>& r) {
        seen.emplace_back(r ? "bad stored" : "bad failed: " + r.error().message);
    });
    offloaded.remove("expert", "known", [&](const Result<bool>& r) {
        seen.emplace_back(r && *r ? "known removed" : "?");
    });
    EXPECT_EQ(offloaded.pending(), 3u);
    // The store is stuck on its disk; the owner's loop is not.
    asio::post(owner, [&] {
        seen.emplace_back("the loop ran");
        gate.set_value();
    });
    auto busy = asio::make_work_guard(owner); // outcomes come from another thread
    while (seen.size() < 4)
        owner.run_one();
    EXPECT_EQ(seen, (std::vector<std::string>{"the loop ran", "alice stored",
                                              "bad failed: disk full", "known removed"}));
    EXPECT_EQ(offloaded.pending(), 0u);
    EXPECT_NE(store.writer, std::this_thread::get_id());
}

TEST(OffloadedStore, WritesAskedForAreFinishedBeforeItGoesAndTheirLateOutcomesDropped) {
    // The store dies with the OffloadedStore; it leaves what it wrote here.
    struct Spy : HeldStore {
        std::vector<std::string>* out = nullptr;
        ~Spy() override { *out = writes; }
    };
    asio::io_context owner;
    std::promise<void> open;
    open.set_value();
    std::vector<std::string> writes;
    int outcomes = 0;
    {
        auto spy = std::make_unique<Spy>();
        spy->release = open.get_future().share();
        spy->out = &writes;
        OffloadedStore offloaded(owner, std::move(spy));
        for (const char* id : {"a", "b", "c"})
            offloaded.put("expert", id, "{}", [&](const Result<void>&) { ++outcomes; });
    }
    owner.run();
    EXPECT_EQ(writes, (std::vector<std::string>{"expert/a", "expert/b", "expert/c"}));
    EXPECT_EQ(outcomes, 0);
}

} // namespace
} // namespace sb::registry
