#include "api/responder.hpp"

#include "api/problem.hpp"
#include "core/log.hpp"

namespace sb::api {

Responder::~Responder() {
    if (used_.load()) return;
    SB_WARN_RATE_LIMITED(log::get("api"), "a handler dropped its Respond without answering");
    respond(problem(500, "Internal Server Error", "the handler did not answer"));
}

bool Responder::respond(Response response) {
    if (used_.exchange(true)) {
        SB_WARN_RATE_LIMITED(log::get("api"), "a handler answered twice; the second is ignored");
        return false;
    }
    gate_->post([session = session_, sequence = sequence_, r = std::move(response)]() mutable {
        if (auto s = session.lock()) s->answer(sequence, std::move(r));
    });
    return true;
}

Respond Responder::make(const std::shared_ptr<Responder>& responder) {
    return [responder](Response response) { responder->respond(std::move(response)); };
}

} // namespace sb::api
