#pragma once
// Whether an object is still there, for the callbacks that may outlive it: an answer posted to
// its loop from another thread (a DNS answer, a witness write), a sweep it posts to itself. The
// object holds a Lifetime; each callback holds a Watch, which turns false once the object has
// ended it (end(), or its destruction). The object and its callbacks run on one thread; a Watch
// may be copied and carried on any.

#include <memory>

namespace sb {

class Lifetime {
public:
    class Watch {
    public:
        // True while the object lives.
        explicit operator bool() const noexcept {
            const auto alive = alive_.lock();
            return alive && *alive;
        }

    private:
        friend class Lifetime;
        explicit Watch(std::weak_ptr<const bool> alive) : alive_(std::move(alive)) {}
        std::weak_ptr<const bool> alive_;
    };

    Lifetime() = default;
    ~Lifetime() { end(); }
    Lifetime(const Lifetime&) = delete;
    Lifetime& operator=(const Lifetime&) = delete;

    Watch watch() const { return Watch(alive_); }
    // Ends it before the destructor does: the owner's teardown has begun, and a callback that
    // its teardown itself triggers must find it gone. Idempotent.
    void end() noexcept { *alive_ = false; }

private:
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace sb
