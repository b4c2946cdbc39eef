#include "registry/offloaded_store.hpp"

#include "core/file.hpp"

#include <asio/post.hpp>

namespace sb::registry {

OffloadedStore::OffloadedStore(asio::io_context& owner, std::unique_ptr<DocumentStore> store)
    : owner_(owner), store_(std::move(store)) {
    worker_.start();
}

OffloadedStore::~OffloadedStore() {
    self_.reset(); // outcomes still to be posted, or posted and not yet run, find no one
    // Every write asked for is finished before the store goes: post the stop behind them.
    worker_.post([this] { worker_.stop(); });
    worker_.join();
}

template <class Work, class Done>
void OffloadedStore::offload(Work work, Done done) {
    ++pending_;
    worker_.post([this, work = std::move(work), done = std::move(done),
                  self = std::weak_ptr<OffloadedStore*>(self_)]() mutable {
        auto result = work(*store_);
        asio::post(owner_, [self = std::move(self), done = std::move(done),
                            result = std::move(result)]() mutable {
            auto alive = self.lock();
            if (!alive) return;
            --(*alive)->pending_;
            done(std::move(result));
        });
    });
}

void OffloadedStore::put(std::string kind, std::string id, std::string body,
                         std::function<void(Result<void>)> done) {
    offload([kind = std::move(kind), id = std::move(id),
             body = std::move(body)](DocumentStore& store) { return store.put(kind, id, body); },
            std::move(done));
}

void OffloadedStore::remove(std::string kind, std::string id,
                            std::function<void(Result<bool>)> done) {
    offload([kind = std::move(kind),
             id = std::move(id)](DocumentStore& store) { return store.remove(kind, id); },
            std::move(done));
}

void OffloadedStore::readFile(std::filesystem::path file, std::string what,
                              std::function<void(Result<std::string>)> done) {
    offload([file = std::move(file),
             what = std::move(what)](DocumentStore&) { return readNamedFile(file, what); },
            std::move(done));
}

} // namespace sb::registry
