#pragma once
// The state behind one Respond: called once from any thread, it posts the response to the
// session's thread through the server's gate; destroyed uncalled, it posts a 500 so that the
// connection is not left waiting.

#include "api/http_types.hpp"
#include "api/post_gate.hpp"

#include <atomic>
#include <cstdint>
#include <memory>

namespace sb::api {

// Implemented by the HTTP session; answer() runs on the API thread.
class Answerable {
public:
    virtual ~Answerable() = default;
    // Sends `response` for request `sequence`, unless that request was already answered (or
    // timed out) or the connection has closed.
    virtual void answer(std::uint64_t sequence, Response response) = 0;
};

class Responder {
public:
    Responder(std::shared_ptr<PostGate> gate, std::weak_ptr<Answerable> session,
              std::uint64_t sequence)
        : gate_(std::move(gate)), session_(std::move(session)), sequence_(sequence) {}
    ~Responder();
    Responder(const Responder&) = delete;
    Responder& operator=(const Responder&) = delete;

    // The first call posts the response; false (and nothing happens) for later ones.
    bool respond(Response response);

    // The Respond handed to a handler.
    static Respond make(const std::shared_ptr<Responder>& responder);

private:
    std::shared_ptr<PostGate> gate_;
    std::weak_ptr<Answerable> session_;
    std::uint64_t sequence_;
    std::atomic<bool> used_{false};
};

} // namespace sb::api
