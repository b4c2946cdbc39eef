#include "video/browse_threads.hpp"

#include "core/stop_signals.hpp"
#include "core/thread_name.hpp"

#include <asio/post.hpp>

namespace sb::video {

BrowseThreads::~BrowseThreads() {
    for (auto& r : running_)
        r.thread.join();
}

void BrowseThreads::run(std::function<Instances()> browse, std::function<void(Instances)> done) {
    std::erase_if(running_, [](Running& r) {
        if (!r.done->load()) return false;
        r.thread.join();
        return true;
    });
    auto finished = std::make_shared<std::atomic<bool>>(false);
    running_.push_back({std::thread([&control = control_, browse = std::move(browse), finished,
                                     done = std::move(done)]() mutable {
                            nameThisThread("sb-browse");
                            blockStopSignals(); // the control loop's
                            asio::post(control,
                                       [done = std::move(done), found = browse()]() mutable {
                                           done(std::move(found));
                                       });
                            *finished = true;
                        }),
                        finished});
}

} // namespace sb::video
