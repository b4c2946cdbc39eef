#include "witness/sealer.hpp"

#include "core/log.hpp"

namespace sb::witness {

Sealer::Sealer(net::TimerWheel& timers, WitnessLog& log, const Signer& signer,
               std::chrono::milliseconds interval, std::function<std::int64_t()> unixNowMs)
    : timers_(timers), log_(log), signer_(signer), interval_(interval), now_(std::move(unixNowMs)) {
}

Sealer::~Sealer() {
    flush();
}

void Sealer::ask() {
    if (pending_) return;
    pending_ = timers_.schedule(interval_, [this] {
        pending_.reset();
        seal();
    });
}

void Sealer::flush() {
    if (!pending_) return;
    timers_.cancel(*pending_);
    pending_.reset();
    seal();
}

void Sealer::seal() {
    const auto size = log_.size();
    auto head = signHead(signer_, size, *log_.tree().root(size), now_());
    ++sealed_;
    log_.saveHead(std::move(head), [](const Result<void>& saved) {
        if (!saved)
            log::get("witness").error("witness: a signed head was not saved: {}",
                                      saved.error().message);
    });
}

} // namespace sb::witness
