#pragma once
// A callable passed down and called at once, never kept: what the runtime's items() and
// openType() take instead of std::function, which would allocate for a lambda capturing more
// than two references, on every length and every open type (bench/h323_per).

#include <memory>
#include <type_traits>
#include <utility>

namespace sb::h323::per {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
public:
    template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef>>>
    FunctionRef(F&& f) noexcept // NOLINT(google-explicit-constructor): a lambda converts
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* object, Args... args) -> R {
              return (*static_cast<std::remove_reference_t<F>*>(object))(
                  std::forward<Args>(args)...);
          }) {}
    R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

private:
    void* object_;
    R (*call_)(void*, Args...);
};

} // namespace sb::h323::per
