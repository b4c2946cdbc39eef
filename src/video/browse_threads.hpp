#pragma once
// Discovery calls that block (the Avahi client library's on D-Bus, the NDI runtime's finder)
// run here, each on a thread of its own, never on the control loop; what each found comes back
// there (asio::post).

#include "core/result.hpp"
#include "video/mdns.hpp"

#include <asio/io_context.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace sb::video {

using Instances = Result<std::vector<mdns::Instance>>;

class BrowseThreads {
public:
    // `control`: the loop that gets the results; it must outlive this object's use.
    explicit BrowseThreads(asio::io_context& control) : control_(control) {}
    ~BrowseThreads(); // waits for the browses under way (each bounded by its own wait)
    BrowseThreads(const BrowseThreads&) = delete;
    BrowseThreads& operator=(const BrowseThreads&) = delete;

    // `browse` on a thread of its own; `done` with its outcome on the control loop, once.
    void run(std::function<Instances()> browse, std::function<void(Instances)> done);

private:
    struct Running {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    asio::io_context& control_;
    std::vector<Running> running_; // joined once done, on the next run or at the end
};

} // namespace sb::video
