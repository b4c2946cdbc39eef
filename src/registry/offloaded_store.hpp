#pragma once
// The document store on a thread of its own (ARCHITECTURE.md "Threads": the control loop never
// waits on a disk), which also reads the files the control loop reloads. Writes are asked for on
// the owner's thread and run on the store's, in the order asked; each one's outcome is posted back
// to the owner's thread once it is durable (or has failed), in the same order.
//
// The owner's io_context must outlive this; outcomes not yet delivered when this is destroyed
// are dropped (the writes themselves are finished first).

#include "net/worker.hpp"
#include "registry/document_store.hpp"

#include <asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace sb::registry {

class OffloadedStore {
public:
    OffloadedStore(asio::io_context& owner, std::unique_ptr<DocumentStore> store);
    ~OffloadedStore();
    OffloadedStore(const OffloadedStore&) = delete;
    OffloadedStore& operator=(const OffloadedStore&) = delete;

    void put(std::string kind, std::string id, std::string body,
             std::function<void(Result<void>)> done);
    // `done` learns whether there was such a document.
    void remove(std::string kind, std::string id, std::function<void(Result<bool>)> done);
    // The control loop's other disk read, on the same thread: a file's text (the policy that
    // SIGHUP reloads), or the error of readNamedFile(file, what).
    void readFile(std::filesystem::path file, std::string what,
                  std::function<void(Result<std::string>)> done);

    // Writes asked for whose outcome has not come back yet.
    std::size_t pending() const noexcept { return pending_; }

private:
    // Runs `work` on the store's thread, then `done(result)` on the owner's.
    template <class Work, class Done>
    void offload(Work work, Done done);

    asio::io_context& owner_;
    std::unique_ptr<DocumentStore> store_; // used on the store's thread only, once started
    net::Worker worker_{"registry-store"};
    std::size_t pending_ = 0;
    std::shared_ptr<OffloadedStore*> self_ = std::make_shared<OffloadedStore*>(this);
};

} // namespace sb::registry
